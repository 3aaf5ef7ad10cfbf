using System.Net;
using System.Net.Sockets;
using System.Text;
using TrustedCompute.OpenStack;
using Xunit;

namespace TrustedCompute.Tests.OpenStack;

/// <summary>
/// A redirect must not carry the password or the token to another endpoint: HttpClient keeps the request body and
/// custom headers such as X-Auth-Token when it follows a 307/308, so the session must not follow redirects at all.
/// </summary>
public sealed class OpenStackRedirectTests : IDisposable
{
    private readonly TcpListener _redirector = new(IPAddress.Loopback, 0);
    private readonly TcpListener _elsewhere = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _seenElsewhere = [];

    public OpenStackRedirectTests()
    {
        _redirector.Start();
        _elsewhere.Start();
        string target = $"http://127.0.0.1:{((IPEndPoint)_elsewhere.LocalEndpoint).Port}/v3/auth/tokens";
        _ = ServeAsync(_redirector, _ => $"HTTP/1.1 307 Temporary Redirect\r\nLocation: {target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        _ = ServeAsync(_elsewhere, request =>
        {
            lock (_seenElsewhere) _seenElsewhere.Add(request);
            return "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        });
    }

    [Fact]
    public async Task ARedirectedTokenRequest_IsAnError_AndThePasswordGoesNowhereElse()
    {
        var cloud = new OpenStackCloud
        {
            AuthUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_redirector.LocalEndpoint).Port}/v3"), Username = "admin", ProjectName = "admin",
        };
        cloud.SetSecret("s3cret-value");
        using var session = new OpenStackSession(cloud);

        var ex = await Assert.ThrowsAsync<OpenStackException>(() => session.GetTokenAsync(default));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, ex.StatusCode);
        Assert.DoesNotContain("s3cret-value", ex.ToString());
        await Task.Delay(200);
        lock (_seenElsewhere) Assert.Empty(_seenElsewhere);
    }

    private async Task ServeAsync(TcpListener listener, Func<string, string> answer)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        var stream = client.GetStream();
                        var buffer = new byte[16384];
                        var request = new StringBuilder();
                        while (!request.ToString().Contains("\r\n\r\n"))
                        {
                            int n = await stream.ReadAsync(buffer);
                            if (n == 0) return;
                            request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                        }
                        await stream.WriteAsync(Encoding.ASCII.GetBytes(answer(request.ToString())));
                    }
                    catch (Exception ex) when (ex is IOException or SocketException) { }
                }
            });
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _redirector.Stop();
        _elsewhere.Stop();
        _stop.Dispose();
    }
}
