namespace TrustedCompute.Store;

/// <summary>What a sweep may do with one host it wants to attest.</summary>
public enum HostClaim
{
    /// <summary>This sweep holds the host until it releases it or its lease runs out.</summary>
    Claimed,
    /// <summary>Another live sweep is attesting the host now; ask again later.</summary>
    Busy,
    /// <summary>The host was attested in this round already (by this sweep or another one).</summary>
    Done,
}

/// <summary>
/// One sweep of a store, as recorded there. Sweeps running at the same time share a round: a host attested since the
/// round started is not attested again, so several admin nodes sweeping one fleet attest each host once.
/// </summary>
public sealed record SweepRecord
{
    public required string Id { get; init; }
    /// <summary>The admin node and process that ran it (machine:pid).</summary>
    public required string Node { get; init; }
    public DateTime StartedAt { get; init; }
    /// <summary>The start of the round this sweep joined (its own start when no other sweep was running).</summary>
    public DateTime RoundStart { get; init; }
    /// <summary>How long a claim of this sweep holds a host, and how long the sweep counts as running without news.</summary>
    public TimeSpan Lease { get; init; }
    /// <summary>The sweep holds the store alone (a lock): leases of dead sweeps do not hold it up, and it joins no round.</summary>
    public bool Exclusive { get; init; }
    public DateTime? FinishedAt { get; init; }
    public int Hosts { get; init; }
    public int Trusted { get; init; }
    public int Untrusted { get; init; }
    public int Unknown { get; init; }
    /// <summary>Hosts another sweep of the round attested.</summary>
    public int Elsewhere { get; init; }

    internal long RoundStartTicks => RoundStart.Ticks;

    public override string ToString() => $"sweep {Id} on {Node}";
}

/// <summary>The counts a finished sweep records.</summary>
public sealed record SweepTally(int Hosts, int Trusted, int Untrusted, int Unknown, int Elsewhere);
