using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TrustedCompute.OpenStack;

/// <summary>A Placement resource provider (a compute node is a root provider named after its hypervisor host).</summary>
public sealed record ResourceProvider(Guid Uuid, string Name, long Generation, Guid? ParentProviderUuid, Guid? RootProviderUuid)
{
    public bool IsRoot => ParentProviderUuid is null;
}

/// <summary>A provider's traits and the generation they were read at.</summary>
public sealed record ProviderTraits(IReadOnlySet<string> Traits, long Generation);

/// <summary>The outcome of a read-modify-write of a provider's traits.</summary>
public sealed record TraitUpdate(Guid ProviderUuid, IReadOnlySet<string> Before, IReadOnlySet<string> After, bool Changed, int Attempts);

/// <summary>
/// Placement: resource providers, traits, and provider traits written with the provider generation (409 means
/// someone else wrote first: read again and retry). Every call names the microversion it needs.
/// </summary>
public sealed partial class PlacementClient(OpenStackSession session)
{
    /// <summary>Traits API.</summary>
    public const string TraitsVersion = "placement 1.6";

    /// <summary>Provider lists with parents (1.14) and <c>required=</c> (1.18).</summary>
    public const string ListVersion = "placement 1.18";

    /// <summary>Provider create that returns the provider (1.20).</summary>
    public const string CreateVersion = "placement 1.20";

    private const string Service = "placement";

    /// <summary>
    /// How long a trait update keeps retrying while other writers keep winning the generation race (409). The
    /// deadline, not a count, bounds the retries: a busy provider is retried as often as the time allows.
    /// </summary>
    public TimeSpan ConflictDeadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The first wait after a 409; it doubles per attempt (with jitter) up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(10);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>True for a valid trait name; custom traits (the only ones that can be created) start with CUSTOM_.</summary>
    public static bool IsValidTrait(string name, bool customOnly = false) =>
        TraitPattern().IsMatch(name) && (!customOnly || name.StartsWith("CUSTOM_", StringComparison.Ordinal));

    [GeneratedRegex("^[A-Z0-9_]{1,255}$")]
    private static partial Regex TraitPattern();

    public async Task<IReadOnlyList<ResourceProvider>> ListProvidersAsync(string? name = null, string? requiredTrait = null,
        CancellationToken cancellationToken = default, Guid? memberOf = null)
    {
        var query = new List<string>();
        if (name is not null) query.Add("name=" + Uri.EscapeDataString(name));
        if (requiredTrait is not null) query.Add("required=" + Uri.EscapeDataString(requiredTrait));
        if (memberOf is not null) query.Add("member_of=" + memberOf);
        string path = "resource_providers" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        var response = await session.SendAsync(Service, HttpMethod.Get, path, null, ListVersion, cancellationToken).ConfigureAwait(false);
        return Json.Array(response.Body, "resource_providers", "provider list").EnumerateArray().Select(ReadProvider).ToList();
    }

    public async Task<ResourceProvider?> GetProviderAsync(Guid uuid, CancellationToken cancellationToken = default)
    {
        var response = await session.SendAsync(Service, HttpMethod.Get, $"resource_providers/{uuid}", null, ListVersion,
            cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.NotFound ? null : ReadProvider(response.Body!.Value);
    }

    /// <summary>Creates a root provider (as nova-compute does for a compute node).</summary>
    public async Task<ResourceProvider> CreateProviderAsync(string name, Guid? uuid = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["name"] = name, ["uuid"] = (uuid ?? Guid.NewGuid()).ToString() };
        var response = await session.SendAsync(Service, HttpMethod.Post, "resource_providers", body, CreateVersion, cancellationToken).ConfigureAwait(false);
        return ReadProvider(response.Body ?? throw new OpenStackException("Placement created a provider but returned no body."));
    }

