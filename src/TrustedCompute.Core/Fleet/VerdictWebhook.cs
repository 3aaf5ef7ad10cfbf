using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using TrustedCompute.Attestation;

namespace TrustedCompute.Fleet;

/// <summary>A host whose verdict is not what its previous result said (or that has no previous result).</summary>
public sealed record VerdictChange(string HostName, AttestationVerdict? Previous, AttestationResult Result);

/// <summary>A change the webhook could not deliver after every attempt.</summary>
public sealed record WebhookFailure(VerdictChange Change, string Message);

/// <summary>
/// Posts each verdict change as JSON to one URI, in the background and in order of arrival, trying again on network
/// errors, 429 and 5xx. TLS certificates are verified by the system's trust store; plain HTTP only to loopback (a
/// verdict is not a secret, but a forged receiver must not learn the fleet's state off-box). Never follows redirects.
/// Messages name the receiver by scheme, host and port only: a webhook's path is often its secret.
/// With a signing key every attempt carries its Unix time and an HMAC-SHA256 of "time.body", so a receiver can refuse
/// forged and old posts; the body's id, the same on every attempt, lets it refuse a replay inside its window too.
/// </summary>
public sealed class VerdictWebhook : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private readonly HttpClient _http;
    private readonly Channel<(VerdictChange Change, string Body)> _queue = Channel.CreateUnbounded<(VerdictChange, string)>();
    private readonly List<WebhookFailure> _failures = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;
    private readonly byte[]? _key;
    private int _posted;

    public VerdictWebhook(Uri uri, string sweepId, string node, HttpMessageHandler? handler = null)
    {
        Uri = Check(uri);
        (SweepId, Node) = (sweepId, node);
        _http = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false }, disposeHandler: true)
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("TrustedCompute/" + typeof(VerdictWebhook).Assembly.GetName().Version?.ToString(3));
        _sender = Task.Run(SendAllAsync);
    }

    public Uri Uri { get; }
    public string SweepId { get; }
    public string Node { get; }
    public int Attempts { get; init; } = 3;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    public int Delivered { get; private set; }

    /// <summary>The HMAC key the receiver shares; none: unsigned posts.</summary>
    public byte[]? SigningKey
    {
        init => _key = value is null || value.Length >= MinimumKeyLength ? value
            : throw new ArgumentException($"The webhook secret must have at least {MinimumKeyLength} bytes");
    }

    /// <summary>Posts carry a signature.</summary>
    public bool Signed => _key is not null;

    public const string TimestampHeader = "X-TrustedCompute-Timestamp";
    public const string SignatureHeader = "X-TrustedCompute-Signature";
    /// <summary>Fewer bytes than this is no secret worth the name.</summary>
    public const int MinimumKeyLength = 16;

    /// <summary>The signature header's value: "sha256=" and the hex HMAC-SHA256 of "timestamp.body" under the key.</summary>
    public static string Signature(byte[] key, long timestamp, string body) =>
        "sha256=" + EventLog.HexText.Lower(HMACSHA256.HashData(key,
            Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body)));

    /// <summary>Refuses what cannot be a webhook: not absolute, not http(s), plain HTTP to another machine, user info.</summary>
    public static Uri Check(Uri uri)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new ArgumentException($"The webhook must be an https:// URI: {uri}");
        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
            throw new ArgumentException($"The webhook {uri.Host} is not on this machine: use https:// (plain HTTP only to loopback)");
        if (uri.UserInfo.Length > 0)
            throw new ArgumentException("The webhook URI carries credentials: they would show in logs; leave them out");
        return uri;
    }

    /// <summary>
    /// The JSON body of the <paramref name="sequence"/>th change of this sweep. Its id ("sweep-n") stays the same across
    /// attempts, so a receiver can refuse one it has taken already (a replay inside its time window).
    /// </summary>
    public string Body(VerdictChange change, int sequence) => JsonSerializer.Serialize(new
    {
        Id = $"{SweepId}-{sequence}",
        Event = "trustedcompute.verdict.changed",
        Host = change.HostName,
        Previous = change.Previous?.ToString(),
        Verdict = change.Result.Verdict.ToString(),
        Time = change.Result.Time.ToUniversalTime().ToString("O"),
        Reasons = change.Result.Reasons.Select(r => new { r.Id, Severity = r.Severity.ToString(), r.Message }),
        Sweep = SweepId,
        Node,
    }, Json);

    /// <summary>Queues one change; returns at once.</summary>
    public void Post(VerdictChange change) => _queue.Writer.TryWrite((change, Body(change, Interlocked.Increment(ref _posted))));

    /// <summary>Waits up to <paramref name="wait"/> for every queued change; what is not delivered by then is a failure.</summary>
    public IReadOnlyList<WebhookFailure> Complete(TimeSpan wait, CancellationToken cancellationToken = default)
    {
        _queue.Writer.TryComplete();
        try { _sender.Wait(wait, cancellationToken); }
        catch (OperationCanceledException) { }
        _stop.Cancel();
        try { _sender.Wait(TimeSpan.FromSeconds(2)); }
        catch (AggregateException) { }
        lock (_failures) return [.. _failures];
    }

    private async Task SendAllAsync()
    {
        await foreach (var (change, body) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            string why = _stop.IsCancellationRequested ? "stopped before it was delivered" : await SendAsync(body).ConfigureAwait(false);
            if (why.Length == 0) Delivered++;
            else lock (_failures) _failures.Add(new WebhookFailure(change, $"{Uri.GetLeftPart(UriPartial.Authority)}: {why}"));
        }
    }

    /// <summary>Every attempt for one body; empty when delivered, else why not.</summary>
    private async Task<string> SendAsync(string body)
    {
        string why = "";
        try
        {
            for (int attempt = 1; attempt <= Attempts; attempt++)
            {
                try
                {
                    using var content = new StringContent(body, Encoding.UTF8);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    if (_key is { } key)
                    {
                        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                        content.Headers.Add(TimestampHeader, now.ToString(CultureInfo.InvariantCulture));
                        content.Headers.Add(SignatureHeader, Signature(key, now, body));
                    }
                    using var response = await _http.PostAsync(Uri, content, _stop.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode) return "";
                    why = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                    if ((int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.TooManyRequests) return why;
                }
                catch (HttpRequestException e) { why = e.InnerException is { } inner ? $"{e.Message} {inner.Message}" : e.Message; }
                catch (TaskCanceledException) when (!_stop.IsCancellationRequested) { why = "no answer within 10 s"; }
                if (attempt < Attempts) await Task.Delay(RetryDelay * attempt, _stop.Token).ConfigureAwait(false);
            }
            return why;
        }
        catch (OperationCanceledException) { return why.Length > 0 ? why + "; then stopped" : "stopped before it was delivered"; }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stop.Cancel();
        try { _sender.Wait(TimeSpan.FromSeconds(2)); }
        catch (AggregateException) { }
        _http.Dispose();
        _stop.Dispose();
        if (_key is not null) CryptographicOperations.ZeroMemory(_key);
    }
}
