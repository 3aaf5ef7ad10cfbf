using System.Data.Common;
using Npgsql;
using TrustedCompute.Attestation;

namespace TrustedCompute.Store;

/// <summary>The store in a PostgreSQL database, for several admin nodes at once. Its password never leaves the connection.</summary>
public sealed class PostgresAttestationStore : DbAttestationStore
{
    // pg_advisory_xact_lock key of schema migrations: "TCstore" in ASCII.
    private const long SchemaLockKey = 0x5443_7374_6F72_65;
    private const int BatchSize = 500;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _password;

    private PostgresAttestationStore(NpgsqlConnectionStringBuilder builder)
    {
        _password = builder.Password ?? "";
        Location = $"postgresql://{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username ?? ""}";
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public override string Location { get; }

    private protected override StoreDialect Dialect => StoreDialect.Postgres;

    /// <summary>Opens the store in the database a Npgsql keyword connection string names, and migrates its schema.</summary>
    public static PostgresAttestationStore Open(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try { builder = new NpgsqlConnectionStringBuilder(connectionString); }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            // Npgsql's message may quote the string, password included.
            throw new StoreException(StoreErrorKind.Invalid, "The PostgreSQL connection string is not valid");
        }
        return Open(builder);
    }

    internal static PostgresAttestationStore Open(NpgsqlConnectionStringBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Host))
            throw new StoreException(StoreErrorKind.Invalid, "The PostgreSQL connection string names no host");
        builder.PersistSecurityInfo = false;
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 32;
        var store = new PostgresAttestationStore(builder);
        try
        {
            store.Migrate();
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private protected override DbConnection OpenConnection() => _dataSource.OpenConnection();

    private protected override DbTransaction Begin(DbConnection connection, bool write) => connection.BeginTransaction();

    private protected override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    private protected override void LockSchema(DbConnection connection, DbTransaction transaction) =>
        Execute(connection, transaction, "SELECT pg_advisory_xact_lock(@key)", p => p("key", SchemaLockKey));

    private protected override string SkipLocked => "FOR UPDATE SKIP LOCKED";

    private protected override string KeyListSource => "(SELECT DISTINCT unnest(@keys) AS k)";

    private protected override object KeyListValue(IReadOnlyList<string> keys) => keys.ToArray();

    private protected override string Describe(Exception exception)
    {
        string message = exception.Message;
        if (exception.InnerException is { } inner && inner.Message != message) message += " " + inner.Message;
        return _password.Length > 0 ? message.Replace(_password, "***", StringComparison.Ordinal) : message;
    }

    // Rows go in batches of statements, one round trip per batch.
    private protected override void InsertResults(DbConnection connection, DbTransaction transaction,
        IReadOnlyList<AttestationResult> results)
    {
        if (results.Count == 1)
        {
            base.InsertResults(connection, transaction, results);
            return;
        }
        var npgsql = (NpgsqlConnection)connection;
        for (int start = 0; start < results.Count; start += BatchSize)
        {
            using var batch = new NpgsqlBatch(npgsql, (NpgsqlTransaction)transaction);
            foreach (var result in results.Skip(start).Take(BatchSize))
            {
                var command = new NpgsqlBatchCommand(InsertResultSql);
                ResultParameters((name, value) => command.Parameters.AddWithValue(name, value ?? DBNull.Value), result);
                batch.BatchCommands.Add(command);
            }
            batch.ExecuteNonQuery();
        }
    }

    public override void Dispose()
    {
        _dataSource.Dispose();
        base.Dispose();
    }
}
