using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.AspNetCore.Builder;
using TrustedCompute.Attestation;
using TrustedCompute.Service;
using TrustedCompute.Store;

namespace TrustedCompute.Benchmarks;

/// <summary>
/// PollHosts for 1,000 enrolled hosts over HTTP (Kestrel in this process, one kept-alive loopback connection), against
/// the same store queries alone (the baseline): which names are enrolled, and their newest results. One request per
/// iteration, so the percentiles are per-request latencies; the process is pinned to one core (client and server
/// share it). Goal: the HTTP layer adds at most 2x.
/// </summary>
[Config(typeof(OneCoreConfig))]
[MemoryDiagnoser]
public class ServiceBenchmarks
{
    private const int HostCount = 1000;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tc-bench-svc-" + Guid.NewGuid().ToString("N")[..8]);
    private IAttestationStore _store = null!;
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private string[] _names = [];
    private byte[] _body = [];
    private Uri _pollHosts = null!;

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_folder);
        _store = SqliteAttestationStore.Open(Path.Combine(_folder, "store.db"));
        _names = Enumerable.Range(0, HostCount).Select(i => $"compute-{i:D4}.example.org").ToArray();
        var now = DateTime.UtcNow;
        var results = new List<AttestationResult>();
        for (int i = 0; i < HostCount; i++)
        {
            _store.AddHost(new EnrolledHost { Name = _names[i], AttestationKeyName = $"000b{i:x60}" });
            for (int k = 0; k < 3; k++)
            {
                var verdict = (i + k) % 7 == 0 ? AttestationVerdict.Untrusted : AttestationVerdict.Trusted;
                AttestationReason[] reasons = verdict == AttestationVerdict.Trusted ? []
                    : [new AttestationReason("pcr.mismatch", ReasonSeverity.Failure, "PCR 7 differs") { Pcr = 7, Bank = "sha256" }];
                results.Add(new AttestationResult { HostName = _names[i], Verdict = verdict, Reasons = reasons, Time = now.AddMinutes(k - 3) });
            }
        }
        _store.AddResults(results);
        // Asked in another order than the store's.
        _names = _names.Reverse().ToArray();
        _body = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new { count = HostCount, hosts = _names }));

        _app = ServiceHost.Build(new ServiceOptions { Port = 0, BindAddress = IPAddress.Loopback }, _store);
        _app.StartAsync().GetAwaiter().GetResult();
        var address = new Uri(_app.Urls.Single());
        _pollHosts = new Uri(address, "/OpenAttestationWebServices/V1.0/PollHosts");
        _client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 });
        if (PollHosts() < HostCount * 60) throw new InvalidOperationException("PollHosts answered too little");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _app.StopAsync().GetAwaiter().GetResult();
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, true);
    }

    [Benchmark(Baseline = true, Description = "store query alone (1,000 hosts)")]
    public int StoreQuery()
    {
        var enrolled = _store.GetEnrolledHostNames(_names);
        return _store.GetLatestResults(_names.Where(enrolled.Contains)).Count;
    }

    [Benchmark(Description = "POST PollHosts over HTTP (1,000 hosts)")]
    public int PollHosts()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _pollHosts) { Content = new ByteArrayContent(_body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = _client.Send(request);
        response.EnsureSuccessStatusCode();
        return response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult().Length;
    }

    private sealed class OneCoreConfig : ManualConfig
    {
        public OneCoreConfig()
        {
            AddJob(Job.Default.WithAffinity(1).WithInvocationCount(1).WithUnrollFactor(1).WithWarmupCount(30)
                .WithIterationCount(300).WithId("OneCore"));
            AddColumn(StatisticColumn.P50, new PercentileColumn(99), StatisticColumn.OperationsPerSecond);
            WithOptions(ConfigOptions.DisableOptimizationsValidator);
        }
    }

    private sealed class PercentileColumn(int percentile) : IColumn
    {
        public string Id => $"P{percentile}-latency";
        public string ColumnName => $"P{percentile}";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Statistics;
        public int PriorityInCategory => 10;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Time;
        public string Legend => $"{percentile}th percentile of the per-request latency";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var statistics = summary[benchmarkCase]?.ResultStatistics;
            if (statistics is null) return "NA";
            double nanoseconds = statistics.Percentiles.Percentile(percentile);
            return $"{nanoseconds / 1e6:0.000} ms";
        }
    }
}
