namespace TrustedCompute.OpenStack;

/// <summary>
/// One attestation outcome as Sync-TrustedPool takes it: any object with HostName, Verdict and Time binds to it.
/// Only a Verdict of exactly "Trusted" with a fresh Time keeps or adds a host to the pool.
/// </summary>
public sealed record TrustedPoolMember(string HostName, string? Verdict, DateTimeOffset? Time);

public enum TrustedPoolAction
{
    None,
    Add,
    Remove,
}

/// <summary>Why a host is, or is not, in the pool.</summary>
public enum TrustedPoolReason
{
    Trusted,
    Untrusted,
    Unknown,
    Stale,
    NoTime,
    FutureTime,
    Absent,
    NoProvider,
}

public enum TrustedPoolStatus
{
    Changed,
    Unchanged,
    Skipped,
}

/// <summary>What the sync means to do for one host.</summary>
public sealed record TrustedPoolPlan(string HostName, ResourceProvider? Provider, string Trait, string? Verdict, DateTimeOffset? Time,
    TrustedPoolReason Reason, TrustedPoolAction Action, bool InPool = false)
{
    /// <summary>Whether the host belongs in the pool by its verdict and age.</summary>
    public bool Trusted => Reason == TrustedPoolReason.Trusted;
}

/// <summary>The change record for one host.</summary>
public sealed record TrustedPoolChange(string HostName, string? ProviderName, Guid? ProviderUuid, string Trait, string? Verdict,
    DateTimeOffset? Time, TrustedPoolReason Reason, TrustedPoolAction Action, TrustedPoolStatus Status, int Attempts);

/// <summary>The result for one host of a sync: its change record, or the error that stopped it.</summary>
public sealed record TrustedPoolOutcome(TrustedPoolPlan Plan, TrustedPoolChange? Change, Exception? Error);

/// <summary>Totals of one sync; <see cref="FailedRemovals"/> names the hosts that may still carry the trait.</summary>
public sealed record TrustedPoolSummary(string Trait, int Hosts, int Added, int Removed, int Unchanged, int Skipped, int Failed,
    IReadOnlyList<string> FailedRemovals)
{
    public static TrustedPoolSummary Of(string trait, IReadOnlyCollection<TrustedPoolOutcome> outcomes) => new(trait, outcomes.Count,
        outcomes.Count(o => o.Change is { Status: TrustedPoolStatus.Changed, Action: TrustedPoolAction.Add }),
        outcomes.Count(o => o.Change is { Status: TrustedPoolStatus.Changed, Action: TrustedPoolAction.Remove }),
        outcomes.Count(o => o.Change is { Status: TrustedPoolStatus.Unchanged }),
        outcomes.Count(o => o.Change is { Status: TrustedPoolStatus.Skipped }),
        outcomes.Count(o => o.Error is not null),
        [.. outcomes.Where(o => o.Error is not null && o.Plan.Action == TrustedPoolAction.Remove).Select(o => o.Plan.HostName)]);
}

/// <summary>
/// How much of the pool a plan takes away. A mass removal (every host, or more than the allowed share) is far more
/// often a broken pipeline (an empty file, a failed query) than a fleet that failed attestation at once.
/// </summary>
public sealed record TrustedPoolRemovalCheck(int PoolSize, int Removals, double MaxRemovalPercent)
{
    public double RemovalPercent => PoolSize == 0 ? 0 : 100.0 * Removals / PoolSize;

    public bool RemovesAll => Removals > 0 && Removals == PoolSize;

    /// <summary>True when the plan removes every host of the pool or more than the allowed share of it.</summary>
    public bool IsMassRemoval => RemovesAll || RemovalPercent > MaxRemovalPercent;

    public static TrustedPoolRemovalCheck Of(IReadOnlyCollection<TrustedPoolPlan> plans, double maxRemovalPercent) =>
        new(plans.Count(p => p.InPool), plans.Count(p => p.Action == TrustedPoolAction.Remove), maxRemovalPercent);

    public override string ToString() =>
        $"{Removals} of the {PoolSize} hosts in the pool ({RemovalPercent:0.#}%, limit {MaxRemovalPercent:0.#}%)";
}

/// <summary>A host in the trusted pool: a provider that carries the trait.</summary>
public sealed record TrustedPoolHost(string HostName, Guid ProviderUuid, long Generation, string Trait);

/// <summary>
/// Keeps the trusted pool (the providers carrying one custom trait) in line with attestation results, fail-closed:
/// a host is added only for a fresh "Trusted" result; an Untrusted, Unknown, stale, undated or absent result removes
/// it. Only that one trait is ever added or removed; every other trait of a provider is left as it is.
/// </summary>
public sealed class TrustedPoolSynchronizer(PlacementClient placement)
{
    /// <summary>How far in the future a result's time may be (clock skew) before it counts as invalid.</summary>
    public static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(5);

