using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using TrustedCompute.OpenStack;
using Xunit;

namespace TrustedCompute.Tests.OpenStack;

/// <summary>
/// TLS verification against a real TLS endpoint on 127.0.0.1 (a minimal Keystone stand-in with a self-signed
/// certificate): refused by default, accepted with that certificate as -CACertificatePath or with -SkipCertificateCheck.
/// </summary>
public sealed class OpenStackTlsTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _serverCertificate = SelfSigned("CN=127.0.0.1", withIpName: true);
    private readonly string _dir = Directory.CreateTempSubdirectory("tc-tls-").FullName;
    private readonly CancellationTokenSource _stop = new();

    public OpenStackTlsTests()
    {
        _listener.Start();
        _ = ServeAsync();
    }

    private Uri AuthUrl => new($"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v3");

    private OpenStackCloud Cloud(Action<OpenStackCloud> edit, string host = "127.0.0.1")
    {
        var url = new UriBuilder(AuthUrl) { Host = host }.Uri;
        var cloud = new OpenStackCloud { AuthUrl = url, Username = "admin", ProjectName = "admin" };
        cloud.SetSecret("pw");
        edit(cloud);
        return cloud;
    }

    private string Pem(X509Certificate2 certificate, string name)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    [Fact]
    public async Task UntrustedCertificate_IsRefusedByDefault()
    {
        using var session = new OpenStackSession(Cloud(_ => { }));
        var ex = await Assert.ThrowsAsync<OpenStackException>(() => session.GetTokenAsync(default));
        Assert.Contains("identity POST /v3/auth/tokens failed: TLS certificate of 127.0.0.1 refused: the certificate chain does not end " +
                        "at a trusted CA (the chain check failed: UntrustedRoot)", ex.Message);
        Assert.DoesNotContain("name", ex.Message.Replace("host name", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(0, session.AuthenticationCount);
    }

    [Fact]
    public async Task ATrustedCertificateForAnotherName_IsANameFailure_NotAChainFailure()
    {
        using var session = new OpenStackSession(Cloud(c => c.CACertificatePath = Pem(_serverCertificate, "ca.pem"), host: "localhost"));
        var ex = await Assert.ThrowsAsync<OpenStackException>(() => session.GetTokenAsync(default));
        Assert.Contains("TLS certificate of localhost refused: the certificate's name does not match the host name localhost " +
                        "(the name check failed).", ex.Message);
        Assert.DoesNotContain("chain", ex.Message);
    }

    [Fact]
    public async Task CACertificatePath_AnchorsTheServerCertificate()
    {
        using var session = new OpenStackSession(Cloud(c => c.CACertificatePath = Pem(_serverCertificate, "ca.pem")));
        Assert.Equal("tls-token", await session.GetTokenAsync(default));
    }

    [Fact]
    public async Task CACertificatePath_OfAnotherCA_IsRefused()
    {
        using var other = SelfSigned("CN=other-ca", withIpName: true);
        using var session = new OpenStackSession(Cloud(c => c.CACertificatePath = Pem(other, "other.pem")));
        var ex = await Assert.ThrowsAsync<OpenStackException>(() => session.GetTokenAsync(default));
        Assert.Contains("the certificate chain does not end at a trusted CA (the chain check failed", ex.Message);
        Assert.Contains("-CACertificatePath", ex.Message);
        Assert.DoesNotContain("name does not match", ex.Message);
    }

    [Fact]
    public async Task SkipCertificateCheck_AcceptsAnyCertificate()
    {
        using var session = new OpenStackSession(Cloud(c => c.SkipCertificateCheck = true));
        Assert.Equal("tls-token", await session.GetTokenAsync(default));
    }

    private static X509Certificate2 SelfSigned(string subject, bool withIpName)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        if (withIpName)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await using var tls = new SslStream(client.GetStream());
                        await tls.AuthenticateAsServerAsync(_serverCertificate);
                        var buffer = new byte[16384];
                        var request = new StringBuilder();
                        while (!request.ToString().Contains("\r\n\r\n"))
                        {
                            int n = await tls.ReadAsync(buffer);
                            if (n == 0) return;
                            request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                        }
                        string body = "{\"token\":{\"expires_at\":\"" + DateTimeOffset.UtcNow.AddHours(1).ToString("O") +
                                      "\",\"user\":{\"id\":\"u\",\"name\":\"admin\"},\"catalog\":[]}}";
                        string response = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Subject-Token: tls-token\r\n" +
                                          $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
                        await tls.WriteAsync(Encoding.UTF8.GetBytes(response));
                    }
                    catch (Exception ex) when (ex is IOException or AuthenticationException or SocketException) { }
                }
            });
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _serverCertificate.Dispose();
        Directory.Delete(_dir, true);
        _stop.Dispose();
    }
}
