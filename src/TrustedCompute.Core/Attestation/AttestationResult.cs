using System.Text.Json.Serialization;

namespace TrustedCompute.Attestation;

// Both enums are written by name in saved results: System.Text.Json through the converter, and pwsh's ConvertTo-Json
// because it writes Int64-based enums by name (it writes other enums as numbers unless -EnumsAsStrings).
// CliXml writes them by name through SerializationMethod=String in TrustedCompute.types.ps1xml.

[JsonConverter(typeof(JsonStringEnumConverter<AttestationVerdict>))]
public enum AttestationVerdict : long
{
    /// <summary>Every check passed.</summary>
    Trusted,
    /// <summary>At least one check failed.</summary>
    Untrusted,
    /// <summary>No check failed, but at least one could not be decided (e.g. freshness unknown).</summary>
    Unknown,
}

[JsonConverter(typeof(JsonStringEnumConverter<ReasonSeverity>))]
public enum ReasonSeverity : long
{
    /// <summary>Reported for information (a reboot); does not change the verdict.</summary>
    Info,
    /// <summary>Could not be decided: the verdict is at best Unknown.</summary>
    Indeterminate,
    /// <summary>A check failed: the verdict is Untrusted.</summary>
    Failure,
}

/// <summary>One finding, with a stable <see cref="Id"/> (quote.signature, eventlog.replay, policy.pcr, ...) and its context.</summary>
public sealed record AttestationReason(string Id, ReasonSeverity Severity, string Message)
{
    public int? Pcr { get; init; }
    public string? Bank { get; init; }
    public string? Expected { get; init; }
    public string? Actual { get; init; }

    public override string ToString() =>
        $"{Id}: {Message}{(Pcr is null ? "" : $" (PCR {Pcr}{(Bank is null ? "" : " " + Bank)})")}";
}

/// <summary>The verdict on one host's evidence, with every reason behind it.</summary>
public sealed class AttestationResult
{
    /// <summary>The host as the verifier named it (session, caller, registry); never only what the evidence claims.</summary>
    public required string HostName { get; init; }
    /// <summary>The host name the evidence claims (shown, never trusted); empty when there was no evidence.</summary>
    public string ClaimedHostName { get; init; } = "";
    /// <summary>Name of the attestation key that signed the quote (hex); the reboot and rollback checks are keyed on it.</summary>
    public string AttestationKeyName { get; init; } = "";
    public required AttestationVerdict Verdict { get; init; }
    public required AttestationReason[] Reasons { get; init; }
    /// <summary>When the verdict was made (UTC).</summary>
    public DateTime Time { get; init; }
    /// <summary>SHA-256 of the evidence (hex); empty when there was no evidence.</summary>
    public string EvidenceDigest { get; init; } = "";
    /// <summary>TPM counters from the quote, for the next verification's rollback check; null when no quote parsed.</summary>
    public ulong? Clock { get; init; }
    public uint? ResetCount { get; init; }
    public uint? RestartCount { get; init; }
    /// <summary>
    /// When a quoted PCR broke the policy and the policy keeps a reference log: what changed, event by event, in
    /// those PCRs of a log that replayed. It only explains; the verdict comes from <see cref="Reasons"/> alone.
    /// </summary>
    public TrustedCompute.Reporting.EventDifference[] EventDifferences { get; init; } = [];
    /// <summary>The policy that judged: a stored policy's "name vN", else the given policy's name; empty without one.</summary>
    public string Policy { get; init; } = "";
    /// <summary>SHA-256 (hex) of that policy's canonical YAML, so an audit can tell exactly which rules judged; empty without one.</summary>
    public string PolicyDigest { get; init; } = "";

    public static AttestationVerdict VerdictOf(IEnumerable<AttestationReason> reasons)
    {
        var list = reasons.ToList();
        if (list.Any(r => r.Severity == ReasonSeverity.Failure)) return AttestationVerdict.Untrusted;
        return list.Any(r => r.Severity == ReasonSeverity.Indeterminate) ? AttestationVerdict.Unknown : AttestationVerdict.Trusted;
    }

    /// <summary>A result for a host whose evidence could not be had or read at all.</summary>
    public static AttestationResult Failed(string hostName, string id, string message, ReasonSeverity severity = ReasonSeverity.Failure) => new()
    {
        HostName = hostName,
        Verdict = VerdictOf([new AttestationReason(id, severity, message)]),
        Reasons = [new AttestationReason(id, severity, message)],
        Time = DateTime.UtcNow,
    };

    /// <summary>This result with more reasons (first) and, when given, another host name; the verdict is worked out again.</summary>
    public AttestationResult With(IReadOnlyCollection<AttestationReason> reasons, string? hostName = null)
    {
        AttestationReason[] all = [.. reasons, .. Reasons];
        return new AttestationResult
        {
            HostName = hostName ?? HostName, ClaimedHostName = ClaimedHostName, AttestationKeyName = AttestationKeyName,
            Verdict = VerdictOf(all), Reasons = all, Time = Time, EvidenceDigest = EvidenceDigest,
            Clock = Clock, ResetCount = ResetCount, RestartCount = RestartCount, EventDifferences = EventDifferences,
            Policy = Policy, PolicyDigest = PolicyDigest,
        };
    }

    public override string ToString() => $"{HostName}: {Verdict}";
}
