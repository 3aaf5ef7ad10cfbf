using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using TrustedCompute.Attestation;
using TrustedCompute.Store;
using Xunit;

namespace TrustedCompute.Tests.Service;

/// <summary>
/// Hostile requests against the real service process over TLS: each gets its 4xx with a JSON error id and no stack
/// trace, and the service keeps answering. Also /v1 and /metrics behind the bearer token.
/// </summary>
public sealed class ServiceBadInputTests : IClassFixture<ServiceBadInputTests.Fixture>
{
    private const string Secret = "bearer-and-blob-5a1d";
    private const string PollPath = "/AttestationService/resources/PollHosts";

    private readonly ServiceProcess _service;
    private readonly HttpClient _client;

    public ServiceBadInputTests(Fixture fixture)
    {
        _service = fixture.Service;
        _client = fixture.Client;
    }

    public static TheoryData<string, string, string?, string, int, string> BadPollHosts() => new()
    {
        // name, body, content type, auth blob, status, error id
        { "truncated", "{\"count\": 1, \"hosts\": [\"h1\"", "application/json", Secret, 400, "request.json" },
        { "not JSON", "hosts=h1", "application/json", Secret, 400, "request.json" },
        { "deeply nested", new string('[', 5000) + new string(']', 5000), "application/json", Secret, 400, "request.json" },
        { "nested hosts", "{\"hosts\": [[[[[\"h1\"]]]]]}", "application/json", Secret, 400, "request.json" },
        { "array body", "[\"h1\"]", "application/json", Secret, 400, "request.shape" },
        { "no hosts", "{\"count\": 1}", "application/json", Secret, 400, "pollhosts.hosts" },
        { "hosts a string", "{\"hosts\": \"h1\"}", "application/json", Secret, 400, "pollhosts.hosts" },
        { "host a number", "{\"hosts\": [\"h1\", 7]}", "application/json", Secret, 400, "pollhosts.host_name" },
        { "empty host", "{\"hosts\": [\"\"]}", "application/json", Secret, 400, "pollhosts.host_name" },
        { "NUL in host", "{\"hosts\": [\"h1\\u0000\"]}", "application/json", Secret, 400, "pollhosts.host_name" },
        { "long host", "{\"hosts\": [\"" + new string('a', 256) + "\"]}", "application/json", Secret, 400, "pollhosts.host_name" },
        { "too many hosts", "{\"hosts\": [" + string.Join(',', Enumerable.Repeat("\"h\"", 10_001)) + "]}", "application/json", Secret,
            413, "pollhosts.too_many" },
        { "oversized", "{\"hosts\": [\"" + new string('a', 1100 * 1024) + "\"]}", "application/json", Secret, 413, "request.too_large" },
        { "empty body", "", "application/json", Secret, 400, "request.empty" },
        { "text/plain", "{\"hosts\": [\"h1\"]}", "text/plain", Secret, 415, "request.content_type" },
        { "form", "{\"hosts\": [\"h1\"]}", "application/x-www-form-urlencoded", Secret, 415, "request.content_type" },
        { "latin1", "{\"hosts\": [\"h1\"]}", "application/json; charset=iso-8859-1", Secret, 415, "request.content_type" },
        { "no content type", "{\"hosts\": [\"h1\"]}", null, Secret, 415, "request.content_type" },
        { "no auth blob", "{\"hosts\": [\"h1\"]}", "application/json", "", 401, "auth.blob" },
        { "wrong auth blob", "{\"hosts\": [\"h1\"]}", "application/json", Secret.ToUpperInvariant(), 401, "auth.blob" },
        { "auth blob prefix", "{\"hosts\": [\"h1\"]}", "application/json", Secret[..^2], 401, "auth.blob" },
    };

