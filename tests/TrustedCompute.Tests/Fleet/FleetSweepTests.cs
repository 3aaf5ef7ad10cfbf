using System.Diagnostics;
using TrustedCompute.Attestation;
using TrustedCompute.Fleet;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Fleet;

/// <summary>The engine's own promises with real processes: throttle, timeout, retries, cancellation, one outcome each.</summary>
public sealed class FleetSweepTests
{
    private static readonly PcrSelection[] Selection = [PcrSelection.Create(TpmAlgId.Sha256, [0])];

    private static SweepOptions Options(int throttle, double timeoutSec, int retries = 0) => new()
    {
        ThrottleLimit = throttle, Timeout = TimeSpan.FromSeconds(timeoutSec), Retries = retries,
        RetryDelay = TimeSpan.FromMilliseconds(50), Selection = Selection,
    };

    private static IHostJudge NoKey() => new KeyJudge(new VerificationOptions());

    private static bool Alive(int pid)
    {
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }

    [Fact]
    public void Throttle_is_never_exceeded_and_every_timed_out_host_is_unknown_with_the_timeout_reason()
    {
        var source = new SleepingProcessSource();
        using var sweep = new FleetSweep(source, NoKey, Options(throttle: 3, timeoutSec: 0.4));
        for (int i = 0; i < 9; i++) Assert.True(sweep.Add(new SweepTarget($"host{i}")));
        sweep.Complete();
        var clock = Stopwatch.StartNew();
        var outcomes = sweep.TakeAll().ToList();

        Assert.Equal(9, outcomes.Select(o => o.Target.Name).Distinct().Count());
        Assert.Equal(9, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(AttestationVerdict.Unknown, o.Result.Verdict));
        Assert.All(outcomes, o => Assert.Equal(FleetReasonIds.Timeout, Assert.Single(o.Result.Reasons).Id));
        Assert.Equal(3, sweep.MaxInFlight);
        Assert.Equal(3, source.MaxRunning);
        // each host got its 0.4 s and no more than its share; three at a time means at least three rounds
        Assert.All(outcomes, o => Assert.InRange(o.Elapsed.TotalSeconds, 0.39, 2.5));
        Assert.True(clock.Elapsed.TotalSeconds >= 1.15, $"9 hosts at 3 x 0.4 s took only {clock.Elapsed}");
        Assert.All(source.Pids, pid => Assert.False(Alive(pid), $"sleep {pid} was left running"));
    }

    [Fact]
    public void Stop_cancels_in_flight_hosts_within_two_seconds_and_every_queued_host_still_gets_one_outcome()
    {
        var source = new SleepingProcessSource();
        using var sweep = new FleetSweep(source, NoKey, Options(throttle: 4, timeoutSec: 60));
        for (int i = 0; i < 10; i++) sweep.Add(new SweepTarget($"host{i}"));
        SpinWait.SpinUntil(() => source.Pids.Count == 4, 10_000);
        var clock = Stopwatch.StartNew();
        sweep.Stop();
        var outcomes = sweep.TakeAll().ToList();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"stopping took {clock.Elapsed}");
        Assert.Equal(10, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(FleetReasonIds.Cancelled, Assert.Single(o.Result.Reasons).Id));
        Assert.Equal(4, outcomes.Count(o => o.Attempts == 1));
        Assert.Equal(4, source.Pids.Count);
        Assert.All(source.Pids, pid => Assert.False(Alive(pid), $"sleep {pid} was left running"));
        Assert.False(sweep.Add(new SweepTarget("late")));
    }

    [Fact]
    public void Transient_failures_are_retried_permanent_ones_are_not_and_a_throwing_source_stops_nothing()
    {
        var source = new ScriptedSource((target, attempt) => target.Name switch
        {
            "flaky" when attempt == 1 => throw new EvidenceCollectionException(FleetReasonIds.Unreachable, "cut", true),
            "flaky" => throw new EvidenceCollectionException(FleetReasonIds.Tpm, "then the TPM failed"),
            "down" => throw new EvidenceCollectionException(FleetReasonIds.Unreachable, "no route", true),
            "auth" => throw new EvidenceCollectionException(FleetReasonIds.Auth, "denied"),
            _ => throw new InvalidOperationException("a bug in the source"),
        });
        using var sweep = new FleetSweep(source, NoKey, Options(throttle: 2, timeoutSec: 5, retries: 2));
        foreach (var name in new[] { "flaky", "down", "auth", "buggy", "DOWN" }) sweep.Add(new SweepTarget(name));
        sweep.Complete();
        var outcomes = sweep.TakeAll().ToDictionary(o => o.Target.Name, o => o);

        Assert.Equal(4, outcomes.Count); // "DOWN" is the same host as "down"
        Assert.Equal(FleetReasonIds.Tpm, outcomes["flaky"].CollectFailure!.Id);
        Assert.Equal(2, source.Attempts("flaky"));
        Assert.Equal(3, source.Attempts("down"));
        Assert.Equal(FleetReasonIds.Unreachable, outcomes["down"].Result.Reasons.Single().Id);
        Assert.Equal(1, source.Attempts("auth"));
        Assert.Equal(FleetReasonIds.Failed, outcomes["buggy"].Result.Reasons.Single().Id);
        Assert.All(outcomes.Values, o => Assert.Equal(AttestationVerdict.Unknown, o.Result.Verdict));
    }

    [Fact]
    public void A_judge_that_throws_gives_an_unknown_outcome_not_a_lost_host()
    {
        var source = new ScriptedSource((_, _) => throw new EvidenceCollectionException(FleetReasonIds.Auth, "denied"));
        using var sweep = new FleetSweep(source, () => new ThrowingJudge(), Options(throttle: 2, timeoutSec: 5));
        for (int i = 0; i < 5; i++) sweep.Add(new SweepTarget($"h{i}"));
        sweep.Complete();
        var outcomes = sweep.TakeAll().ToList();
        Assert.Equal(5, outcomes.Count);
        Assert.All(outcomes, o => Assert.IsType<IOException>(o.JudgeError));
        Assert.All(outcomes, o => Assert.Equal(AttestationVerdict.Unknown, o.Result.Verdict));
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        var source = new ScriptedSource((_, _) => throw new InvalidOperationException());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FleetSweep(source, NoKey, Options(0, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FleetSweep(source, NoKey, Options(1, 0)));
        Assert.Throws<ArgumentException>(() => new FleetSweep(source, NoKey, Options(1, 1) with { Selection = [] }));
    }

    private sealed class ThrowingJudge : IHostJudge
    {
        public AttestationResult Judge(SweepTarget target, AttestationEvidence evidence, EvidenceRequest request) =>
            throw new IOException("store down");
        public AttestationResult NotCollected(SweepTarget target, AttestationReason reason) => throw new IOException("store down");
    }
}
