using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace TrustedCompute.Store;

/// <summary>
/// The store in one SQLite file (WAL, so several processes may read and write at once). The file and, when this creates
/// it, its folder are user-only before the first write.
/// </summary>
public sealed class SqliteAttestationStore : DbAttestationStore
{
    private const int BusyTimeoutMilliseconds = 10_000;

    private readonly string _connectionString;

    private SqliteAttestationStore(string path)
    {
        FilePath = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The full path of the database file.</summary>
    public string FilePath { get; }

    public override string Location => "sqlite:" + FilePath;

    private protected override StoreDialect Dialect => StoreDialect.Sqlite;

    /// <summary>Opens (creating when absent) the store in the file at <paramref name="path"/> and migrates its schema.</summary>
    public static SqliteAttestationStore Open(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0') || path.Trim() == ":memory:")
            throw new StoreException(StoreErrorKind.Invalid, "A SQLite store needs the path of a file");
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new StoreException(StoreErrorKind.Invalid, $"'{path}' is not a usable file path", e);
        }
        try { UserOnlyFiles.CreateFile(full); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(StoreErrorKind.Unavailable, $"Cannot create the store file {full}: {e.Message}", e);
        }
        var store = new SqliteAttestationStore(full);
        try
        {
            store.UseWriteAheadLog();
            store.Migrate();
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private void UseWriteAheadLog()
    {
        try
        {
            using var connection = OpenConnection();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL";
            string? mode = command.ExecuteScalar() as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new StoreException(StoreErrorKind.Unavailable,
                    $"{Location} cannot use write-ahead logging (journal mode {mode})");
            }
        }
        catch (SqliteException e)
        {
            throw new StoreException(StoreErrorKind.Unavailable, $"{Location}: {Describe(e)}", e);
        }
    }

    private protected override DbConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // synchronous=NORMAL in WAL mode: a killed process loses nothing committed; a power cut may lose the last
            // commits but never corrupts the file.
            command.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA foreign_keys = ON; " +
                "PRAGMA synchronous = NORMAL;";
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private protected override DbTransaction Begin(DbConnection connection, bool write) =>
        ((SqliteConnection)connection).BeginTransaction(deferred: !write);

    private protected override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };

    // BEGIN IMMEDIATE already holds the write lock.
    private protected override void LockSchema(DbConnection connection, DbTransaction transaction) { }

    private protected override string SkipLocked => "";

    private protected override string KeyListSource => "(SELECT DISTINCT value AS k FROM json_each(@keys))";

    private protected override object KeyListValue(IReadOnlyList<string> keys) => JsonSerializer.Serialize(keys);

    private protected override string Describe(Exception exception) => exception.Message;

    public override void Dispose()
    {
        using (var connection = new SqliteConnection(_connectionString)) SqliteConnection.ClearPool(connection);
        base.Dispose();
    }
}
