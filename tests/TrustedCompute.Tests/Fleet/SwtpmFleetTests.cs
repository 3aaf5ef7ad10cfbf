using System.Diagnostics;
using System.Security.Cryptography;
using TrustedCompute.Attestation;
using TrustedCompute.Fleet;
using TrustedCompute.Store;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Fleet;

/// <summary>Six swtpm simulators, each with an ECC AK, enrolled in a real SQLite store.</summary>
public sealed class SwtpmFleetFixture : IDisposable
{
    public const uint AkHandle = 0x81010050;
    public const int Size = 6;
    public static readonly PcrSelection[] Selection = [PcrSelection.Create(TpmAlgId.Sha256, [0, 1, 2, 3, 4, 5, 6, 7])];
    private readonly string _dir = Directory.CreateTempSubdirectory("tc-fleet-").FullName;

    public SwtpmFleetFixture()
    {
        if (!File.Exists("/usr/bin/swtpm")) { Unavailable = "swtpm is not installed"; return; }
        for (int i = 0; i < Size; i++)
        {
            string state = Path.Combine(_dir, $"tpm{i}");
            var values = SwtpmFixture.Run(TestPaths.EnvScript("swtpm.sh"), "start", state).Split('\n')
                .Where(l => l.Contains('=')).Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
            Hosts.Add(($"host{i}", int.Parse(values["PORT"]), int.Parse(values["PID"]), state));
        }
        StorePath = Path.Combine(_dir, "store.db");
        using var store = AttestationStoreFactory.Open(StorePath);
        foreach (var (name, port, _, _) in Hosts)
        {
            using var tpm = TpmClient.Open($"swtpm:host=127.0.0.1,port={port}");
            try { TpmOperations.RemoveAttestationKey(tpm, AkHandle); } catch (TpmException) { }
            var ak = TpmOperations.CreateAttestationKey(tpm, AttestationKeyType.EcDsa, AkHandle);
            var evidence = EvidenceCollector.Collect(tpm, AkHandle, RandomNumberGenerator.GetBytes(32), Selection, null, name);
            Golden ??= AttestationPolicy.FromEvidence(evidence, name: "golden");
            store.AddHost(new EnrolledHost
            {
                Name = name, AttestationKeyPublic = ak.Public.ToTpm2BPublic(),
                AttestationKeyName = Convert.ToHexStringLower(ak.Public.Name()),
                EndorsementKeyPublic = evidence.EndorsementKeyPublic, EnrolledAt = DateTime.UtcNow,
            });
        }
    }

    public string? Unavailable { get; }
    public List<(string Name, int Port, int Pid, string State)> Hosts { get; } = [];
    public string StorePath { get; } = "";
    public AttestationPolicy? Golden { get; private set; }

    public IEnumerable<SweepTarget> Targets => Hosts.Select(h => new SweepTarget(h.Name) { Port = h.Port });

    public static void Signal(int pid, string signal) => SwtpmFixture.Run("kill", $"-{signal}", pid.ToString());

    public void Dispose()
    {
        foreach (var host in Hosts)
        {
            try { Signal(host.Pid, "CONT"); } catch (InvalidOperationException) { }
            try { SwtpmFixture.Run(TestPaths.EnvScript("swtpm.sh"), "stop", host.State); }
            catch (InvalidOperationException) { }
        }
        Directory.Delete(_dir, true);
    }
}

/// <summary>Sweeps of real simulators judged against a real registry: faults become the right Unknown reasons.</summary>
public sealed class SwtpmFleetTests(SwtpmFleetFixture fleet) : IClassFixture<SwtpmFleetFixture>
{
    private SweepOptions Options(double timeoutSec = 10) => new()
    {
        ThrottleLimit = 3, Timeout = TimeSpan.FromSeconds(timeoutSec), Retries = 1,
        RetryDelay = TimeSpan.FromMilliseconds(100), Selection = SwtpmFleetFixture.Selection,
    };

