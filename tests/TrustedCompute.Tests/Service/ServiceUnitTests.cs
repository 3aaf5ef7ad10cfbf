using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TrustedCompute.Attestation;
using TrustedCompute.Service;
using TrustedCompute.Store;
using Xunit;

namespace TrustedCompute.Tests.Service;

/// <summary>The trust rules at their edges (against a real SQLite store), vtime's format and the options' refusals.</summary>
public sealed class ServiceUnitTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tc-svc-unit-").FullName;

    [Fact]
    public void TrustedOnlyWhenEnrolledAndFreshAndTrusted()
    {
        var now = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        using var store = SqliteAttestationStore.Open(Path.Combine(_folder, "s.db"));
        foreach (string name in new[] { "edge", "over", "future", "skew" })
            store.AddHost(new EnrolledHost { Name = name, AttestationKeyName = "ak-" + name });
        store.AddResult(ServiceNovaClientTests.Result("edge", AttestationVerdict.Trusted, now.AddMinutes(-10)));
        store.AddResult(ServiceNovaClientTests.Result("over", AttestationVerdict.Trusted, now.AddMinutes(-10).AddMilliseconds(-1)));
        store.AddResult(ServiceNovaClientTests.Result("future", AttestationVerdict.Trusted, now.AddMinutes(5)));
        store.AddResult(ServiceNovaClientTests.Result("skew", AttestationVerdict.Trusted, now.AddSeconds(30)));
        var clock = new StepClock(now);
        var reader = new TrustReader(store, TimeSpan.FromMinutes(10), clock);

        var answers = reader.GetTrust(["edge", "over", "future", "skew"]).Select(a => a.Level).ToArray();
        Assert.Equal([TrustLevel.Trusted, TrustLevel.Unknown, TrustLevel.Unknown, TrustLevel.Trusted], answers);

        // The same store read a minute later: nothing cached, the edge host is stale now.
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(TrustLevel.Unknown, reader.GetTrust(["edge"])[0].Level);
        Assert.Equal(TrustLevel.Unknown, new TrustReader(store, TimeSpan.FromMinutes(10), clock).LevelOf(null, now));
    }

    [Fact]
    public void VTimeIsUtcWithMillisecondsAndPlusZero()
    {
        var time = new DateTime(2026, 1, 14, 12, 20, 50, 679, DateTimeKind.Utc).AddTicks(9999);
        Assert.Equal("2026-01-14T12:20:50.679+0000", OpenAttestationApi.VTime(time));
    }

    [Theory]
    [InlineData("--bind", "0.0.0.0")]
    [InlineData("--bind", "10.200.0.1")]
    public void PlainHttpOffLoopbackNeedsTheAdminsWord(string option, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => ServiceOptions.Parse([option, value], _ => null));
        Assert.Contains("--allow-http", error.Message);
        var allowed = ServiceOptions.Parse([option, value, "--allow-http"], _ => null);
        Assert.Equal(IPAddress.Parse(value), allowed.BindAddress);
    }

    [Theory]
    [InlineData("--port", "70000")]
    [InlineData("--port", "-1")]
    [InlineData("--max-age-seconds", "0")]
    [InlineData("--bind", "not-an-address")]
    [InlineData("--auth-secret", "on-the-command-line")]
    [InlineData("--certificate-key", "/tmp/k.pem")]
    public void BadOptionsAreRefused(string option, string value) =>
        Assert.Throws<ArgumentException>(() => ServiceOptions.Parse([option, value], _ => null));

    [Fact]
    public void SecretsComeFromTheEnvironmentOrAFile()
    {
        string file = Path.Combine(_folder, "secret");
        File.WriteAllText(file, "from-file\n");
        var env = new Dictionary<string, string> { [ServiceOptions.AuthSecretVariable] = "from-env", [ServiceOptions.StoreVariable] = "x.db" };
        var options = ServiceOptions.Parse([], name => env.GetValueOrDefault(name));
        Assert.Equal(("from-env", "x.db"), (options.AuthSecret, options.StoreConnectionString));
        Assert.Equal("from-file", ServiceOptions.Parse(["--auth-secret-file", file], _ => null).AuthSecret);
    }

    [Theory]
    [InlineData("secret", "secret", true)]
    [InlineData("secret", "Secret", false)]
    [InlineData("secret", "secret ", false)]
    [InlineData("secret", "", false)]
    [InlineData("secret", null, false)]
    public void SecretsCompareExactly(string expected, string? presented, bool match) =>
        Assert.Equal(match, RequestChecks.SecretMatches(presented, expected));

    [Fact]
    public void CertificatesLoadFromPemOrPasswordedPfxAndBadOnesAreRefused()
    {
        var pem = new TestCertificates(_folder);
        using (var fromPem = ServiceHost.LoadCertificate(PemOptions(pem.CertificatePath, pem.KeyPath)))
            Assert.True(fromPem.HasPrivateKey);

        using var key = RSA.Create(2048);
        using var self = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        string pfx = Path.Combine(_folder, "service.pfx");
        File.WriteAllBytes(pfx, self.Export(X509ContentType.Pkcs12, "pfx-pass"));
        using (var fromPfx = ServiceHost.LoadCertificate(new ServiceOptions { CertificatePath = pfx, CertificatePassword = "pfx-pass" }))
            Assert.Equal(self.Thumbprint, fromPfx.Thumbprint);
        var wrong = Assert.Throws<ArgumentException>(() =>
            ServiceHost.LoadCertificate(new ServiceOptions { CertificatePath = pfx, CertificatePassword = "guess" }));
        Assert.DoesNotContain("guess", wrong.Message);

        // A certificate without its key, a key of another certificate, a file that is not PEM at all.
        Assert.Throws<ArgumentException>(() => ServiceHost.LoadCertificate(PemOptions(pem.CertificatePath, null)));
        using var otherKey = ECDsa.Create();
        string other = Path.Combine(_folder, "other.key");
        File.WriteAllText(other, otherKey.ExportPkcs8PrivateKeyPem());
        Assert.Throws<ArgumentException>(() => ServiceHost.LoadCertificate(PemOptions(pem.CertificatePath, other)));
        string junk = Path.Combine(_folder, "junk.pem");
        File.WriteAllText(junk, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        Assert.Throws<ArgumentException>(() => ServiceHost.LoadCertificate(PemOptions(junk, null)));
    }

    private static ServiceOptions PemOptions(string certificate, string? key) =>
        new() { CertificatePath = certificate, CertificateKeyPath = key };

    private sealed class StepClock(DateTime now) : TimeProvider
    {
        private DateTimeOffset _now = now;
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }
}
