using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using TrustedCompute.Store;

namespace TrustedCompute.Reporting;

/// <summary>One past verdict of a host.</summary>
public sealed record HostHistoryEntry(DateTime Time, AttestationVerdict Verdict, string Reasons, string Policy = "");

/// <summary>A PCR that broke the policy: the bank, the allowed values and what the host showed.</summary>
public sealed record PcrDifference(int Pcr, string Bank, string Expected, string Actual);

/// <summary>One host's row of the report and its drill-down. Every text here may come from the host.</summary>
public sealed record HostReport
{
    public required string HostName { get; init; }
    /// <summary>Null when the host was never attested.</summary>
    public AttestationVerdict? Verdict { get; init; }
    public DateTime? LastAttested { get; init; }
    public string PolicyName { get; init; } = "";
    public int? PolicyVersion { get; init; }
    /// <summary>The policy that judged the newest result ("name vN"); empty when none was recorded.</summary>
    public string JudgedBy { get; init; } = "";
    /// <summary>The newest result was judged by other rules than the newest stored version (by digest).</summary>
    public bool JudgedByOther { get; init; }
    public string TpmManufacturer { get; init; } = "";
    public string TpmModel { get; init; } = "";
    /// <summary>The newest result's reasons in plain words (Info reasons left out).</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];
    public IReadOnlyList<HostHistoryEntry> History { get; init; } = [];
    public IReadOnlyList<PcrDifference> PcrDifferences { get; init; } = [];
    public IReadOnlyList<EventDifference> EventDifferences { get; init; } = [];
}

/// <summary>Verdict counts of one day (UTC), over every result recorded that day.</summary>
public sealed record TrendPoint(DateOnly Day, int Trusted, int Untrusted, int Unknown);

/// <summary>The fleet report: summary counts, trend, one row per host.</summary>
public sealed record FleetReport
{
    public required DateTime GeneratedAt { get; init; }
    public required string StoreLocation { get; init; }
    public required IReadOnlyList<HostReport> Hosts { get; init; }
    public required IReadOnlyList<TrendPoint> Trend { get; init; }

    public int Count(AttestationVerdict? verdict) => Hosts.Count(h => h.Verdict == verdict);

    /// <summary>
    /// Reads the report from a store: every enrolled host (and every host with results), its newest result and up to
    /// <paramref name="historyPerHost"/> earlier ones, its policy's newest version, and the event diff from the
    /// result or, when the store kept the evidence, worked out again against the policy's reference log.
    /// </summary>
    public static FleetReport FromStore(IAttestationStore store, Func<string, bool>? includeHost = null, int historyPerHost = 50,
        DateTime? now = null)
    {
        var include = includeHost ?? (_ => true);
        var hosts = store.GetHosts().Where(h => include(h.Name)).ToDictionary(h => h.Name, StringComparer.OrdinalIgnoreCase);
        var latest = store.GetLatestResults();
        var names = hosts.Keys.Concat(latest.Keys.Where(include)).Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.OrdinalIgnoreCase).ToList();
        var policies = new Dictionary<string, StoredPolicy?>(StringComparer.OrdinalIgnoreCase);
        var rows = new List<HostReport>();
        var allResults = new List<AttestationResult>();
        foreach (var name in names)
        {
            hosts.TryGetValue(name, out var host);
            var history = store.GetResults(new ResultQuery { HostName = name, Last = historyPerHost });
            allResults.AddRange(history);
            latest.TryGetValue(name, out var newest);
            string policyName = host?.PolicyName ?? "";
            if (!policies.TryGetValue(policyName, out var policy))
                policies[policyName] = policy = policyName.Length == 0 ? null : store.GetPolicy(policyName);
            rows.Add(new HostReport
            {
                HostName = name, Verdict = newest?.Verdict, LastAttested = newest?.Time,
                PolicyName = policyName, PolicyVersion = policy?.Version, JudgedBy = newest?.Policy ?? "",
                JudgedByOther = newest is { Policy.Length: > 0 } && newest.PolicyDigest != (policy?.Digest ?? ""),
                TpmManufacturer = host?.TpmManufacturer ?? "", TpmModel = host?.TpmModel ?? "",
                Reasons = newest?.Reasons.Where(r => r.Severity != ReasonSeverity.Info).Select(Plain).ToList() ?? [],
                History = history.Select(r => new HostHistoryEntry(r.Time, r.Verdict,
                    string.Join("; ", r.Reasons.Where(x => x.Severity != ReasonSeverity.Info).Select(x => x.Id).Distinct()), r.Policy)).ToList(),
                PcrDifferences = newest?.Reasons.Where(r => r.Id == ReasonIds.PolicyPcr && r.Pcr is not null)
                    .Select(r => new PcrDifference(r.Pcr!.Value, r.Bank ?? "", r.Expected ?? "", r.Actual ?? "(not quoted)")).ToList() ?? [],
                EventDifferences = newest is null ? [] : Differences(store, newest, policy),
            });
        }
        var trend = allResults.GroupBy(r => DateOnly.FromDateTime(r.Time.ToUniversalTime())).OrderBy(g => g.Key)
            .Select(g => new TrendPoint(g.Key, g.Count(r => r.Verdict == AttestationVerdict.Trusted),
                g.Count(r => r.Verdict == AttestationVerdict.Untrusted), g.Count(r => r.Verdict == AttestationVerdict.Unknown))).ToList();
        return new FleetReport { GeneratedAt = now ?? DateTime.UtcNow, StoreLocation = store.Location, Hosts = rows, Trend = trend };
    }

    /// <summary>A reason as a sentence: the message, then what was expected and seen.</summary>
    public static string Plain(AttestationReason r)
    {
        string where = r.Pcr is null ? "" : $" (PCR {r.Pcr}{(r.Bank is null ? "" : " " + r.Bank)})";
        return $"{r.Message}{where}";
    }

    private static IReadOnlyList<EventDifference> Differences(IAttestationStore store, AttestationResult result, StoredPolicy? stored)
    {
        if (result.EventDifferences.Length > 0) return result.EventDifferences;
        var pcrs = result.Reasons.Where(r => r.Id == ReasonIds.PolicyPcr && r.Actual is not null && r.Pcr is not null).Select(r => r.Pcr!.Value).ToHashSet();
        // Only a log that replayed to verified quotes is worth explaining.
        bool bound = !result.Reasons.Any(r => r.Severity == ReasonSeverity.Failure && (r.Id.StartsWith("quote.", StringComparison.Ordinal)
            || r.Id.StartsWith("eventlog.", StringComparison.Ordinal) || r.Id == ReasonIds.EvidenceFormat));
        if (pcrs.Count == 0 || !bound || stored is null || result.EvidenceDigest.Length == 0) return [];
        try
        {
            var policy = PolicyYaml.Parse(stored.Yaml);
            if (policy.ReferenceLog is not { Count: > 0 } reference) return [];
            var evidence = store.GetEvidence(result.EvidenceDigest);
            if (evidence is null || evidence.EventLog.Length == 0) return [];
            var log = TcgEventLog.Parse(evidence.EventLog, new EventLogParseOptions { Quirks = policy.QuirkFlags });
            return EventLogDiff.Compare(reference.Select(LogEvent.From).ToList(), LogEvent.FromLog(log, pcrs), pcrs);
        }
        catch (Exception e) when (e is AttestationPolicyException or EventLogFormatException or InvalidDataException
            or StoreException or TrustedCompute.Tpm.TpmProtocolException)
        {
            return [];
        }
    }
}
