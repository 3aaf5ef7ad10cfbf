using Npgsql;
using TrustedCompute.Tests.Env;
using Xunit;

namespace TrustedCompute.Tests.Store;

/// <summary>
/// One private PostgreSQL 15 server for the whole test run (tests/env/postgres.sh), a fresh database per test.
/// Tests call <see cref="NewDatabase"/>: it skips them where PostgreSQL is not installed.
/// </summary>
public sealed class PostgresFixture : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tc-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _server = "";
    private int _databases;

    public PostgresFixture()
    {
        if (!File.Exists("/usr/lib/postgresql/15/bin/initdb"))
        {
            Unavailable = "PostgreSQL 15 is not installed (apt-get install postgresql)";
            return;
        }
        var values = SwtpmFixture.Run(TestPaths.EnvScript("postgres.sh"), "start", _folder)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1]);
        _server = values["TRUSTEDCOMPUTE_STORE"];
        Port = int.Parse(values["PORT"]);
    }

    public string? Unavailable { get; }
    public int Port { get; }

    /// <summary>A keyword connection string to a new, empty database of its own.</summary>
    public string NewDatabase()
    {
        Skip.If(Unavailable is not null, Unavailable);
        string name = $"tc_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        using (var connection = new NpgsqlConnection(_server))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE {name}";
            command.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(_server) { Database = name }.ConnectionString;
    }

    public void Dispose()
    {
        if (Unavailable is not null) return;
        NpgsqlConnection.ClearAllPools();
        SwtpmFixture.Run(TestPaths.EnvScript("postgres.sh"), "stop", _folder);
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
