using System.Diagnostics;
using TrustedCompute.Attestation;
using TrustedCompute.Store;
using TrustedCompute.Tests.Env;
using Xunit;

namespace TrustedCompute.Tests.Store;

/// <summary>
/// Writer processes (tests/TrustedCompute.StoreProbe) on one store at once, and one killed with SIGKILL mid-write:
/// nothing lost, nothing doubled, the SQLite file intact.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StoreProcessTests(PostgresFixture server) : IDisposable
{
    private const int PerProcess = 2000;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tc-probe-" + Guid.NewGuid().ToString("N")[..12]);

    private static string ProbePath()
    {
        // bin/<Configuration>/net10.0 of this test assembly; the probe builds to the same layout.
        var binTfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = binTfm.Parent!.Name;
        string path = Path.Combine(TestPaths.RepositoryRoot, "tests", "TrustedCompute.StoreProbe", "bin", configuration,
            binTfm.Name, "TrustedCompute.StoreProbe.dll");
        Assert.True(File.Exists(path), $"The store probe is not built: {path}");
        return path;
    }

    private static Process StartProbe(string connectionString, string host, int count)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ProbePath());
        info.ArgumentList.Add(connectionString);
        info.ArgumentList.Add(host);
        info.ArgumentList.Add(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Process.Start(info)!;
    }

    private static List<int> Committed(IEnumerable<string> lines) =>
        lines.Where(l => l.StartsWith("COMMITTED ", StringComparison.Ordinal)).Select(l => int.Parse(l[10..])).ToList();

    private static void RunTwoWriters(string connectionString)
    {
        using var first = StartProbe(connectionString, "writer-a", PerProcess);
        using var second = StartProbe(connectionString, "writer-b", PerProcess);
        var outputs = new[] { first, second }.Select(p => (Process: p, Out: p.StandardOutput.ReadToEndAsync(),
            Err: p.StandardError.ReadToEndAsync())).ToList();
        foreach (var (process, output, error) in outputs)
        {
            Assert.True(process.WaitForExit(300_000), "a writer did not finish in 5 minutes");
            Assert.True(process.ExitCode == 0, $"writer exit code {process.ExitCode}: {error.Result}");
            Assert.Equal(PerProcess, Committed(output.Result.Split('\n')).Count);
        }

        using var store = AttestationStoreFactory.Open(connectionString);
        foreach (string host in new[] { "writer-a", "writer-b" })
        {
            var results = store.GetResults(new ResultQuery { HostName = host });
            var sequence = results.Select(r => int.Parse(r.Reasons.Single().Message)).ToList();
            Assert.Equal(PerProcess, sequence.Count);
            Assert.Equal(Enumerable.Range(0, PerProcess), sequence.Order());
            // Newest first is the reverse of the order written.
            Assert.Equal(Enumerable.Range(0, PerProcess).Reverse(), sequence);
        }
        Assert.Equal(2 * PerProcess, store.GetResults(new ResultQuery()).Count);
    }

    [Fact]
    public void Two_processes_write_into_one_sqlite_file_at_once_without_losing_or_doubling_a_row() =>
        RunTwoWriters("sqlite:" + Path.Combine(_folder, "shared.db"));

    [SkippableFact]
    public void Two_processes_write_into_one_postgresql_database_at_once_without_losing_or_doubling_a_row()
    {
        string cs = server.NewDatabase();
        // Both writers start on an empty database: the schema migration itself is raced too.
        RunTwoWriters(cs);
    }

    [Fact]
    public void A_writer_killed_mid_write_leaves_an_intact_sqlite_file_with_every_reported_commit()
    {
        string path = Path.Combine(_folder, "killed.db");
        using var writer = StartProbe("sqlite:" + path, "victim", 1_000_000);
        var lines = new List<string>();
        while (Committed(lines).Count < 1500)
        {
            string? line = writer.StandardOutput.ReadLine();
            if (line is null) Assert.Fail("the writer ended early: " + writer.StandardError.ReadToEnd());
            lines.Add(line);
        }
        writer.Kill();   // SIGKILL on Unix: no cleanup, no last flush
        Assert.True(writer.WaitForExit(30_000));
        lines.AddRange(writer.StandardOutput.ReadToEnd().Split('\n'));
        var reported = Committed(lines);
        Assert.DoesNotContain("DONE", lines);

        Assert.Equal("ok", SqliteStoreTests.Pragma(path, "integrity_check"));
        using var store = AttestationStoreFactory.Open("sqlite:" + path);
        var stored = store.GetResults(new ResultQuery { HostName = "victim" })
            .Select(r => int.Parse(r.Reasons.Single().Message)).ToList();
        Assert.Equal(stored.Count, stored.Distinct().Count());
        Assert.Empty(reported.Except(stored));
        // At most the one transaction in flight may have committed without being reported.
        Assert.InRange(stored.Count, reported.Count, reported.Count + 1);
        Assert.Equal(Enumerable.Range(0, stored.Count), stored.Order());

        store.AddResult(AttestationResult.Failed("victim", "probe.after", "written after the kill"));
        Assert.Equal("ok", SqliteStoreTests.Pragma(path, "integrity_check"));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
