using System.Collections.Concurrent;
using TrustedCompute.Attestation;
using TrustedCompute.Fleet;
using TrustedCompute.Store;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Fleet;

/// <summary>Two sweeps feeding on claims in one real SQLite store: each host attested once, the rest seen as done elsewhere.</summary>
public sealed class ClaimedSweepTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tc-claims-" + Guid.NewGuid().ToString("N")[..10]);

    private static readonly SweepOptions Options = new()
    {
        ThrottleLimit = 3, Timeout = TimeSpan.FromSeconds(10), Retries = 0,
        Selection = [PcrSelection.Create(TpmAlgId.Sha256, [0])],
    };

    /// <summary>Judges nothing, counts how often each host was judged, and answers after a short wait.</summary>
    private sealed class CountingJudge(ConcurrentDictionary<string, int> judged) : IHostJudge
    {
        public AttestationResult Judge(SweepTarget target, AttestationEvidence evidence, EvidenceRequest request) =>
            throw new InvalidOperationException("not reached");

        public AttestationResult NotCollected(SweepTarget target, AttestationReason reason)
        {
            judged.AddOrUpdate(target.Name, 1, (_, n) => n + 1);
            return new AttestationResult { HostName = target.Name, Verdict = AttestationVerdict.Unknown, Reasons = [reason] };
        }
    }

    private static ScriptedSource SlowFailing() => new((t, _) =>
    {
        Thread.Sleep(30);
        throw new EvidenceCollectionException(FleetReasonIds.Tpm, $"{t.Name}: no TPM");
    });

    [Fact]
    public async Task Two_sweeps_at_once_attest_every_host_exactly_once_and_each_sees_the_others_hosts_as_done()
    {
        string path = "sqlite:" + Path.Combine(_folder, "store.db");
        var targets = Enumerable.Range(0, 40).Select(i => new SweepTarget($"host{i:00}")).ToList();
        var judged = new ConcurrentDictionary<string, int>();
        var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            using var store = AttestationStoreFactory.Open(path);
            var record = store.StartSweep("node", Options.HostLease, exclusive: false);
            using var sweep = new FleetSweep(SlowFailing(), () => new CountingJudge(judged), Options);
            var own = new List<string>();
            var elsewhere = new List<string>();
            new ClaimedSweep(sweep, store, record, Options.ThrottleLimit).Run(targets, o => own.Add(o.Target.Name),
                t => elsewhere.Add(t.Name), CancellationToken.None);
            return (Own: own, Elsewhere: elsewhere, record.RoundStart);
        })).ToArray();
        var done = await Task.WhenAll(runs);

        Assert.Equal(targets.Select(t => t.Name), judged.Keys.Order());
        Assert.All(judged.Values, n => Assert.Equal(1, n));
        var (a, b) = (done[0], done[1]);
        Assert.Equal(a.RoundStart, b.RoundStart);
        Assert.Equal(40, a.Own.Count + b.Own.Count);
        Assert.Equal(40, a.Own.Count + a.Elsewhere.Count);
        Assert.Equal(40, b.Own.Count + b.Elsewhere.Count);
        Assert.Empty(a.Own.Intersect(b.Own));
    }

    [Fact]
    public void A_stopped_sweep_gives_its_hosts_back_so_the_next_sweep_of_the_round_attests_them()
    {
        string path = "sqlite:" + Path.Combine(_folder, "stopped.db");
        var targets = Enumerable.Range(0, 6).Select(i => new SweepTarget($"host{i}")).ToList();
        var judged = new ConcurrentDictionary<string, int>();
        using var store = AttestationStoreFactory.Open(path);
        var first = store.StartSweep("node", Options.HostLease, exclusive: false);
        using var stop = new CancellationTokenSource();
        var hanging = new ScriptedSource((_, _) => { Thread.Sleep(Timeout.Infinite); throw new InvalidOperationException(); });
        using (var sweep = new FleetSweep(hanging, () => new CountingJudge(judged), Options, stop.Token))
        {
            stop.CancelAfter(TimeSpan.FromMilliseconds(300));
            new ClaimedSweep(sweep, store, first, Options.ThrottleLimit).Run(targets, _ => { }, _ => { }, stop.Token);
        }
        var second = store.StartSweep("node", Options.HostLease, exclusive: false);
        Assert.Equal(first.RoundStart, second.RoundStart); // the first never finished: the same round
        using var next = new FleetSweep(SlowFailing(), () => new CountingJudge(judged), Options);
        var elsewhere = new List<string>();
        new ClaimedSweep(next, store, second, Options.ThrottleLimit).Run(targets, _ => { }, t => elsewhere.Add(t.Name), CancellationToken.None);
        Assert.Empty(elsewhere);
        Assert.Equal(6, judged.Count);
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
