using System.Collections.Concurrent;

namespace TrustedCompute.Tests.OpenStack;

/// <summary>Passes requests on to the real handler and records "METHOD path?query" of each, to count the calls.</summary>
public sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public ConcurrentQueue<string> Requests { get; } = new();

    public int Count(string method, string pathStart) =>
        Requests.Count(r => r.StartsWith(method + " " + pathStart, StringComparison.Ordinal));

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue($"{request.Method} {request.RequestUri!.PathAndQuery}");
        return base.SendAsync(request, cancellationToken);
    }
}
