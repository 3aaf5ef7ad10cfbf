using TrustedCompute.Store;
using Xunit;

namespace TrustedCompute.Tests.Store;

/// <summary>Which store a connection string opens, and that no unreadable string leaks its password.</summary>
public sealed class AttestationStoreFactoryTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tc-factory-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public void The_default_store_is_a_per_user_file_under_local_application_data()
    {
        string expected = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData,
            Environment.SpecialFolderOption.DoNotVerify), "TrustedCompute", "store.db");
        Assert.Equal(expected, AttestationStoreFactory.DefaultSqlitePath());
        Assert.Equal("TRUSTEDCOMPUTE_STORE", AttestationStoreFactory.EnvironmentVariable);
    }

    [Theory]
    [InlineData("sqlite:{0}")]
    [InlineData("Data Source={0}")]
    [InlineData("Data Source={0};Mode=ReadWriteCreate")]
    [InlineData("{0}")]
    public void Sqlite_strings_open_the_file_they_name(string format)
    {
        string path = Path.Combine(_folder, "a b", "store.db");
        using var store = AttestationStoreFactory.Open(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, path));
        Assert.IsType<SqliteAttestationStore>(store);
        Assert.Equal("sqlite:" + path, store.Location);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void A_relative_path_is_made_full()
    {
        Directory.CreateDirectory(_folder);
        string previous = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = _folder;
            using var store = AttestationStoreFactory.Open("relative.db");
            Assert.Equal("sqlite:" + Path.Combine(Path.GetFullPath(_folder), "relative.db"), store.Location);
        }
        finally { Environment.CurrentDirectory = previous; }
    }

    [Theory]
    [InlineData("sqlite::memory:")]
    [InlineData("sqlite:")]
    [InlineData("Password=Pw-7a6b5c-Secret;Username=tc")]
    [InlineData("Host=;Password=Pw-7a6b5c-Secret")]
    [InlineData("Host=x;Password=Pw-7a6b5c-Secret;NoSuchOption=1")]
    [InlineData("Host=x;Password=Pw-7a6b5c-Secret;Port=notanumber")]
    [InlineData("postgresql://tc:Pw-7a6b5c-Secret@/db")]
    [InlineData("postgresql://tc:Pw-7a6b5c-Secret@host:5432/db?nosuch=1")]
    [InlineData("postgres://tc:Pw-7a6b5c-Secret@host:99999/db")]
    [InlineData("Foo=Pw-7a6b5c-Secret;Bar=2")]
    public void Unreadable_strings_are_invalid_and_never_echo_a_password(string connectionString)
    {
        var e = Assert.Throws<StoreException>(() => AttestationStoreFactory.Open(connectionString));
        Assert.Equal(StoreErrorKind.Invalid, e.Kind);
        Assert.DoesNotContain("Pw-7a6b5c-Secret", e.ToString());
        Assert.False(File.Exists(connectionString), "no file may be created for a connection string");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
