namespace TrustedCompute.Store;

internal enum StoreDialect { Sqlite, Postgres }

/// <summary>
/// The store's schema as ordered migration steps, the same logical tables on both databases. Step N takes a store from
/// version N-1 to N in one transaction; schema_version holds the version reached. Only ever append steps.
/// </summary>
internal static class StoreSchema
{
    private static readonly string[][] Steps =
    [
        [
            """
            CREATE TABLE hosts (
                name_key TEXT NOT NULL PRIMARY KEY,
                name TEXT NOT NULL,
                ek_public {blob} NOT NULL,
                ek_name TEXT NOT NULL,
                ek_certificate {blob} NOT NULL,
                ek_chain TEXT NOT NULL,
                ek_reasons TEXT NOT NULL,
                tpm_manufacturer TEXT NOT NULL,
                tpm_model TEXT NOT NULL,
                tpm_firmware_version TEXT NOT NULL,
                ak_public {blob} NOT NULL,
                ak_name TEXT NOT NULL,
                ak_key TEXT NOT NULL UNIQUE,
                enrolled_at BIGINT NOT NULL,
                enrolled_by TEXT NOT NULL,
                policy_name TEXT NOT NULL,
                tags TEXT NOT NULL)
            """,
            """
            CREATE TABLE results (
                id {id},
                host_key TEXT NOT NULL,
                host_name TEXT NOT NULL,
                time_ticks BIGINT NOT NULL,
                verdict TEXT NOT NULL,
                ak_name TEXT NOT NULL,
                evidence_digest TEXT NOT NULL,
                clock BIGINT,
                reset_count BIGINT,
                restart_count BIGINT,
                detail TEXT NOT NULL)
            """,
            "CREATE INDEX results_host_time ON results (host_key, time_ticks, id)",
            """
            CREATE TABLE policies (
                name_key TEXT NOT NULL,
                name TEXT NOT NULL,
                version INTEGER NOT NULL,
                yaml TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                created_by TEXT NOT NULL,
                comment TEXT NOT NULL,
                PRIMARY KEY (name_key, version))
            """,
        ],
        [
            "CREATE TABLE evidence (digest TEXT NOT NULL PRIMARY KEY, json TEXT NOT NULL, stored_at BIGINT NOT NULL)",
            "CREATE INDEX results_time ON results (time_ticks, id)",
        ],
        [
            """
            CREATE TABLE sweeps (
                id TEXT NOT NULL PRIMARY KEY,
                node TEXT NOT NULL,
                started_at BIGINT NOT NULL,
                round_start BIGINT NOT NULL,
                heartbeat BIGINT NOT NULL,
                lease_ticks BIGINT NOT NULL,
                finished_at BIGINT,
                hosts INTEGER NOT NULL,
                trusted INTEGER NOT NULL,
                untrusted INTEGER NOT NULL,
                unknown INTEGER NOT NULL,
                elsewhere INTEGER NOT NULL)
            """,
            "CREATE INDEX sweeps_started ON sweeps (started_at)",
            """
            CREATE TABLE sweep_claims (
                host_key TEXT NOT NULL PRIMARY KEY,
                sweep_id TEXT NOT NULL,
                lease_until BIGINT NOT NULL,
                handled_at BIGINT NOT NULL)
            """,
        ],
    ];

    /// <summary>The version this code creates and understands; a store at a higher version is refused.</summary>
    public static int CurrentVersion => Steps.Length;

    /// <summary>
    /// The database's clock in .NET ticks (UTC), so that admin nodes whose clocks differ still agree on leases and rounds.
    /// </summary>
    public static string Now(StoreDialect dialect) => dialect == StoreDialect.Sqlite
        ? "(CAST((julianday('now') - 2440587.5) * 864000000000 AS INTEGER) + 621355968000000000)"
        : "(CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 10000000 AS BIGINT) + 621355968000000000)";

    public const string CreateVersionTable = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";

    /// <summary>The statements of the step that takes the schema to <paramref name="version"/>.</summary>
    public static IEnumerable<string> Step(int version, StoreDialect dialect) =>
        Steps[version - 1].Select(sql => sql
            .Replace("{blob}", dialect == StoreDialect.Sqlite ? "BLOB" : "BYTEA")
            .Replace("{now}", Now(dialect))
            .Replace("{id}", dialect == StoreDialect.Sqlite
                ? "INTEGER PRIMARY KEY"
                : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"));
}
