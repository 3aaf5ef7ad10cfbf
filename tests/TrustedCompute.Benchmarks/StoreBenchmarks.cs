using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using TrustedCompute.Attestation;
using TrustedCompute.Store;

namespace TrustedCompute.Benchmarks;

public enum StoreBackend { Sqlite, Postgres }

/// <summary>In-process jobs: no boilerplate project to build (it outlasts the build timeout on a busy 2-core machine).</summary>
public static class StoreJobs
{
    public sealed class Write : ManualConfig
    {
        public Write() => AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1)
            .WithIterationCount(5).WithToolchain(InProcessEmitToolchain.Instance));
    }

    public sealed class Read : ManualConfig
    {
        public Read() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    }
}

/// <summary>A store of each kind for one benchmark process: a temporary SQLite file, or a private PostgreSQL server.</summary>
internal sealed class BenchmarkStore : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tc-bench-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly bool _postgres;

    public BenchmarkStore(StoreBackend backend)
    {
        _postgres = backend == StoreBackend.Postgres;
        string connectionString = _postgres ? StartPostgres() : "sqlite:" + Path.Combine(_folder, "bench.db");
        Store = AttestationStoreFactory.Open(connectionString);
    }

    public IAttestationStore Store { get; }

    public static List<AttestationResult> Results(string host, int count, DateTime start) =>
        Enumerable.Range(0, count).Select(i => new AttestationResult
        {
            HostName = host,
            ClaimedHostName = host,
            AttestationKeyName = "000b" + new string('a', 64),
            Verdict = i % 10 == 0 ? AttestationVerdict.Untrusted : AttestationVerdict.Trusted,
            Reasons = i % 10 == 0
                ? [new AttestationReason("pcr.mismatch", ReasonSeverity.Failure, "PCR 7 differs") { Pcr = 7, Bank = "sha256" }]
                : [new AttestationReason("tpm.reset", ReasonSeverity.Info, "rebooted")],
            Time = start.AddSeconds(i),
            EvidenceDigest = new string('d', 64),
            Clock = (ulong)i * 1000,
            ResetCount = 3,
            RestartCount = 0,
        }).ToList();

    private string StartPostgres()
    {
        string script = Path.Combine(RepositoryRoot(), "tests", "env", "postgres.sh");
        string output = Run(script, "start", _folder);
        string line = output.Split('\n').Single(l => l.StartsWith("TRUSTEDCOMPUTE_STORE=", StringComparison.Ordinal));
        return line["TRUSTEDCOMPUTE_STORE=".Length..];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TrustedCompute.sln"))) return dir.FullName;
        throw new InvalidOperationException("TrustedCompute.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} failed ({process.ExitCode}): {stderr}");
        return stdout;
    }

    public void Dispose()
    {
        Store.Dispose();
        if (_postgres)
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            Run(Path.Combine(RepositoryRoot(), "tests", "env", "postgres.sh"), "stop", _folder);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// Recording 10,000 results: in one AddResults transaction (the baseline) and one AddResult transaction each.
/// Goal: each at most 1 s. One invocation per iteration: every iteration writes 10,000 new rows.
/// </summary>
[Config(typeof(StoreJobs.Write))]
[MemoryDiagnoser]
public class StoreWriteBenchmarks
{
    private const int Count = 10_000;
    private BenchmarkStore _bench = null!;
    private List<AttestationResult> _results = [];
    private int _round;

    [Params(StoreBackend.Sqlite, StoreBackend.Postgres)]
    public StoreBackend Backend { get; set; }

    [GlobalSetup]
    public void Setup() => _bench = new BenchmarkStore(Backend);

    [IterationSetup]
    public void NewResults() => _results = BenchmarkStore.Results($"host{_round++}", Count, DateTime.UtcNow);

    [Benchmark(Baseline = true)]
    public void Record10000InOneBatch() => _bench.Store.AddResults(_results);

    [Benchmark]
    public void Record10000OneByOne()
    {
        foreach (var result in _results) _bench.Store.AddResult(result);
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();
}

/// <summary>Reading a host's last 100 of its 10,000 results (goal: at most 5 ms), against reading its last one.</summary>
[Config(typeof(StoreJobs.Read))]
[MemoryDiagnoser]
public class StoreReadBenchmarks
{
    private BenchmarkStore _bench = null!;

    [Params(StoreBackend.Sqlite, StoreBackend.Postgres)]
    public StoreBackend Backend { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _bench = new BenchmarkStore(Backend);
        var start = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        _bench.Store.AddResults(BenchmarkStore.Results("target", 10_000, start));
        _bench.Store.AddResults(BenchmarkStore.Results("neighbour", 10_000, start));
        if (_bench.Store.GetResults(new ResultQuery { HostName = "target", Last = 100 }).Count != 100)
            throw new InvalidOperationException("the benchmark store does not hold the target's results");
    }

    [Benchmark(Baseline = true)]
    public int ReadLastOne() => _bench.Store.GetResults(new ResultQuery { HostName = "target", Last = 1 }).Count;

    [Benchmark]
    public int ReadLast100Of10000() => _bench.Store.GetResults(new ResultQuery { HostName = "target", Last = 100 }).Count;

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();
}
