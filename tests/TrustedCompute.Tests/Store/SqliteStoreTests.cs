using System.Runtime.Versioning;
using Microsoft.Data.Sqlite;
using TrustedCompute.Store;
using Xunit;

namespace TrustedCompute.Tests.Store;

/// <summary>The store suite on a SQLite file, plus what only a file has: its permissions, WAL and integrity.</summary>
public sealed class SqliteStoreTests : StoreContractTests
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tc-store-" + Guid.NewGuid().ToString("N")[..12]);
    private int _files;

    protected override string NewStoreConnectionString() =>
        "sqlite:" + Path.Combine(_folder, "sub", $"store{Interlocked.Increment(ref _files)}.db");

    protected override void ExecuteRaw(string connectionString, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={connectionString["sqlite:".Length..]};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static string Pragma(string path, string pragma)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA " + pragma;
        return Convert.ToString(command.ExecuteScalar())!;
    }

    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void The_store_file_and_the_folder_it_creates_are_user_only()
    {
        Skip.If(OperatingSystem.IsWindows(), "POSIX file modes");
        string path = Path.Combine(_folder, "private", "deeper", "store.db");
        var store = (SqliteAttestationStore)Open(path);
        store.AddResult(Result("h", T0));
        Assert.Equal(path, store.FilePath);
        Assert.Equal("sqlite:" + path, store.Location);
        const UnixFileMode group = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
            UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.Combine(_folder, "private")));
        foreach (string side in new[] { path + "-wal", path + "-shm" }.Where(File.Exists))
            Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(side) & group);
    }

    [SkippableFact]
    public void The_store_uses_write_ahead_logging_and_passes_an_integrity_check()
    {
        string cs = NewStoreConnectionString();
        var store = Open(cs);
        store.AddResults(Enumerable.Range(0, 100).Select(i => Result("h", T0.AddSeconds(i))).ToList());
        string path = cs["sqlite:".Length..];
        Assert.Equal("wal", Pragma(path, "journal_mode"));
        Assert.Equal("ok", Pragma(path, "integrity_check"));
    }

    [SkippableFact]
    public void A_file_that_is_not_a_database_is_unavailable_not_overwritten()
    {
        Directory.CreateDirectory(_folder);
        string path = Path.Combine(_folder, "notes.txt");
        File.WriteAllText(path, "my notes, not a database; keep them");
        var e = Assert.Throws<StoreException>(() => AttestationStoreFactory.Open(path));
        Assert.Equal(StoreErrorKind.Unavailable, e.Kind);
        Assert.Equal("my notes, not a database; keep them", File.ReadAllText(path));
    }

    public override void Dispose()
    {
        base.Dispose();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
