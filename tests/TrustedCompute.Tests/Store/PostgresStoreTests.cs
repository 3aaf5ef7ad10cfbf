using Npgsql;
using TrustedCompute.Store;
using Xunit;

namespace TrustedCompute.Tests.Store;

/// <summary>The store suite on a real PostgreSQL 15 server (tests/env/postgres.sh), a new database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresFixture server) : StoreContractTests
{
    protected override string NewStoreConnectionString() => server.NewDatabase();

    protected override void ExecuteRaw(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [SkippableFact]
    public void A_uri_opens_the_same_database_and_its_location_has_no_password()
    {
        var builder = new NpgsqlConnectionStringBuilder(server.NewDatabase());
        const string secret = "Sup3r-S3cret:@/?#pw";
        string uri = $"postgresql://{builder.Username}:{Uri.EscapeDataString(secret)}@127.0.0.1:{builder.Port}/" +
            $"{builder.Database}?Timeout=5";
        var store = Open(uri);
        store.AddHost(Host("web1", "ak1"));
        Assert.Equal($"postgresql://127.0.0.1:{builder.Port}/{builder.Database}", store.Location);
        Assert.Equal("web1", Open(builder.ConnectionString).GetHost("web1")!.Name);
        Assert.DoesNotContain("S3cret", store.Location);
    }

    [SkippableFact]
    public void An_unreachable_server_is_unavailable_and_the_error_holds_no_password()
    {
        Skip.If(server.Unavailable is not null, server.Unavailable);
        int closedPort = server.Port + 1;
        foreach (string cs in new[]
        {
            $"Host=127.0.0.1;Port={closedPort};Username=tc;Password=Pw-9f8e7d-Secret;Timeout=2",
            $"postgresql://tc:Pw-9f8e7d-Secret@127.0.0.1:{closedPort}/db?Timeout=2",
        })
        {
            var e = Assert.Throws<StoreException>(() => AttestationStoreFactory.Open(cs));
            Assert.Equal(StoreErrorKind.Unavailable, e.Kind);
            Assert.Contains($"127.0.0.1:{closedPort}", e.Message);
            Assert.DoesNotContain("Pw-9f8e7d-Secret", e.ToString());
        }
    }

    [SkippableFact]
    public void A_refused_login_holds_no_password()
    {
        string cs = server.NewDatabase();
        var e = Assert.Throws<StoreException>(() =>
            AttestationStoreFactory.Open(new NpgsqlConnectionStringBuilder(cs) { Username = "nobody", Password = "Pw-login-Secret" }
                .ConnectionString));
        Assert.Equal(StoreErrorKind.Unavailable, e.Kind);
        Assert.DoesNotContain("Pw-login-Secret", e.ToString());
    }
}
