using System.Net;
using System.Text;
using TrustedCompute.OpenStack;
using Xunit;

namespace TrustedCompute.Tests.OpenStack;

/// <summary>A Keystone token response whose fields do not parse is a clear OpenStackException, not a bare FormatException.</summary>
public sealed class KeystoneTokenTests
{
    private sealed class OneTokenKeystone(string expiresAt) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(HttpStatusCode.Created)
            {
                Content = new StringContent("{\"token\":{\"expires_at\":\"" + expiresAt + "\",\"user\":{\"id\":\"u1\",\"name\":\"admin\"}}}",
                    Encoding.UTF8, "application/json"),
            };
            response.Headers.Add("X-Subject-Token", "token-1");
            return Task.FromResult(response);
        }
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("")]
    [InlineData("2026-13-45T99:00:00Z")]
    public async Task AnUnparsableExpiry_IsAnOpenStackErrorNamingTheField(string expiresAt)
    {
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), new OneTokenKeystone(expiresAt));
        var ex = await Assert.ThrowsAsync<OpenStackException>(() => session.GetTokenAsync(default));
        Assert.Contains("expires_at", ex.Message);
        Assert.DoesNotContain("s3cret-value", ex.ToString());
    }
}
