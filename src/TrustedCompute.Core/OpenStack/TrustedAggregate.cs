using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TrustedCompute.OpenStack;

/// <summary>A Nova host aggregate; its UUID is also the Placement aggregate of the same hosts.</summary>
public sealed record HostAggregate(int Id, string Name, Guid Uuid, IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string> Hosts);

/// <summary>The isolation aggregate after a sync, and what the sync changed.</summary>
public sealed record TrustedAggregate(string Name, int Id, Guid Uuid, string Trait, string? MetadataValue,
    IReadOnlyList<string> Members, IReadOnlyList<string> Added, IReadOnlyList<string> Removed, bool Created)
{
    /// <summary>True when the metadata isolates the aggregate: trait:&lt;TRAIT&gt;=required.</summary>
    public bool Isolated => MetadataValue == "required";
}

/// <summary>
/// Keeps untrusted workloads off trusted hosts (Nova's isolated aggregates,
/// <c>[scheduler] enable_isolated_aggregate_filtering</c>): a Nova aggregate whose metadata is
/// <c>trait:&lt;TRAIT&gt;=required</c>, and as Placement members exactly the providers of the trusted pool. Nova then
/// asks Placement for candidates outside the aggregate (<c>member_of=!in:</c>) for every flavor and image that does not
/// require the trait, and a flavor that requires it lands only on providers carrying it.
/// </summary>
public sealed class TrustedAggregateManager(OpenStackSession session)
{
    /// <summary>Aggregates with a uuid in the answer.</summary>
    public const string ComputeVersion = "compute 2.41";

    /// <summary>Provider aggregates written with the provider generation.</summary>
    public const string AggregatesVersion = "placement 1.19";

    public const string DefaultName = "trusted-hosts";

    private readonly PlacementClient _placement = new(session);

    public async Task<IReadOnlyList<HostAggregate>> ListAggregatesAsync(CancellationToken cancellationToken = default)
    {
        var response = await session.SendAsync("compute", HttpMethod.Get, "os-aggregates", null, ComputeVersion, cancellationToken)
            .ConfigureAwait(false);
        return Json.Array(response.Body, "aggregates", "aggregate list").EnumerateArray().Select(ReadAggregate).ToList();
    }

