using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TrustedCompute.Attestation;
using TrustedCompute.Store;
using TrustedCompute.Tests.Env;
using Xunit;

namespace TrustedCompute.Tests.Service;

/// <summary>
/// The service as nova's TrustedFilter sees it: a Python client from Debian's packages (python3-requests,
/// python3-oslo.utils) over TLS verified against a test CA, with x-auth-blob, against SQLite and PostgreSQL;
/// kill -9 and a restart change nothing; a new result shows on the next request.
/// </summary>
public sealed class ServiceNovaClientTests : IClassFixture<PostgresFixture>, IDisposable
{
    private const string Python = "/usr/bin/python3";
    private const string AuthSecret = "oat-blob-7f3c9e";
    private const string DbPassword = "pg-Pa55word-never-shown";
    private static readonly string ClientScript =
        Path.Combine(TestPaths.RepositoryRoot, "tests", "TrustedCompute.Tests", "Service", "nova_trusted_filter_client.py");

    private readonly PostgresFixture _postgres;
    private readonly string _folder = Directory.CreateTempSubdirectory("tc-svc-nova-").FullName;
    private readonly TestCertificates _certificates;

    public ServiceNovaClientTests(PostgresFixture postgres)
    {
        _postgres = postgres;
        _certificates = new TestCertificates(_folder);
    }

    // The hosts asked for, in an order unlike the store's, with a duplicate and a name in another case.
    private static readonly string[] Asked =
        ["stale-1", "trusted-1", "never-heard-of", "untrusted-1", "unknown-1", "unenrolled-1", "no-result-1", "TRUSTED-1", "trusted-1"];

    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public void NovaClientGetsTheStoreAnswersInOrderAcrossKillAndRestart(string backend)
    {
        RequirePython();
        string connection = backend == "sqlite" ? Path.Combine(_folder, "store.db") : PostgresConnection();
        var now = DateTime.UtcNow;
        using (var store = AttestationStoreFactory.Open(connection)) Fill(store, now);

        using var service = StartService(connection);
        var first = Poll(service.Port, AuthSecret, Asked);
        AssertAnswers(first, now, DateTime.UtcNow);

        service.KillHard();
        Assert.False(service.IsRunning);
        service.Start();
        var afterRestart = Poll(service.Port, AuthSecret, Asked);
        AssertAnswers(afterRestart, now, DateTime.UtcNow);
        for (int i = 0; i < Asked.Length; i++)
        {
            Assert.Equal(first[i].TrustLevel, afterRestart[i].TrustLevel);
            if (Asked[i] is not ("never-heard-of" or "unenrolled-1" or "no-result-1")) Assert.Equal(first[i].VTime, afterRestart[i].VTime);
        }

        // A sweep flips two verdicts: the very next request shows both.
        var sweptAt = DateTime.UtcNow;
        using (var store = AttestationStoreFactory.Open(connection))
        {
            store.AddResult(Result("trusted-1", AttestationVerdict.Untrusted, sweptAt));
            store.AddResult(Result("stale-1", AttestationVerdict.Trusted, sweptAt));
        }
        var afterSweep = Poll(service.Port, AuthSecret, ["trusted-1", "stale-1"]);
        Assert.Equal(("trusted-1", "untrusted", Ms(sweptAt)), (afterSweep[0].HostName, afterSweep[0].TrustLevel, afterSweep[0].VTime));
        Assert.Equal(("stale-1", "trusted", Ms(sweptAt)), (afterSweep[1].HostName, afterSweep[1].TrustLevel, afterSweep[1].VTime));

        Assert.DoesNotContain(DbPassword, service.ReadLog());
        Assert.Contains("Listening on https://127.0.0.1:", service.ReadLog());
    }

    [SkippableFact]
    public void NovaClientWithoutOrWithWrongAuthBlobIsRefused()
    {
        RequirePython();
        string connection = Path.Combine(_folder, "store.db");
        using (var store = AttestationStoreFactory.Open(connection)) Fill(store, DateTime.UtcNow);
        using var service = StartService(connection);
        Assert.Equal(401, PollStatus(service.Port, null, ["trusted-1"]));
        Assert.Equal(401, PollStatus(service.Port, AuthSecret + "x", ["trusted-1"]));
        Assert.Equal(401, PollStatus(service.Port, AuthSecret[..^1], ["trusted-1"]));
        Assert.Equal("trusted", Poll(service.Port, AuthSecret, ["trusted-1"])[0].TrustLevel);
    }

