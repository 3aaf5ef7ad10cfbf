using System.Data.Common;
using Npgsql;

namespace TrustedCompute.Store;

/// <summary>Picks the store a connection string names: PostgreSQL for a postgresql:// URI or a Host= string, else SQLite.</summary>
public static class AttestationStoreFactory
{
    public const string EnvironmentVariable = "TRUSTEDCOMPUTE_STORE";

    private static readonly string[] PostgresKeys =
        ["host", "server", "port", "database", "username", "user id", "userid", "user", "password", "pwd", "ssl mode", "sslmode"];
    private static readonly string[] SqliteKeys = ["data source", "datasource", "filename"];

    /// <summary>The current user's store file: LocalApplicationData/TrustedCompute/store.db.</summary>
    public static string DefaultSqlitePath()
    {
        string folder = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData,
            Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(folder))
            throw new StoreException(StoreErrorKind.Unavailable, "This user has no local application data folder for the store");
        return Path.Combine(folder, "TrustedCompute", "store.db");
    }

    /// <summary>
    /// Opens the store <paramref name="connectionString"/> names (null or empty: $env:TRUSTEDCOMPUTE_STORE, else the
    /// default SQLite file) and creates or migrates its schema.
    /// </summary>
    public static IAttestationStore Open(string? connectionString = null)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) connectionString = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(connectionString)) return SqliteAttestationStore.Open(DefaultSqlitePath());
        string text = connectionString.Trim();

        if (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) ||
            text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            return PostgresAttestationStore.Open(PostgresUri.Parse(text));
        }
        if (text.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
            return SqliteAttestationStore.Open(text["sqlite:".Length..]);

        var keys = KeywordsOf(text);
        if (keys is not null && keys.Overlaps(PostgresKeys)) return PostgresAttestationStore.Open(text);
        if (keys is not null && keys.Overlaps(SqliteKeys))
        {
            Microsoft.Data.Sqlite.SqliteConnectionStringBuilder builder;
            try { builder = new(text); }
            catch (ArgumentException)
            {
                throw new StoreException(StoreErrorKind.Invalid, "The SQLite connection string is not valid");
            }
            return SqliteAttestationStore.Open(builder.DataSource);
        }
        if (keys is not null && text.Contains(';'))
        {
            throw new StoreException(StoreErrorKind.Invalid,
                "The store connection string names neither a PostgreSQL host nor a SQLite file");
        }
        return SqliteAttestationStore.Open(text);
    }

    // The keys of a "key=value;..." string, or null when it is not one (then it is a path).
    private static HashSet<string>? KeywordsOf(string text)
    {
        if (!text.Contains('=')) return null;
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = text };
            return builder.Keys.Cast<string>().Select(k => k.Trim().ToLowerInvariant()).ToHashSet();
        }
        catch (ArgumentException) { return null; }
    }
}

/// <summary>Reads postgresql://user:password@host:port/database?option=value into Npgsql's settings.</summary>
internal static class PostgresUri
{
    public static NpgsqlConnectionStringBuilder Parse(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new StoreException(StoreErrorKind.Invalid, "The PostgreSQL URI is not valid");
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.DnsSafeHost };
        if (uri.Port > 0) builder.Port = uri.Port;
        if (uri.UserInfo.Length > 0)
        {
            string[] parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0) builder.Database = database;
        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            string key = Uri.UnescapeDataString(kv[0]);
            try { builder[key] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : ""; }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or KeyNotFoundException)
            {
                throw new StoreException(StoreErrorKind.Invalid, "The PostgreSQL URI has an option Npgsql does not know or cannot read");
            }
        }
        return builder;
    }
}