    public async Task<HostAggregate> CreateAggregateAsync(string name, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["aggregate"] = new JsonObject { ["name"] = name } };
        var response = await session.SendAsync("compute", HttpMethod.Post, "os-aggregates", body, ComputeVersion, cancellationToken)
            .ConfigureAwait(false);
        return ReadAggregate(Json.Object(response.Body, "aggregate", "aggregate"));
    }

    public async Task<HostAggregate> SetMetadataAsync(int id, IReadOnlyDictionary<string, string?> metadata,
        CancellationToken cancellationToken = default)
    {
        var map = new JsonObject();
        foreach (var (key, value) in metadata) map[key] = value;
        var body = new JsonObject { ["set_metadata"] = new JsonObject { ["metadata"] = map } };
        var response = await session.SendAsync("compute", HttpMethod.Post, $"os-aggregates/{id}/action", body, ComputeVersion,
            cancellationToken).ConfigureAwait(false);
        return ReadAggregate(Json.Object(response.Body, "aggregate", "aggregate"));
    }

    public async Task<bool> DeleteAggregateAsync(int id, CancellationToken cancellationToken = default)
    {
        var response = await session.SendAsync("compute", HttpMethod.Delete, $"os-aggregates/{id}", null, ComputeVersion,
            cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    /// <summary>Root and nested providers that are Placement members of the aggregate.</summary>
    public async Task<IReadOnlyList<ResourceProvider>> ListMembersAsync(Guid aggregate, CancellationToken cancellationToken = default) =>
        await _placement.ListProvidersAsync(memberOf: aggregate, cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Makes the aggregate (created when absent) isolating and its Placement members exactly the trusted pool:
    /// pool providers are added, every other member removed, each with the provider generation (409: read again and
    /// retry). <paramref name="confirm"/> is asked before each change, with a description of it.
    /// </summary>
    public Task<TrustedAggregate> SyncAsync(string name, string trait, Func<string, string, bool> confirm,
        CancellationToken cancellationToken = default) => Task.Run(() => Sync(name, trait, confirm, cancellationToken), cancellationToken);

    /// <summary>
    /// <see cref="SyncAsync"/> on the caller's thread: <paramref name="confirm"/> (ShouldProcess) is called there, and each
    /// HTTP call is waited for in turn.
    /// </summary>
    public TrustedAggregate Sync(string name, string trait, Func<string, string, bool> confirm, CancellationToken cancellationToken = default)
    {
        if (!PlacementClient.IsValidTrait(trait, customOnly: true))
            throw new ArgumentException($"'{trait}' is not a custom trait (CUSTOM_...).", nameof(trait));
        var versions = session.GetServiceVersionsAsync("placement", cancellationToken).GetAwaiter().GetResult();
        versions.Require(new Microversion(1, 19), "Writing provider aggregates");
        var aggregate = (ListAggregatesAsync(cancellationToken).GetAwaiter().GetResult()).FirstOrDefault(a => a.Name == name);
        bool created = false;
        if (aggregate is null)
        {
            if (!confirm($"aggregate {name}", "Create the Nova host aggregate"))
                return new TrustedAggregate(name, 0, Guid.Empty, trait, null, [], [], [], false);
            aggregate = CreateAggregateAsync(name, cancellationToken).GetAwaiter().GetResult();
            created = true;
        }
        string key = TrustedFlavorManager.TraitKey(trait);
        if (aggregate.Metadata.GetValueOrDefault(key) != "required" && confirm($"aggregate {name}", $"Set metadata {key}=required"))
            aggregate = SetMetadataAsync(aggregate.Id, new Dictionary<string, string?> { [key] = "required" }, cancellationToken)
                .GetAwaiter().GetResult();

        var pool = _placement.ListProvidersAsync(requiredTrait: trait, cancellationToken: cancellationToken).GetAwaiter().GetResult();
        var members = ListMembersAsync(aggregate.Uuid, cancellationToken).GetAwaiter().GetResult();
        var poolIds = pool.Select(p => p.Uuid).ToHashSet();
        var memberIds = members.Select(p => p.Uuid).ToHashSet();
        var added = new List<string>();
        var removed = new List<string>();
        // removals first: a host that left the pool must not keep the trusted hosts' isolation a moment longer
        foreach (var stale in members.Where(m => !poolIds.Contains(m.Uuid)))
        {
            if (!confirm($"{stale.Name} (provider {stale.Uuid})", $"Remove from the Placement aggregate of {name}")) continue;
            UpdateAggregatesAsync(stale.Uuid, a => a.Where(x => x != aggregate.Uuid).ToHashSet(), cancellationToken).GetAwaiter().GetResult();
            removed.Add(stale.Name);
        }
        foreach (var host in pool.Where(p => !memberIds.Contains(p.Uuid)))
        {
            if (!confirm($"{host.Name} (provider {host.Uuid})", $"Add to the Placement aggregate of {name}")) continue;
            UpdateAggregatesAsync(host.Uuid, a => a.Append(aggregate.Uuid).ToHashSet(), cancellationToken).GetAwaiter().GetResult();
            added.Add(host.Name);
        }
        var now = ListMembersAsync(aggregate.Uuid, cancellationToken).GetAwaiter().GetResult();
        return new TrustedAggregate(aggregate.Name, aggregate.Id, aggregate.Uuid, trait, aggregate.Metadata.GetValueOrDefault(key),
            [.. now.Select(p => p.Name).Order(StringComparer.Ordinal)], added, removed, created);
    }

    /// <summary>Read-modify-write of a provider's aggregates at its generation, retried on 409 like traits.</summary>
    public async Task UpdateAggregatesAsync(Guid provider, Func<IReadOnlyCollection<Guid>, IReadOnlySet<Guid>> change,
        CancellationToken cancellationToken = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var backoff = _placement.InitialBackoff;
        for (int attempt = 1; ; attempt++)
        {
            var read = await session.SendAsync("placement", HttpMethod.Get, $"resource_providers/{provider}/aggregates", null,
                AggregatesVersion, cancellationToken).ConfigureAwait(false);
            var current = Json.Array(read.Body, "aggregates", "provider aggregates").EnumerateArray()
                .Select(a => System.Guid.TryParse(a.GetString(), out var g) ? g
                    : throw new OpenStackException("Unexpected provider aggregates: an aggregate is not a UUID.")).ToList();
            long generation = Json.Int64(read.Body, "resource_provider_generation", "provider aggregates");
            var wanted = change(current);
            if (wanted.SetEquals(current)) return;
            var body = new JsonObject
            {
                ["aggregates"] = new JsonArray(wanted.Select(g => (JsonNode?)JsonValue.Create(g.ToString())).ToArray()),
                ["resource_provider_generation"] = generation,
            };
            try
            {
                await session.SendAsync("placement", HttpMethod.Put, $"resource_providers/{provider}/aggregates", body, AggregatesVersion,
                    cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (OpenStackException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                if (clock.Elapsed + backoff >= _placement.ConflictDeadline) throw new TraitConflictException(provider, attempt, clock.Elapsed, ex);
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _placement.MaxBackoff.Ticks));
            }
        }
    }

    private static HostAggregate ReadAggregate(JsonElement a)
    {
        var metadata = a.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object
            ? m.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : [];
        var hosts = a.TryGetProperty("hosts", out var h) && h.ValueKind == JsonValueKind.Array
            ? h.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList() : [];
        var id = Json.Property(a, "id", "aggregate", JsonValueKind.Number);
        return new HostAggregate(id.TryGetInt32(out int n) ? n : throw new OpenStackException("Unexpected aggregate: 'id' is not an integer."),
            Json.String(a, "name", "aggregate"), Json.Guid(a, "uuid", "aggregate"), metadata, hosts);
    }
}