    private static void AssertAnswers(IReadOnlyList<Answer> answers, DateTime filledAt, DateTime askedBy)
    {
        Assert.Equal(Asked, answers.Select(a => a.HostName));
        string Level(string name) => answers.First(a => a.HostName == name).TrustLevel;
        string VTime(string name) => answers.First(a => a.HostName == name).VTime;

        Assert.Equal("trusted", Level("trusted-1"));
        Assert.Equal(Ms(filledAt.AddMinutes(-2)), VTime("trusted-1"));
        Assert.Equal("trusted", Level("TRUSTED-1"));
        Assert.Equal("untrusted", Level("untrusted-1"));
        Assert.Equal(Ms(filledAt.AddMinutes(-1)), VTime("untrusted-1"));
        Assert.Equal("unknown", Level("unknown-1"));
        Assert.Equal(Ms(filledAt.AddSeconds(-30)), VTime("unknown-1"));
        // Stale: its last result was Trusted, but older than the 10-minute maximum; vtime is that old result's time.
        Assert.Equal("unknown", Level("stale-1"));
        Assert.Equal(Ms(filledAt.AddMinutes(-30)), VTime("stale-1"));
        // Removed from the registry: its Trusted result stays in the history but counts for nothing.
        Assert.Equal("unknown", Level("unenrolled-1"));
        Assert.Equal("unknown", Level("never-heard-of"));
        Assert.Equal("unknown", Level("no-result-1"));
        foreach (string name in new[] { "unenrolled-1", "never-heard-of", "no-result-1" })
        {
            // No attestation to date the answer: vtime is the time of the answer, so nova asks again after its timeout.
            var vtime = DateTime.Parse(VTime(name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            Assert.InRange(vtime, filledAt.AddSeconds(-1), askedBy.AddSeconds(1));
        }
        Assert.Equal(answers[1], answers[^1]);
    }

    private static void Fill(IAttestationStore store, DateTime now)
    {
        foreach (string name in new[] { "trusted-1", "untrusted-1", "unknown-1", "stale-1", "no-result-1", "unenrolled-1" })
            store.AddHost(new EnrolledHost { Name = name, AttestationKeyName = "000b" + Convert.ToHexString(Guid.NewGuid().ToByteArray()) });
        store.AddResult(Result("trusted-1", AttestationVerdict.Untrusted, now.AddMinutes(-5)));
        store.AddResult(Result("trusted-1", AttestationVerdict.Trusted, now.AddMinutes(-2)));
        store.AddResult(Result("untrusted-1", AttestationVerdict.Trusted, now.AddMinutes(-4)));
        store.AddResult(Result("untrusted-1", AttestationVerdict.Untrusted, now.AddMinutes(-1)));
        store.AddResult(Result("unknown-1", AttestationVerdict.Unknown, now.AddSeconds(-30)));
        store.AddResult(Result("stale-1", AttestationVerdict.Trusted, now.AddMinutes(-30)));
        store.AddResult(Result("unenrolled-1", AttestationVerdict.Trusted, now.AddMinutes(-1)));
        store.AddResult(Result("never-heard-of", AttestationVerdict.Trusted, now.AddMinutes(-1)));
        Assert.True(store.RemoveHost("unenrolled-1"));
    }

    internal static AttestationResult Result(string host, AttestationVerdict verdict, DateTime time)
    {
        AttestationReason[] reasons = verdict switch
        {
            AttestationVerdict.Trusted => [],
            AttestationVerdict.Untrusted => [new AttestationReason("pcr.mismatch", ReasonSeverity.Failure, "PCR 7 differs") { Pcr = 7, Bank = "sha256" }],
            _ => [new AttestationReason("quote.nonce", ReasonSeverity.Indeterminate, "Freshness unknown")],
        };
        return new AttestationResult
        {
            HostName = host, Verdict = verdict, Reasons = reasons, Time = time, Policy = "base v2", PolicyDigest = new string('c', 64),
        };
    }

    private static string Ms(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture);

    private string PostgresConnection()
    {
        _postgres.Require();
        return _postgres.NewDatabase(DbPassword);
    }

    private ServiceProcess StartService(string connection)
    {
        var service = new ServiceProcess(_folder, ServiceProcess.FreePort(),
            ["--certificate", _certificates.CertificatePath, "--certificate-key", _certificates.KeyPath],
            new Dictionary<string, string> { ["TRUSTEDCOMPUTE_STORE"] = connection, ["TRUSTEDCOMPUTE_SERVICE_AUTH_SECRET"] = AuthSecret });
        try { service.Start(); }
        catch { service.Dispose(); throw; }
        return service;
    }

    private sealed record Answer(string HostName, string TrustLevel, string VTime);

    private List<Answer> Poll(int port, string? authBlob, string[] hosts)
    {
        var (status, document) = RunClient(port, authBlob, hosts);
        Assert.Equal(200, status);
        return document!.RootElement.GetProperty("hosts").EnumerateArray().Select(h => new Answer(
            h.GetProperty("host_name").GetString()!, h.GetProperty("trust_lvl").GetString()!, h.GetProperty("vtime").GetString()!)).ToList();
    }

    private int PollStatus(int port, string? authBlob, string[] hosts) => RunClient(port, authBlob, hosts).Status;

    private (int Status, JsonDocument? Document) RunClient(int port, string? authBlob, string[] hosts)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(ClientScript);
        // As nova builds it: https://<attestation_server>:<port><api_url>.
        info.ArgumentList.Add($"https://127.0.0.1:{port}/OpenAttestationWebServices/V1.0");
        info.ArgumentList.Add(_certificates.CaPath);
        foreach (string h in hosts) info.ArgumentList.Add(h);
        if (authBlob is not null) info.Environment["OAT_AUTH_BLOB"] = authBlob;
        else info.Environment.Remove("OAT_AUTH_BLOB");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "the Python client did not finish");
        Assert.True(process.ExitCode == 0, $"the Python client failed: {stderr}");
        var document = JsonDocument.Parse(stdout.Result);
        var status = document.RootElement.GetProperty("status");
        Assert.True(status.ValueKind == JsonValueKind.Number, "the request did not get through: " + stdout.Result);
        return (status.GetInt32(), document);
    }

    private static void RequirePython()
    {
        Skip.IfNot(File.Exists(Python), "python3 is not installed (apt-get install python3-requests python3-oslo.utils)");
        var info = new ProcessStartInfo(Python, ["-c", "import requests, oslo_utils.timeutils"]) { RedirectStandardError = true };
        using var process = Process.Start(info)!;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        Skip.If(process.ExitCode != 0, "python3-requests and python3-oslo.utils are not installed (apt-get install them)");
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }
}