    private bool _traitEnsured;

    /// <summary>Providers carrying <paramref name="trait"/> (Placement's GET /resource_providers?required=trait).</summary>
    public async Task<IReadOnlyList<TrustedPoolHost>> GetPoolAsync(string trait, CancellationToken cancellationToken = default)
    {
        if (!await placement.TraitExistsAsync(trait, cancellationToken).ConfigureAwait(false)) return [];
        var providers = await placement.ListProvidersAsync(requiredTrait: trait, cancellationToken: cancellationToken).ConfigureAwait(false);
        return providers.Select(p => new TrustedPoolHost(p.Name, p.Uuid, p.Generation, trait)).ToList();
    }

    /// <summary>The verdict rule alone: why this result does or does not qualify at <paramref name="now"/>.</summary>
    public static TrustedPoolReason Judge(string? verdict, DateTimeOffset? time, TimeSpan maxAge, DateTimeOffset now)
    {
        if (verdict != "Trusted") return verdict is "Untrusted" ? TrustedPoolReason.Untrusted : TrustedPoolReason.Unknown;
        if (time is null) return TrustedPoolReason.NoTime;
        if (time > now + AllowedClockSkew) return TrustedPoolReason.FutureTime;
        return now - time > maxAge ? TrustedPoolReason.Stale : TrustedPoolReason.Trusted;
    }

    /// <summary>
    /// Plans the sync: maps each host to its compute-node provider (root provider of that name; else, when one of the
    /// two names is unqualified, the one root provider whose short name matches), judges its latest result, and adds a
    /// removal for every provider that carries the trait but has no result.
    /// </summary>
    public async Task<IReadOnlyList<TrustedPoolPlan>> PlanAsync(IEnumerable<TrustedPoolMember> members, string trait, TimeSpan maxAge,
        DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (!PlacementClient.IsValidTrait(trait, customOnly: true))
            throw new ArgumentException($"'{trait}' is not a custom trait (CUSTOM_ followed by A-Z, 0-9 and _): the pool is only kept with traits this module creates.", nameof(trait));
        var given = members.Where(m => !string.IsNullOrWhiteSpace(m.HostName)).ToList();
        // no results at all is never a reason to empty the pool: it is what a broken pipeline gives
        if (given.Count == 0) return [];
        var providers = await placement.ListProvidersAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var roots = providers.Where(p => p.IsRoot).ToList();
        var inPool = (await GetPoolAsync(trait, cancellationToken).ConfigureAwait(false)).Select(h => h.ProviderUuid).ToHashSet();

        var plans = new List<TrustedPoolPlan>();
        var seen = new HashSet<Guid>();
        var mapped = given.Select(m => (Member: m, Provider: MapHost(m.HostName.Trim(), roots)))
            .ToList();
        foreach (var unmapped in mapped.Where(x => x.Provider is null).GroupBy(x => x.Member.HostName.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            var latest = Latest(unmapped.Select(x => x.Member));
            plans.Add(new TrustedPoolPlan(unmapped.Key, null, trait, latest.Verdict, latest.Time, TrustedPoolReason.NoProvider, TrustedPoolAction.None));
        }
        // several names (short and full) of one host count as one host: its latest result decides
        foreach (var group in mapped.Where(x => x.Provider is not null).GroupBy(x => x.Provider!.Uuid))
        {
            var provider = group.First().Provider!;
            var latest = Latest(group.Select(x => x.Member));
            var reason = Judge(latest.Verdict, latest.Time, maxAge, now);
            bool member = inPool.Contains(provider.Uuid);
            var action = reason == TrustedPoolReason.Trusted
                ? member ? TrustedPoolAction.None : TrustedPoolAction.Add
                : member ? TrustedPoolAction.Remove : TrustedPoolAction.None;
            seen.Add(provider.Uuid);
            plans.Add(new TrustedPoolPlan(latest.HostName.Trim(), provider, trait, latest.Verdict, latest.Time, reason, action, member));
        }
        // every other provider carrying the trait, nested ones too (a trait anywhere in the tree satisfies a flavor)
        foreach (var provider in providers.Where(p => inPool.Contains(p.Uuid) && !seen.Contains(p.Uuid)))
            plans.Add(new TrustedPoolPlan(provider.Name, provider, trait, null, null, TrustedPoolReason.Absent, TrustedPoolAction.Remove, true));
        // removals first (stable otherwise): a sync stopped part-way (authentication, Ctrl+C, "No to All") has then
        // taken trust away before it gave any
        return [.. plans.OrderBy(p => p.Action == TrustedPoolAction.Remove ? 0 : 1)];
    }

    /// <summary>
    /// Carries out one plan: adds or removes the trait with a fresh read of the provider's traits (retrying on 409).
    /// Creates the custom trait first when adding. The trait's presence is re-checked at write time, so a plan made
    /// before another sync ran still ends with the right trait set.
    /// </summary>
    public async Task<TrustedPoolChange> ApplyAsync(TrustedPoolPlan plan, CancellationToken cancellationToken = default)
    {
        if (plan.Provider is null) throw new KeyNotFoundException($"No compute-node resource provider matches host '{plan.HostName}'.");
        if (plan.Action == TrustedPoolAction.None) return Record(plan, TrustedPoolStatus.Unchanged, 0);
        if (plan.Action == TrustedPoolAction.Add && !_traitEnsured)
        {
            await placement.EnsureTraitAsync(plan.Trait, cancellationToken).ConfigureAwait(false);
            _traitEnsured = true;
        }
        var update = await placement.UpdateTraitsAsync(plan.Provider.Uuid, traits =>
        {
            var next = new HashSet<string>(traits, StringComparer.Ordinal);
            if (plan.Action == TrustedPoolAction.Add) next.Add(plan.Trait);
            else next.Remove(plan.Trait);
            return next;
        }, cancellationToken).ConfigureAwait(false);
        return Record(plan, update.Changed ? TrustedPoolStatus.Changed : TrustedPoolStatus.Unchanged, update.Attempts);
    }

    /// <summary>
    /// Carries out the plans one host at a time, on the caller's thread: <paramref name="confirm"/> is asked before
    /// each change (ShouldProcess), and a failure of one host (a 404, a 500, a dropped connection, a malformed answer)
    /// becomes that host's outcome while the others go on. Authentication failures and cancellation stop the sync.
    /// </summary>
    public IEnumerable<TrustedPoolOutcome> Apply(IEnumerable<TrustedPoolPlan> plans, Func<TrustedPoolPlan, bool> confirm,
        CancellationToken cancellationToken = default)
    {
        foreach (var plan in plans)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (plan.Provider is null)
            {
                yield return new(plan, null, new KeyNotFoundException($"No compute-node resource provider matches host '{plan.HostName}'."));
                continue;
            }
            if (plan.Action != TrustedPoolAction.None && !confirm(plan))
            {
                yield return new(plan, Record(plan, TrustedPoolStatus.Skipped, 0), null);
                continue;
            }
            TrustedPoolOutcome outcome;
            try
            {
                outcome = new(plan, ApplyAsync(plan, cancellationToken).GetAwaiter().GetResult(), null);
            }
            catch (OpenStackException ex) when (ex is not OpenStackAuthenticationException)
            {
                outcome = new(plan, null, ex);
            }
            yield return outcome;
        }
    }

