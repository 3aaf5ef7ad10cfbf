using TrustedCompute.Tpm;

namespace TrustedCompute.Fleet;

/// <summary>How a sweep runs: how many hosts at once, how long each may take, how often a failure is tried again.</summary>
public sealed record SweepOptions
{
    public const int DefaultThrottleLimit = 32;

    /// <summary>Hosts in flight at once (Invoke-Command's default is 32).</summary>
    public int ThrottleLimit { get; init; } = DefaultThrottleLimit;
    /// <summary>How long one attempt on one host may take, from connecting to the last byte of evidence.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How many times a transient failure (unreachable, timeout) is tried again.</summary>
    public int Retries { get; init; } = 1;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>The PCRs a host quotes unless its target names its own.</summary>
    public required IReadOnlyList<PcrSelection> Selection { get; init; }

    /// <summary>
    /// How long a claim on a host lasts: every attempt with its timeout and delay, and a margin. Past it, another sweep
    /// may take over the host (its sweep died).
    /// </summary>
    public TimeSpan HostLease => (Timeout + RetryDelay) * (Retries + 1) + TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if (ThrottleLimit is < 1 or > 1024) throw new ArgumentOutOfRangeException(nameof(ThrottleLimit), "1 to 1024");
        if (Timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Timeout), "must be positive");
        if (Retries is < 0 or > 10) throw new ArgumentOutOfRangeException(nameof(Retries), "0 to 10");
        if (RetryDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RetryDelay), "must not be negative");
        if (Selection.Count == 0) throw new ArgumentException("At least one PCR selection", nameof(Selection));
    }
}

/// <summary>What became of one host: its result (Unknown with the reason when nothing was collected) and how.</summary>
public sealed record SweepOutcome(SweepTarget Target, Attestation.AttestationResult Result)
{
    public int Attempts { get; init; }
    public TimeSpan Elapsed { get; init; }
    /// <summary>Why collection failed (the last attempt's reason); null when evidence was judged.</summary>
    public Attestation.AttestationReason? CollectFailure { get; init; }
    /// <summary>The judge's own failure (a store that could not be written), when there was one.</summary>
    public Exception? JudgeError { get; init; }
}
