using System.Net;
using System.Text;
using TrustedCompute.OpenStack;

namespace TrustedCompute.Tests.OpenStack;

/// <summary>
/// A scripted HttpMessageHandler for edge cases the real services will not produce on demand (500s, dropped
/// connections, oversized or malformed bodies). Keystone's token call is answered with a small catalog.
/// </summary>
internal sealed class FakeOpenStack : HttpMessageHandler
{
    public const string AuthUrl = "https://keystone.test/v3";
    public const string PlacementUrl = "https://placement.test";
    private readonly Func<HttpRequestMessage, string, HttpResponseMessage> _service;
    private int _tokens;

    public FakeOpenStack(Func<HttpRequestMessage, string, HttpResponseMessage> service) => _service = service;

    public List<string> Log { get; } = [];

    public HttpStatusCode AuthStatus { get; set; } = HttpStatusCode.Created;

    /// <summary>Whether GET on the auth URL answers Keystone's v3 version document (false: the service decides).</summary>
    public bool KeystoneVersionDocument { get; set; } = true;

    /// <summary>How long the tokens this fake issues live.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public static OpenStackCloud Cloud()
    {
        var cloud = new OpenStackCloud { AuthUrl = new Uri(AuthUrl), Username = "admin", ProjectName = "admin" };
        cloud.SetSecret("s3cret-value");
        return cloud;
    }

    public static HttpResponseMessage Reply(HttpStatusCode status, string? json = null, string? requestId = "req-fake")
    {
        var response = new HttpResponseMessage(status);
        if (json is not null) response.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (requestId is not null) response.Headers.Add("x-openstack-request-id", requestId);
        return response;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string token = request.Headers.TryGetValues("X-Auth-Token", out var v) ? v.Single() : "";
        Log.Add($"{request.Method} {request.RequestUri!.AbsolutePath} {token}".TrimEnd());
        if (request.RequestUri.AbsoluteUri == AuthUrl + "/" && request.Method == HttpMethod.Get && KeystoneVersionDocument)
            return Task.FromResult(Reply(HttpStatusCode.OK, """{"version":{"id":"v3.14","status":"stable","media-types":[{"base":"application/json","type":"application/vnd.openstack.identity-v3+json"}]}}"""));
        if (request.RequestUri.AbsoluteUri == AuthUrl + "/auth/tokens" && request.Method == HttpMethod.Post)
        {
            if (AuthStatus != HttpStatusCode.Created)
                return Task.FromResult(Reply(AuthStatus, """{"error":{"code":401,"title":"Unauthorized","message":"The request you have made requires authentication."}}"""));
            string expires = DateTimeOffset.UtcNow.Add(TokenLifetime).ToString("O");
            var response = Reply(HttpStatusCode.Created,
                "{\"token\":{\"expires_at\":\"" + expires + "\",\"user\":{\"id\":\"u1\",\"name\":\"admin\"}," +
                "\"project\":{\"id\":\"p1\",\"name\":\"admin\"},\"roles\":[{\"name\":\"admin\"}]," +
                "\"catalog\":[{\"type\":\"placement\",\"name\":\"placement\",\"endpoints\":[{\"interface\":\"public\"," +
                "\"region_id\":\"RegionOne\",\"url\":\"" + PlacementUrl + "\"}]}]}}");
            response.Headers.Add("X-Subject-Token", "token-" + Interlocked.Increment(ref _tokens));
            return Task.FromResult(response);
        }
        return Task.FromResult(_service(request, token));
    }
}