    [SkippableFact]
    public void A_frozen_and_a_dead_tpm_are_unknown_with_their_reasons_the_rest_trusted_and_everything_recorded()
    {
        Skip.If(fleet.Unavailable is not null, fleet.Unavailable);
        var frozen = fleet.Hosts[1];
        var dead = fleet.Hosts[4];
        using var store = AttestationStoreFactory.Open(fleet.StorePath);
        var before = store.GetResults(new ResultQuery()).Count;
        SwtpmFleetFixture.Signal(frozen.Pid, "STOP");
        string deadState = dead.State;
        File.Move(Path.Combine(deadState, "swtpm.pid"), Path.Combine(deadState, "swtpm.pid.stopped"));
        SwtpmFleetFixture.Signal(dead.Pid, "TERM");
        try
        {
            using var sweep = new FleetSweep(new SwtpmEvidenceSource(SwtpmFleetFixture.AkHandle),
                () => new RegistryJudge(store, fleet.Golden), Options(timeoutSec: 1.5));
            foreach (var t in fleet.Targets) sweep.Add(t);
            sweep.Complete();
            var outcomes = sweep.TakeAll().ToDictionary(o => o.Target.Name, o => o);

            Assert.Equal(SwtpmFleetFixture.Size, outcomes.Count);
            Assert.Equal(FleetReasonIds.Timeout, outcomes[frozen.Name].Result.Reasons.Single().Id);
            Assert.Equal(2, outcomes[frozen.Name].Attempts);
            Assert.Equal(FleetReasonIds.Tpm, outcomes[dead.Name].Result.Reasons.Single().Id);
            var healthy = outcomes.Values.Where(o => o.Target.Name != frozen.Name && o.Target.Name != dead.Name).ToList();
            Assert.Equal(4, healthy.Count);
            Assert.All(healthy, o => Assert.True(o.Result.Verdict == AttestationVerdict.Trusted,
                string.Join("; ", o.Result.Reasons.Select(r => r.ToString()))));
            var recorded = store.GetResults(new ResultQuery());
            Assert.Equal(before + SwtpmFleetFixture.Size, recorded.Count);
            Assert.Equal(AttestationVerdict.Unknown, store.GetLatestResults([frozen.Name])[frozen.Name].Verdict);

            // thawed, its first verified quote is Trusted: a failure to collect says nothing about the TPM's counters
            SwtpmFleetFixture.Signal(frozen.Pid, "CONT");
            using var again = new FleetSweep(new SwtpmEvidenceSource(SwtpmFleetFixture.AkHandle),
                () => new RegistryJudge(store, fleet.Golden), Options());
            again.Add(fleet.Targets.Single(t => t.Name == frozen.Name));
            again.Complete();
            var thawed = Assert.Single(again.TakeAll());
            Assert.True(thawed.Result.Verdict == AttestationVerdict.Trusted,
                string.Join("; ", thawed.Result.Reasons.Select(r => r.ToString())));
        }
        finally
        {
            SwtpmFleetFixture.Signal(frozen.Pid, "CONT");
            // the dead simulator is not restarted: later tests in this class use the others only
        }
    }

    [SkippableFact]
    public void A_host_that_answers_with_another_hosts_tpm_is_untrusted_not_hidden_by_the_sweep()
    {
        Skip.If(fleet.Unavailable is not null, fleet.Unavailable);
        // a store of its own, so that this host's Untrusted result does not become the others' previous result
        using var shared = AttestationStoreFactory.Open(fleet.StorePath);
        using var store = AttestationStoreFactory.Open(Path.Combine(Path.GetDirectoryName(fleet.StorePath)!, "own.db"));
        var a = fleet.Hosts[0];
        var b = fleet.Hosts[2];
        store.AddHost(shared.GetHost(a.Name)!);
        store.AddHost(shared.GetHost(b.Name)!);
        using var sweep = new FleetSweep(new SwtpmEvidenceSource(SwtpmFleetFixture.AkHandle),
            () => new RegistryJudge(store, fleet.Golden), Options());
        // host0's connection leads to host2's TPM: the quote is genuine, but not by host0's enrolled key
        sweep.Add(new SweepTarget(a.Name) { Port = b.Port });
        sweep.Complete();
        var outcome = Assert.Single(sweep.TakeAll());
        Assert.Equal(AttestationVerdict.Untrusted, outcome.Result.Verdict);
        Assert.Contains(outcome.Result.Reasons, r => r.Id == ReasonIds.EnrollmentMismatch);
    }

    [SkippableFact]
    public void Concurrent_hosts_overlap_a_sweep_takes_less_than_the_serial_sum()
    {
        Skip.If(fleet.Unavailable is not null, fleet.Unavailable);
        var healthy = fleet.Targets.Where(t => t.Name is "host0" or "host2" or "host3" or "host5").ToList();
        var source = new SwtpmEvidenceSource(SwtpmFleetFixture.AkHandle);
        using var store = AttestationStoreFactory.Open(fleet.StorePath);
        using var sweep = new FleetSweep(source, () => new RegistryJudge(store, fleet.Golden), Options());
        foreach (var t in healthy) sweep.Add(t);
        sweep.Complete();
        var outcomes = sweep.TakeAll().ToList();
        Assert.Equal(4, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(AttestationVerdict.Trusted, o.Result.Verdict));
        Assert.InRange(sweep.MaxInFlight, 1, 3);
    }
}