    /// <summary>The record for a plan that was not carried out (declined by -WhatIf or -Confirm).</summary>
    public static TrustedPoolChange Record(TrustedPoolPlan plan, TrustedPoolStatus status, int attempts) =>
        new(plan.HostName, plan.Provider?.Name, plan.Provider?.Uuid, plan.Trait, plan.Verdict, plan.Time, plan.Reason, plan.Action, status, attempts);

    /// <summary>
    /// The latest result; an undated result counts as the newest (its age is unknown, so it must not be outvoted by a
    /// dated Trusted one), and at equal times a non-Trusted one wins.
    /// </summary>
    private static TrustedPoolMember Latest(IEnumerable<TrustedPoolMember> results) =>
        results.OrderBy(m => m.Time ?? DateTimeOffset.MaxValue).ThenBy(m => m.Verdict == "Trusted" ? 0 : 1).Last();

    private static ResourceProvider? MapHost(string host, IReadOnlyList<ResourceProvider> roots)
    {
        var exact = roots.FirstOrDefault(p => string.Equals(p.Name, host, StringComparison.OrdinalIgnoreCase));
        if (exact is not null) return exact;
        static string Short(string name) => name.Split('.', 2)[0];
        // a short name stands for any of its FQDNs, but two different FQDNs are two different hosts
        bool hostIsShort = !host.Contains('.', StringComparison.Ordinal);
        var bare = roots.Where(p => (hostIsShort || !p.Name.Contains('.', StringComparison.Ordinal))
                                    && string.Equals(Short(p.Name), Short(host), StringComparison.OrdinalIgnoreCase)).ToList();
        return bare.Count == 1 ? bare[0] : null;
    }
}