    /// <summary>Deletes a provider; false when it did not exist.</summary>
    public async Task<bool> DeleteProviderAsync(Guid uuid, CancellationToken cancellationToken = default)
    {
        var response = await session.SendAsync(Service, HttpMethod.Delete, $"resource_providers/{uuid}", null, CreateVersion,
            cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    public async Task<bool> TraitExistsAsync(string trait, CancellationToken cancellationToken = default)
    {
        var response = await session.SendAsync(Service, HttpMethod.Get, "traits/" + Uri.EscapeDataString(trait), null, TraitsVersion,
            cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    /// <summary>Creates a custom trait if absent; true when this call created it.</summary>
    public async Task<bool> EnsureTraitAsync(string trait, CancellationToken cancellationToken = default)
    {
        if (!IsValidTrait(trait, customOnly: true))
            throw new ArgumentException($"'{trait}' is not a custom trait name (CUSTOM_ followed by A-Z, 0-9 and _).", nameof(trait));
        var response = await session.SendAsync(Service, HttpMethod.Put, "traits/" + trait, null, TraitsVersion, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.Created;
    }

    /// <summary>Deletes a custom trait; false when it did not exist. Placement refuses (409) while a provider has it.</summary>
    public async Task<bool> DeleteTraitAsync(string trait, CancellationToken cancellationToken = default)
    {
        var response = await session.SendAsync(Service, HttpMethod.Delete, "traits/" + Uri.EscapeDataString(trait), null, TraitsVersion,
            cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    public async Task<ProviderTraits> GetTraitsAsync(Guid provider, CancellationToken cancellationToken = default)
    {
        var response = await session.SendAsync(Service, HttpMethod.Get, $"resource_providers/{provider}/traits", null, TraitsVersion,
            cancellationToken).ConfigureAwait(false);
        return ReadTraits(response.Body);
    }

    /// <summary>Replaces a provider's traits at a generation; a stale generation throws an OpenStackException with status 409.</summary>
    public async Task<ProviderTraits> PutTraitsAsync(Guid provider, IEnumerable<string> traits, long generation,
        CancellationToken cancellationToken = default)
    {
        var body = new JsonObject
        {
            ["traits"] = new JsonArray(traits.Order(StringComparer.Ordinal).Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            ["resource_provider_generation"] = generation,
        };
        var response = await session.SendAsync(Service, HttpMethod.Put, $"resource_providers/{provider}/traits", body, TraitsVersion,
            cancellationToken).ConfigureAwait(false);
        return ReadTraits(response.Body);
    }

    /// <summary>
    /// Reads the provider's traits, applies <paramref name="change"/> and writes the result with the generation just
    /// read; on 409 backs off, reads again and re-applies until <see cref="ConflictDeadline"/> has passed, then throws
    /// a <see cref="TraitConflictException"/> naming the attempts. Writes nothing when the change leaves the set as it
    /// is. Only what <paramref name="change"/> alters is altered: other traits come from the fresh read every time.
    /// </summary>
    public async Task<TraitUpdate> UpdateTraitsAsync(Guid provider, Func<IReadOnlySet<string>, IReadOnlySet<string>> change,
        CancellationToken cancellationToken = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var backoff = InitialBackoff;
        for (int attempt = 1; ; attempt++)
        {
            var current = await GetTraitsAsync(provider, cancellationToken).ConfigureAwait(false);
            var wanted = change(current.Traits);
            if (wanted.SetEquals(current.Traits)) return new TraitUpdate(provider, current.Traits, current.Traits, false, attempt);
            try
            {
                var written = await PutTraitsAsync(provider, wanted, current.Generation, cancellationToken).ConfigureAwait(false);
                return new TraitUpdate(provider, current.Traits, written.Traits, true, attempt);
            }
            catch (OpenStackException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                // another writer changed the provider since our read: wait, then read again
                var wait = TimeSpan.FromTicks((long)(backoff.Ticks * (0.5 + Random.Shared.NextDouble() / 2)));
                if (clock.Elapsed + wait >= ConflictDeadline) throw new TraitConflictException(provider, attempt, clock.Elapsed, ex);
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private static ProviderTraits ReadTraits(JsonElement? body)
    {
        var traits = Json.Array(body, "traits", "provider traits").EnumerateArray()
            .Select(t => t.ValueKind == JsonValueKind.String ? t.GetString()! : throw new OpenStackException("Unexpected provider traits: a trait is not a string."))
            .ToHashSet(StringComparer.Ordinal);
        return new ProviderTraits(traits, Json.Int64(body, "resource_provider_generation", "provider traits"));
    }

    private static ResourceProvider ReadProvider(JsonElement e) => new(
        Json.Guid(e, "uuid", "resource provider"), Json.String(e, "name", "resource provider"),
        Json.Int64(e, "generation", "resource provider"), Json.OptionalGuid(e, "parent_provider_uuid"), Json.OptionalGuid(e, "root_provider_uuid"));
}
