using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;

namespace TrustedCompute.Benchmarks;

/// <summary>
/// Parse + replay + digest check of the GCE log against its hash floor (the baseline): only the hashes no correct
/// verifier can skip, with the same .NET primitive on inputs sliced beforehand: per digest-checked event and bank, one
/// hash of the input the digest covers, and per extended event and replayed bank, one extend. Both sides hash with a
/// reused IncrementalHash per bank (faster than the static HashData here, which sets up a context per call). The goal:
/// at most 1.5x the floor.
/// </summary>
[MemoryDiagnoser]
public class EventLogBenchmarks
{
    private const string LogName = "event-gce-ubuntu-2104-log.bin";
    private byte[] _log = [];
    private (TpmAlgId Bank, byte[] Input)[] _checks = [];
    private (TpmAlgId Bank, int Size, byte[] Digest)[] _extends = [];
    private readonly Dictionary<TpmAlgId, IncrementalHash> _hashes = [];

    [GlobalSetup]
    public void Setup()
    {
        string folder = Environment.GetEnvironmentVariable("TRUSTEDCOMPUTE_EVENTLOGS") ?? FindShared();
        _log = File.ReadAllBytes(Path.Combine(folder, LogName));
        var log = TcgEventLog.Parse(_log);
        (_checks, _extends) = HashFloor(log);
        foreach (var bank in log.Banks) _hashes[bank] = IncrementalHash.CreateHash(TpmHash.DotNetName(bank));
        Console.WriteLine($"// event log: {LogName}, {_log.Length} bytes, {log.Events.Count} events, banks "
            + $"{string.Join(",", log.Banks.Select(PcrBanks.Name))}; floor: {_checks.Length} digest-check hashes "
            + $"({_checks.Sum(c => (long)c.Input.Length)} bytes), {_extends.Length} extends");
    }

    /// <summary>Per checked event and bank the input its digest covers (the data when none does), and every extend.</summary>
    internal static ((TpmAlgId, byte[])[] Checks, (TpmAlgId, int, byte[])[] Extends) HashFloor(TcgEventLog log)
    {
        var checks = new List<(TpmAlgId, byte[])>();
        var extends = new List<(TpmAlgId, int, byte[])>();
        foreach (var e in log.Events)
        {
            if (DigestChecker.TryGetForm(e, out _, out var inputs))
            {
                foreach (var d in e.Digests.Where(d => PcrBanks.IsSupported(d.Algorithm)))
                {
                    var covered = inputs.Select(i => i.ToArray())
                        .FirstOrDefault(i => PcrBanks.Hash(d.Algorithm, i).AsSpan().SequenceEqual(d.Digest));
                    checks.Add((d.Algorithm, covered ?? e.Data));
                }
            }
            if (!e.IsExtended) continue;
            foreach (var d in e.Digests.Where(d => PcrBanks.IsSupported(d.Algorithm)))
                extends.Add((d.Algorithm, d.Digest.Length, new byte[2 * d.Digest.Length]));
        }
        return ([.. checks], [.. extends]);
    }

    [Benchmark(Baseline = true)]
    public int HashFloor()
    {
        Span<byte> hash = stackalloc byte[64];
        int total = 0;
        foreach (var (bank, input) in _checks)
        {
            var h = _hashes[bank];
            h.AppendData(input);
            total += h.GetHashAndReset(hash);
        }
        foreach (var (bank, size, pcrAndDigest) in _extends)
        {
            var h = _hashes[bank];
            h.AppendData(pcrAndDigest);
            total += h.GetHashAndReset(pcrAndDigest.AsSpan(0, size));
        }
        return total;
    }

    [Benchmark]
    public int ParseReplayDigestCheck()
    {
        var log = TcgEventLog.Parse(_log);
        var replay = log.Replay();
        return replay.Pcrs.Count + log.DigestMismatches.Count;
    }

    private static string FindShared()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "..", "shared", "testdata", "eventlogs", "tpm2-tools");
            if (File.Exists(Path.Combine(dir.FullName, "TrustedCompute.sln")) && Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        throw new DirectoryNotFoundException("../shared/testdata/eventlogs/tpm2-tools not found; set TRUSTEDCOMPUTE_EVENTLOGS");
    }
}
