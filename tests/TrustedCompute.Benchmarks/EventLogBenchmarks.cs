using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using TrustedCompute.EventLog;

namespace TrustedCompute.Benchmarks;

/// <summary>
/// Parse + replay + digest check of the largest shared event log, against one SHA-256 pass over the same bytes
/// (the baseline). The bar: at most 2x the baseline.
/// </summary>
[MemoryDiagnoser]
public class EventLogBenchmarks
{
    private byte[] _log = [];

    [GlobalSetup]
    public void Setup()
    {
        string folder = Environment.GetEnvironmentVariable("TRUSTEDCOMPUTE_EVENTLOGS") ?? FindShared();
        string largest = Directory.GetFiles(folder, "*.bin").OrderByDescending(f => new FileInfo(f).Length).First();
        _log = File.ReadAllBytes(largest);
        Console.WriteLine($"// event log: {Path.GetFileName(largest)}, {_log.Length} bytes");
    }

    [Benchmark(Baseline = true)]
    public byte[] Sha256OfLog() => SHA256.HashData(_log);

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
