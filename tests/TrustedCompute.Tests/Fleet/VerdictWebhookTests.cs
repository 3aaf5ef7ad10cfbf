using System.Net;
using System.Text.Json;
using TrustedCompute.Attestation;
using TrustedCompute.Fleet;
using Xunit;

namespace TrustedCompute.Tests.Fleet;

/// <summary>The webhook against a real HTTP listener on loopback: what it refuses, what it sends, how it retries.</summary>
public sealed class VerdictWebhookTests
{
    private static VerdictChange Change(string host, string message = "ok") => new(host, AttestationVerdict.Trusted, new AttestationResult
    {
        HostName = host, Verdict = AttestationVerdict.Untrusted, Time = new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc),
        Reasons = [new AttestationReason("pcr.mismatch", ReasonSeverity.Failure, message)],
    });

    [Theory]
    [InlineData("http://10.0.0.5/hook")]
    [InlineData("http://example.com/hook")]
    [InlineData("ftp://127.0.0.1/hook")]
    [InlineData("https://user:secret@example.com/hook")]
    [InlineData("file:///etc/passwd")]
    public void Refuses_what_is_not_an_https_webhook_or_loopback_http(string uri)
    {
        var e = Assert.Throws<ArgumentException>(() => VerdictWebhook.Check(new Uri(uri)));
        Assert.DoesNotContain("secret", e.Message);
    }

    [Fact]
    public void The_body_keeps_host_text_as_data()
    {
        using var hook = new VerdictWebhook(new Uri("https://example.com/hook"), "sweep1", "node:1");
        string body = hook.Body(Change("web\"1</script>", "a \"quoted\"\nline"), 7);
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        Assert.Equal("sweep1-7", root.GetProperty("id").GetString());
        Assert.Equal("trustedcompute.verdict.changed", root.GetProperty("event").GetString());
        Assert.Equal("web\"1</script>", root.GetProperty("host").GetString());
        Assert.Equal("Trusted", root.GetProperty("previous").GetString());
        Assert.Equal("Untrusted", root.GetProperty("verdict").GetString());
        Assert.Equal("a \"quoted\"\nline", root.GetProperty("reasons")[0].GetProperty("message").GetString());
        Assert.Equal("sweep1", root.GetProperty("sweep").GetString());
        Assert.DoesNotContain("</script>", body); // escaped for anyone who pastes it into a page
    }

    [Fact]
    public void Posts_in_order_and_tries_again_after_a_503_but_not_after_a_400()
    {
        int port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var bodies = new List<string>();
        int requests = 0, signed = 0;
        var server = Task.Run(() =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = listener.GetContext(); }
                catch (HttpListenerException) { return; }
                using var reader = new StreamReader(context.Request.InputStream);
                string body = reader.ReadToEnd();
                int n = Interlocked.Increment(ref requests);
                if (context.Request.Headers[VerdictWebhook.SignatureHeader] is not null ||
                    context.Request.Headers[VerdictWebhook.TimestampHeader] is not null) Interlocked.Increment(ref signed);
                bool bad = body.Contains("\"host\":\"rejected\"", StringComparison.Ordinal);
                context.Response.StatusCode = n == 1 ? 503 : bad ? 400 : 200;
                if (context.Response.StatusCode == 200) lock (bodies) bodies.Add(body);
                context.Response.Close();
            }
        });
        var hook = new VerdictWebhook(new Uri($"http://127.0.0.1:{port}/hook"), "s", "n") { RetryDelay = TimeSpan.FromMilliseconds(50) };
        hook.Post(Change("first"));
        hook.Post(Change("rejected"));
        hook.Post(Change("third"));
        var failures = hook.Complete(TimeSpan.FromSeconds(20));
        hook.Dispose();
        listener.Stop();

        Assert.Equal(2, hook.Delivered);
        Assert.Equal("rejected", Assert.Single(failures).Change.HostName);
        Assert.Contains("HTTP 400", failures[0].Message);
        Assert.Equal(4, requests); // 503, then first again, rejected once, third
        Assert.Collection(bodies, b => Assert.Contains("\"first\"", b), b => Assert.Contains("\"third\"", b));
        Assert.Contains("\"id\":\"s-1\"", bodies[0]); // the retried post keeps its id
        Assert.Contains("\"id\":\"s-3\"", bodies[1]);
        Assert.Equal(0, signed); // no secret, no signature headers
    }

    [Fact]
    public void A_receiver_that_is_not_there_is_a_failure_after_every_attempt()
    {
        var hook = new VerdictWebhook(new Uri($"http://127.0.0.1:{FreePort()}/hook"), "s", "n") { RetryDelay = TimeSpan.FromMilliseconds(10) };
        hook.Post(Change("web1"));
        var failure = Assert.Single(hook.Complete(TimeSpan.FromSeconds(20)));
        hook.Dispose();
        Assert.Equal("web1", failure.Change.HostName);
        Assert.Equal(0, hook.Delivered);
    }

    [Fact]
    public async Task A_signed_post_carries_its_time_and_an_hmac_that_openssl_agrees_with()
    {
        int port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var server = Task.Run(() =>
        {
            var context = listener.GetContext();
            using var reader = new StreamReader(context.Request.InputStream);
            var seen = (Body: reader.ReadToEnd(), Stamp: context.Request.Headers[VerdictWebhook.TimestampHeader],
                Signature: context.Request.Headers[VerdictWebhook.SignatureHeader]);
            context.Response.Close();
            return seen;
        });
        byte[] key = "a-shared-secret-of-32-characters"u8.ToArray();
        var hook = new VerdictWebhook(new Uri($"http://127.0.0.1:{port}/hook"), "s", "n") { SigningKey = [.. key] };
        hook.Post(Change("web1"));
        Assert.Empty(hook.Complete(TimeSpan.FromSeconds(20)));
        hook.Dispose();
        var (body, stamp, signature) = await server;

        Assert.InRange(long.Parse(stamp!, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal("sha256=" + OpenSslHmac(key, $"{stamp}.{body}"), signature);
        Assert.NotEqual(signature, VerdictWebhook.Signature(key, long.Parse(stamp!, System.Globalization.CultureInfo.InvariantCulture) + 1, body));
        Assert.NotEqual(signature, VerdictWebhook.Signature(key, long.Parse(stamp!, System.Globalization.CultureInfo.InvariantCulture), body.Replace("web1", "web2")));
    }

    [Fact]
    public void A_short_signing_key_is_refused_and_an_unsigned_hook_sends_no_signature()
    {
        Assert.Throws<ArgumentException>(() => new VerdictWebhook(new Uri("https://example.com/h"), "s", "n") { SigningKey = new byte[15] });
        using var hook = new VerdictWebhook(new Uri("https://example.com/h"), "s", "n");
        Assert.False(hook.Signed);
    }

    private static string OpenSslHmac(byte[] key, string data)
    {
        var info = new System.Diagnostics.ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (string a in new[] { "dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:" + Convert.ToHexString(key), "-r" })
            info.ArgumentList.Add(a);
        using var openssl = System.Diagnostics.Process.Start(info)!;
        openssl.StandardInput.Write(data);
        openssl.StandardInput.Close();
        string output = openssl.StandardOutput.ReadToEnd();
        openssl.WaitForExit();
        return output.Split(' ')[0].Trim();
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
