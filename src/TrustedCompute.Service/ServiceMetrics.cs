using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace TrustedCompute.Service;

/// <summary>Request counts and latency histograms per route and status, written in the Prometheus text format.</summary>
public sealed class ServiceMetrics
{
    private static readonly double[] Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly ConcurrentDictionary<(string Route, int Status), long> _requests = new();
    private readonly ConcurrentDictionary<string, Histogram> _latency = new();

    public void Record(string route, int status, TimeSpan elapsed)
    {
        _requests.AddOrUpdate((route, status), 1, (_, n) => n + 1);
        _latency.GetOrAdd(route, _ => new Histogram()).Observe(elapsed.TotalSeconds);
    }

    /// <summary>The exposition text: the trust gauges from <paramref name="hosts"/>, then the request metrics.</summary>
    public string Write(IReadOnlyCollection<HostTrust> hosts, DateTime now)
    {
        var text = new StringBuilder();
        text.Append("# HELP trustedcompute_hosts Enrolled hosts by the trust level the service reports.\n");
        text.Append("# TYPE trustedcompute_hosts gauge\n");
        foreach (TrustLevel level in Enum.GetValues<TrustLevel>())
        {
            text.Append(CultureInfo.InvariantCulture,
                $"trustedcompute_hosts{{trust_lvl=\"{OpenAttestationApi.Wire(level)}\"}} {hosts.Count(h => h.Level == level)}\n");
        }
        var times = hosts.Where(h => h.Result is not null)
            .Select(h => DateTime.SpecifyKind(h.Result!.Time, DateTimeKind.Utc)).ToList();
        text.Append("# HELP trustedcompute_hosts_without_result Enrolled hosts with no result at all.\n");
        text.Append("# TYPE trustedcompute_hosts_without_result gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"trustedcompute_hosts_without_result {hosts.Count - times.Count}\n");
        if (times.Count > 0)
        {
            text.Append("# HELP trustedcompute_oldest_latest_result_age_seconds Age of the oldest of the hosts' newest results.\n");
            text.Append("# TYPE trustedcompute_oldest_latest_result_age_seconds gauge\n");
            text.Append(Line("trustedcompute_oldest_latest_result_age_seconds", (now - times.Min()).TotalSeconds));
            text.Append("# HELP trustedcompute_last_sweep_timestamp_seconds Time of the newest result (Unix seconds).\n");
            text.Append("# TYPE trustedcompute_last_sweep_timestamp_seconds gauge\n");
            text.Append(Line("trustedcompute_last_sweep_timestamp_seconds",
                (times.Max() - DateTime.UnixEpoch).TotalSeconds));
        }

        text.Append("# HELP trustedcompute_http_requests_total HTTP requests answered, by route and status.\n");
        text.Append("# TYPE trustedcompute_http_requests_total counter\n");
        var requests = _requests.OrderBy(p => p.Key.Route, StringComparer.Ordinal).ThenBy(p => p.Key.Status);
        foreach (var ((route, status), count) in requests)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"trustedcompute_http_requests_total{{route=\"{route}\",code=\"{status}\"}} {count}\n");
        }
        text.Append("# HELP trustedcompute_http_request_duration_seconds Time to answer, by route.\n");
        text.Append("# TYPE trustedcompute_http_request_duration_seconds histogram\n");
        foreach (var (route, histogram) in _latency.OrderBy(p => p.Key, StringComparer.Ordinal))
            histogram.Write(text, "trustedcompute_http_request_duration_seconds", route);
        return text.ToString();
    }

    private static string Line(string name, double value) =>
        string.Create(CultureInfo.InvariantCulture, $"{name} {value:0.###}\n");

    private sealed class Histogram
    {
        private readonly long[] _counts = new long[Buckets.Length + 1];
        private long _sumMicroseconds;

        public void Observe(double seconds)
        {
            int i = 0;
            while (i < Buckets.Length && seconds > Buckets[i]) i++;
            Interlocked.Increment(ref _counts[i]);
            Interlocked.Add(ref _sumMicroseconds, (long)(seconds * 1e6));
        }

        public void Write(StringBuilder text, string name, string route)
        {
            long cumulative = 0;
            for (int i = 0; i < Buckets.Length; i++)
            {
                cumulative += Interlocked.Read(ref _counts[i]);
                text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{route=\"{route}\",le=\"{Buckets[i]}\"}} {cumulative}\n");
            }
            cumulative += Interlocked.Read(ref _counts[^1]);
            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{route=\"{route}\",le=\"+Inf\"}} {cumulative}\n");
            double sum = Interlocked.Read(ref _sumMicroseconds) / 1e6;
            text.Append(CultureInfo.InvariantCulture, $"{name}_sum{{route=\"{route}\"}} {sum}\n");
            text.Append(CultureInfo.InvariantCulture, $"{name}_count{{route=\"{route}\"}} {cumulative}\n");
        }
    }
}
