using TrustedCompute.Attestation;
using TrustedCompute.Store;

namespace TrustedCompute.Service;

/// <summary>The level OpenAttestation clients understand: nova compares it with trust:trusted_host.</summary>
public enum TrustLevel { Trusted, Untrusted, Unknown }

/// <summary>One host's answer: its level and the time of the attestation it comes from.</summary>
public readonly record struct HostTrust(string HostName, TrustLevel Level, DateTime VerifiedAt, AttestationResult? Result,
    bool Enrolled);

/// <summary>
/// The service's only view of the store: reads, never writes. Fail closed: a host is Trusted only when it is enrolled
/// and its newest result is Trusted and younger than the maximum age; everything else is Unknown, except a fresh
/// Untrusted result.
/// </summary>
public sealed class TrustReader(IAttestationStore store, TimeSpan maxAge, TimeProvider? clock = null)
{
    public const int MaxHostNameLength = 255;

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public TimeSpan MaxAge { get; } = maxAge;

    public string Location => store.Location;

    public DateTime UtcNow => _clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// One answer per name, in the order given (duplicates answered again); the names must pass
    /// <see cref="IsValidHostName"/>.
    /// </summary>
    public HostTrust[] GetTrust(IReadOnlyList<string> hostNames)
    {
        var enrolled = store.GetEnrolledHostNames(hostNames);
        var latest = enrolled.Count == 0 ? EmptyResults : store.GetLatestResults(hostNames.Where(enrolled.Contains));
        DateTime now = UtcNow;
        var answers = new HostTrust[hostNames.Count];
        for (int i = 0; i < answers.Length; i++)
        {
            string name = hostNames[i];
            bool isEnrolled = enrolled.Contains(name);
            AttestationResult? result = isEnrolled && latest.TryGetValue(name, out var r) ? r : null;
            answers[i] = new HostTrust(name, LevelOf(result, now), result?.Time ?? now, result, isEnrolled);
        }
        return answers;
    }

    /// <summary>Every enrolled host with its answer, ordered by name.</summary>
    public HostTrust[] GetAllTrust()
    {
        var hosts = store.GetHosts();
        var latest = store.GetLatestResults();
        DateTime now = UtcNow;
        return hosts.Select(h =>
        {
            var result = latest.TryGetValue(h.Name, out var r) ? r : null;
            return new HostTrust(h.Name, LevelOf(result, now), result?.Time ?? now, result, true);
        }).ToArray();
    }

    public EnrolledHost? GetHost(string name) => store.GetHost(name);

    public IReadOnlyList<AttestationResult> GetResults(string hostName, DateTime? since, int limit) =>
        store.GetResults(new ResultQuery { HostName = hostName, Since = since, Last = limit });

    public TrustLevel LevelOf(AttestationResult? result, DateTime now)
    {
        if (result is null) return TrustLevel.Unknown;
        DateTime time = DateTime.SpecifyKind(result.Time, DateTimeKind.Utc);
        // A result from the future is as doubtful as a stale one.
        bool fresh = now - time <= MaxAge && time - now <= TimeSpan.FromMinutes(1);
        if (!fresh) return TrustLevel.Unknown;
        return result.Verdict switch
        {
            AttestationVerdict.Trusted => TrustLevel.Trusted,
            AttestationVerdict.Untrusted => TrustLevel.Untrusted,
            _ => TrustLevel.Unknown,
        };
    }

    /// <summary>A name the store can look up: 1-255 characters, no control characters.</summary>
    public static bool IsValidHostName(string? name) =>
        !string.IsNullOrWhiteSpace(name) && name.Length <= MaxHostNameLength && !name.Any(char.IsControl);

    private static readonly IReadOnlyDictionary<string, AttestationResult> EmptyResults =
        new Dictionary<string, AttestationResult>();
}