    [Theory]
    [MemberData(nameof(BadPollHosts))]
    public async Task BadPollHostsRequestsGetTheir4xxAndTheServiceStaysUp(string name, string body, string? contentType,
        string authBlob, int status, string errorId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, PollPath);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.Accept.ParseAdd("application/json");
        if (authBlob.Length > 0) request.Headers.Add("x-auth-blob", authBlob);
        // As curl does for large bodies: the service may refuse before the body is sent (else the refusal races it).
        request.Headers.ExpectContinue = true;
        await AssertRefusedAsync(request, status, errorId, name);
        await AssertStillAnswersAsync();
    }

    [Theory]
    [InlineData("GET", PollPath, null, 405, "request.method")]
    [InlineData("PUT", "/OpenAttestationWebServices/V1.0/PollHosts", null, 405, "request.method")]
    [InlineData("GET", "/OpenAttestationWebServices/V1.0/NoSuchThing", null, 404, "request.not_found")]
    [InlineData("GET", "/../../etc/passwd", null, 404, "request.not_found")]
    [InlineData("GET", "/v1/hosts", null, 401, "auth.bearer")]
    [InlineData("GET", "/v1/hosts", "Bearer wrong", 401, "auth.bearer")]
    [InlineData("GET", "/v1/hosts", "Basic " + Secret, 401, "auth.bearer")]
    [InlineData("GET", "/metrics", null, 401, "auth.bearer")]
    [InlineData("GET", "/v1/hosts/nobody", "Bearer " + Secret, 404, "host.not_enrolled")]
    [InlineData("GET", "/v1/hosts/h1/results?limit=0", "Bearer " + Secret, 400, "results.limit")]
    [InlineData("GET", "/v1/hosts/h1/results?limit=abc", "Bearer " + Secret, 400, "results.limit")]
    [InlineData("GET", "/v1/hosts/h1/results?since=yesterday", "Bearer " + Secret, 400, "results.since")]
    [InlineData("GET", "/OpenAttestationWebServices/V1.0/hosts/trust", null, 401, "auth.blob")]
    public async Task WrongMethodsPathsAndTokensGetTheir4xx(string method, string path, string? authorization, int status, string errorId)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        await AssertRefusedAsync(request, status, errorId, $"{method} {path}");
        await AssertStillAnswersAsync();
    }

    [Theory]
    [InlineData("{\"hosts\": [\"h1\", \"h2\", \"h1\"]}")]
    [InlineData("{\"count\": \"three\", \"hosts\": [\"h1\", \"h2\", \"h1\"]}")]
    [InlineData("{\"count\": 1, \"hosts\": [\"h1\", \"h2\", \"h1\"], \"extra\": {\"a\": 1}}")]
    public async Task AMissingOrWrongCountStillAnswersEveryHostListed(string body)
    {
        using var request = Poll(body);
        using var response = await _client.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var levels = json.RootElement.GetProperty("hosts").EnumerateArray()
            .Select(h => (h.GetProperty("host_name").GetString(), h.GetProperty("trust_lvl").GetString()));
        Assert.Equal([("h1", "untrusted"), ("h2", "unknown"), ("h1", "untrusted")], levels);
    }

    [Fact]
    public async Task AnAcceptThatRefusesJsonGets406()
    {
        using var request = Poll("{\"hosts\": [\"h1\"]}");
        request.Headers.Accept.Clear();
        request.Headers.Accept.ParseAdd("text/html");
        await AssertRefusedAsync(request, 406, "request.accept", "Accept: text/html");
    }

    [Fact]
    public async Task ABodyCutShortOnTheWireAndAHugeContentLengthLeaveTheServiceUp()
    {
        // Declares 1,000 bytes, sends 20, then closes: the service must drop it without harm.
        await SendRawAsync($"POST {PollPath} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nx-auth-blob: {Secret}\r\n" +
            "Content-Length: 1000\r\n\r\n{\"hosts\": [\"h1\", \"h", expectAnswer: false);
        string answer = await SendRawAsync($"POST {PollPath} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
            $"x-auth-blob: {Secret}\r\nContent-Length: 99999999999\r\n\r\n{{", expectAnswer: true);
        Assert.StartsWith("HTTP/1.1 413", answer);
        string garbage = await SendRawAsync("\u0001\u0002 not http at all\r\n\r\n", expectAnswer: true);
        Assert.StartsWith("HTTP/1.1 400", garbage);
        await AssertStillAnswersAsync();
    }

    [Fact]
    public async Task JsonApiAndMetricsAnswerWithTheBearerToken()
    {
        using var hosts = await GetJsonAsync("/v1/hosts");
        var list = hosts.RootElement.GetProperty("hosts").EnumerateArray().ToList();
        Assert.Equal(["h1", "h2"], list.Select(h => h.GetProperty("host_name").GetString()));
        Assert.Equal("untrusted", list[0].GetProperty("trust_lvl").GetString());
        Assert.Equal("pcr.mismatch", list[0].GetProperty("latest").GetProperty("reasons")[0].GetProperty("id").GetString());
        Assert.Equal("base v2", list[0].GetProperty("latest").GetProperty("policy").GetString());
        Assert.Equal(new string('c', 64), list[0].GetProperty("latest").GetProperty("policy_digest").GetString());
        Assert.Equal(JsonValueKind.Null, list[1].GetProperty("latest").ValueKind);
        Assert.Equal("unknown", list[1].GetProperty("trust_lvl").GetString());

        using var one = await GetJsonAsync("/v1/hosts/H1");
        Assert.Equal("base", one.RootElement.GetProperty("policy_name").GetString());
        Assert.Equal("rack-4", one.RootElement.GetProperty("tags")[0].GetString());

        using var results = await GetJsonAsync("/v1/hosts/h1/results?limit=5&since=2000-01-01T00:00:00Z");
        Assert.Single(results.RootElement.GetProperty("results").EnumerateArray());
        using var none = await GetJsonAsync($"/v1/hosts/h1/results?since={DateTime.UtcNow.AddMinutes(1):O}");
        Assert.Empty(none.RootElement.GetProperty("results").EnumerateArray());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new("Bearer", Secret);
        using var response = await _client.SendAsync(request);
        string metrics = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("trustedcompute_hosts{trust_lvl=\"untrusted\"} 1\n", metrics);
        Assert.Contains("trustedcompute_hosts{trust_lvl=\"trusted\"} 0\n", metrics);
        Assert.Contains("trustedcompute_hosts_without_result 1\n", metrics);
        Assert.Contains("trustedcompute_oldest_latest_result_age_seconds ", metrics);
        Assert.Contains("trustedcompute_last_sweep_timestamp_seconds ", metrics);
        Assert.Matches("trustedcompute_http_requests_total\\{route=\"/v1/hosts\",code=\"200\"\\} [1-9][0-9]*\n", metrics);
        Assert.Matches("trustedcompute_http_request_duration_seconds_count\\{route=\"/v1/hosts/\\{name\\}\"\\} [1-9]", metrics);
        Assert.DoesNotContain("etc/passwd", metrics);

        using var health = await _client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var version = new HttpRequestMessage(HttpMethod.Get, "/OpenAttestationWebServices/V1.0/Version");
        version.Headers.Add("x-auth-blob", Secret);
        using var versionAnswer = await _client.SendAsync(version);
        Assert.Equal(HttpStatusCode.OK, versionAnswer.StatusCode);
        using var trust = new HttpRequestMessage(HttpMethod.Get, "/AttestationService/resources/hosts/trust?hostName=h1");
        trust.Headers.Add("x-auth-blob", Secret);
        using var trustAnswer = await _client.SendAsync(trust);
        using var trustJson = JsonDocument.Parse(await trustAnswer.Content.ReadAsStringAsync());
        Assert.Equal("untrusted", trustJson.RootElement.GetProperty("trust_lvl").GetString());
    }

    private async Task<JsonDocument> GetJsonAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", Secret);
        using var response = await _client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text);
    }

    private static HttpRequestMessage Poll(string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, PollPath) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Add("x-auth-blob", Secret);
        return request;
    }

    private async Task AssertRefusedAsync(HttpRequestMessage request, int status, string errorId, string what)
    {
        using var response = await _client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{what}: expected {status}, got {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        Assert.Equal(errorId, json.RootElement.GetProperty("error").GetString());
        Assert.DoesNotContain("   at ", text);
        Assert.DoesNotContain("Exception", text);
        Assert.DoesNotContain(Secret, text);
    }

    private async Task AssertStillAnswersAsync()
    {
        Assert.True(_service.IsRunning, "the service exited: " + _service.ReadLog());
        using var request = Poll("{\"count\": 99, \"hosts\": [\"h2\", \"h1\"]}");
        using var response = await _client.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var hosts = json.RootElement.GetProperty("hosts");
        Assert.Equal(("h2", "unknown"), (hosts[0].GetProperty("host_name").GetString(), hosts[0].GetProperty("trust_lvl").GetString()));
        Assert.Equal(("h1", "untrusted"), (hosts[1].GetProperty("host_name").GetString(), hosts[1].GetProperty("trust_lvl").GetString()));
    }

    private async Task<string> SendRawAsync(string text, bool expectAnswer)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _service.Port);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        await tls.WriteAsync(Encoding.Latin1.GetBytes(text));
        await tls.FlushAsync();
        if (!expectAnswer) return "";
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int read = await tls.ReadAsync(buffer, timeout.Token);
        return Encoding.Latin1.GetString(buffer, 0, read);
    }

    /// <summary>One service process for the whole class: every hostile request hits the same one.</summary>
    public sealed class Fixture : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("tc-svc-bad-").FullName;
        private readonly TestCertificates _certificates;

        public ServiceProcess Service { get; }
        public HttpClient Client { get; }

        public Fixture()
        {
            _certificates = new TestCertificates(_folder);
            string store = Path.Combine(_folder, "store.db");
            using (var s = AttestationStoreFactory.Open(store))
            {
                s.AddHost(new EnrolledHost { Name = "h1", AttestationKeyName = "000b01", PolicyName = "base", Tags = ["rack-4"] });
                s.AddResult(ServiceNovaClientTests.Result("h1", AttestationVerdict.Untrusted, DateTime.UtcNow.AddSeconds(-5)));
                s.AddHost(new EnrolledHost { Name = "h2", AttestationKeyName = "000b02" });
            }
            Service = new ServiceProcess(_folder, ServiceProcess.FreePort(),
                ["--certificate", _certificates.CertificatePath, "--certificate-key", _certificates.KeyPath],
                new Dictionary<string, string> { ["TRUSTEDCOMPUTE_STORE"] = store, ["TRUSTEDCOMPUTE_SERVICE_AUTH_SECRET"] = Secret });
            Service.Start();
            Client = _certificates.CreateClient();
            Client.BaseAddress = new Uri($"https://127.0.0.1:{Service.Port}");
        }

        public void Dispose()
        {
            Client.Dispose();
            Service.Dispose();
            try { Directory.Delete(_folder, true); } catch (IOException) { }
        }
    }
}
