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

    public async Task<TrustedFlavor> GetAsync(Flavor flavor, string trait, CancellationToken cancellationToken = default)
    {
        var specs = await nova.GetExtraSpecsAsync(flavor.Id, cancellationToken).ConfigureAwait(false);
        return new TrustedFlavor(flavor.Id, flavor.Name, trait, specs.GetValueOrDefault(TraitKey(trait)), specs.GetValueOrDefault(LegacyKey));
    }

    /// <summary>Sets (Required/Forbidden) or removes the keys of <paramref name="mode"/>; returns the flavor's new state.</summary>
    public async Task<TrustedFlavor> SetAsync(Flavor flavor, TrustedFlavorMode mode, string trait, TrustRequirement requirement,
        CancellationToken cancellationToken = default)
    {
        if (!PlacementClient.IsValidTrait(trait)) throw new ArgumentException($"'{trait}' is not a valid trait name.", nameof(trait));
        var keys = new List<(string Key, string Value)>();
        if (mode is TrustedFlavorMode.Trait or TrustedFlavorMode.Both)
            keys.Add((TraitKey(trait), requirement == TrustRequirement.Forbidden ? "forbidden" : "required"));
        if (mode is TrustedFlavorMode.Legacy or TrustedFlavorMode.Both)
            keys.Add((LegacyKey, requirement == TrustRequirement.Forbidden ? "untrusted" : "trusted"));
        if (requirement == TrustRequirement.Remove)
        {
            foreach (var (key, _) in keys) await nova.DeleteExtraSpecAsync(flavor.Id, key, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await nova.SetExtraSpecsAsync(flavor.Id, keys.ToDictionary(k => k.Key, k => k.Value), cancellationToken).ConfigureAwait(false);
        }
        return await GetAsync(flavor, trait, cancellationToken).ConfigureAwait(false);
    }
}
