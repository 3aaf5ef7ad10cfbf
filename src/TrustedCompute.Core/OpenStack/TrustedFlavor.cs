namespace TrustedCompute.OpenStack;

/// <summary>Which extra specs mark a trusted flavor.</summary>
public enum TrustedFlavorMode
{
    /// <summary><c>trait:&lt;TRAIT&gt;=required|forbidden</c>: Placement-based pools (Queens and later).</summary>
    Trait,

    /// <summary><c>trust:trusted_host=trusted|untrusted</c>: the old TrustedFilter key.</summary>
    Legacy,

    /// <summary>Both keys.</summary>
    Both,
}

/// <summary>What a flavor asks of its hosts.</summary>
public enum TrustRequirement
{
    Required,
    Forbidden,
    Remove,
}

/// <summary>A flavor's trust extra specs.</summary>
public sealed record TrustedFlavor(string Id, string Name, string Trait, string? TraitValue, string? LegacyValue)
{
    /// <summary>Which keys are present: Trait, Legacy, Both or None.</summary>
    public string Mode => (TraitValue, LegacyValue) switch
    {
        (not null, not null) => "Both",
        (not null, null) => "Trait",
        (null, not null) => "Legacy",
        _ => "None",
    };

    /// <summary>True when the flavor lands only on trusted hosts by at least one of the keys.</summary>
    public bool RequiresTrustedHost => TraitValue == "required" || LegacyValue == "trusted";
}

/// <summary>Reads and writes the trust extra specs of flavors, touching no other key.</summary>
public sealed class TrustedFlavorManager(NovaClient nova)
{
    public const string DefaultTrait = "CUSTOM_TRUSTED_HOST";
    public const string LegacyKey = "trust:trusted_host";

    public static string TraitKey(string trait) => "trait:" + trait;

    /// <summary>
    /// The flavor's trust keys: from the extra specs Nova embedded in the flavor (2.61+, no extra request), else read
    /// with one request.
    /// </summary>
    public async Task<TrustedFlavor> GetAsync(Flavor flavor, string trait, CancellationToken cancellationToken = default)
    {
        var specs = flavor.ExtraSpecs ?? await nova.GetExtraSpecsAsync(flavor.Id, cancellationToken).ConfigureAwait(false);
        return Of(flavor, trait, specs);
    }

    /// <summary>The trust keys read fresh from Nova, whatever the flavor object carries.</summary>
    public async Task<TrustedFlavor> ReadAsync(Flavor flavor, string trait, CancellationToken cancellationToken = default) =>
        Of(flavor, trait, await nova.GetExtraSpecsAsync(flavor.Id, cancellationToken).ConfigureAwait(false));

    private static TrustedFlavor Of(Flavor flavor, string trait, IReadOnlyDictionary<string, string> specs) =>
        new(flavor.Id, flavor.Name, trait, specs.GetValueOrDefault(TraitKey(trait)), specs.GetValueOrDefault(LegacyKey));

    /// <summary>
    /// Sets (Required/Forbidden) or removes the keys of <paramref name="mode"/>; returns the flavor's new state. A key of
    /// the other mode that says the opposite is brought in line too (Legacy -Forbidden on a flavor with
    /// <c>trait:...=required</c> sets it to <c>forbidden</c>): a flavor never asks for and against trust at once.
    /// </summary>
    public async Task<TrustedFlavor> SetAsync(Flavor flavor, TrustedFlavorMode mode, string trait, TrustRequirement requirement,
        CancellationToken cancellationToken = default)
    {
        if (!PlacementClient.IsValidTrait(trait)) throw new ArgumentException($"'{trait}' is not a valid trait name.", nameof(trait));
        var keys = Keys(mode, trait, requirement);
        if (requirement == TrustRequirement.Remove)
        {
            foreach (var key in keys.Keys) await nova.DeleteExtraSpecAsync(flavor.Id, key, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var current = await ReadAsync(flavor, trait, cancellationToken).ConfigureAwait(false);
            var other = mode switch
            {
                TrustedFlavorMode.Trait => (Key: LegacyKey, Value: current.LegacyValue, Mode: TrustedFlavorMode.Legacy),
                TrustedFlavorMode.Legacy => (Key: TraitKey(trait), Value: current.TraitValue, Mode: TrustedFlavorMode.Trait),
                _ => (Key: "", Value: null, Mode: mode),
            };
            if (other.Value is not null && Contradicts(other.Key, other.Value, requirement))
                foreach (var (key, value) in Keys(other.Mode, trait, requirement)) keys[key] = value;
            await nova.SetExtraSpecsAsync(flavor.Id, keys, cancellationToken).ConfigureAwait(false);
        }
        return await ReadAsync(flavor, trait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The extra specs a mode and requirement write (values are ignored for Remove).</summary>
    public static Dictionary<string, string> Keys(TrustedFlavorMode mode, string trait, TrustRequirement requirement)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        bool forbidden = requirement == TrustRequirement.Forbidden;
        if (mode is TrustedFlavorMode.Trait or TrustedFlavorMode.Both) keys[TraitKey(trait)] = forbidden ? "forbidden" : "required";
        if (mode is TrustedFlavorMode.Legacy or TrustedFlavorMode.Both) keys[LegacyKey] = forbidden ? "untrusted" : "trusted";
        return keys;
    }

    private static bool Contradicts(string key, string value, TrustRequirement requirement)
    {
        bool asksForTrust = key == LegacyKey ? value == "trusted" : value == "required";
        bool asksAgainstTrust = key == LegacyKey ? value == "untrusted" : value == "forbidden";
        return requirement == TrustRequirement.Forbidden ? asksForTrust : asksAgainstTrust;
    }
}
