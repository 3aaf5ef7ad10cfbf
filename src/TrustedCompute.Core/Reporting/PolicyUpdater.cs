using System.Globalization;
using System.Text.RegularExpressions;
using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;

namespace TrustedCompute.Reporting;

public enum PolicyChangeKind
{
    /// <summary>A value the known-good host shows becomes an allowed alternative.</summary>
    Add,
    /// <summary>An allowed value the known-good host does not show is removed (-Retire).</summary>
    Retire,
    /// <summary>The reference log is replaced by the known-good host's.</summary>
    Reference,
}

/// <summary>One change of a policy update: "add pcrs.sha256.4 ab12…".</summary>
public sealed record PolicyChange(PolicyChangeKind Kind, string Field, string Value)
{
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} {Field} {Value}";
}

/// <summary>What an update would do: the policy before and after, and each change.</summary>
public sealed record PolicyUpdatePlan(AttestationPolicy Current, AttestationPolicy Updated, IReadOnlyList<PolicyChange> Changes)
{
    /// <summary>True when the known-good host shows nothing the policy does not allow already (and nothing to retire).</summary>
    public bool IsEmpty => Changes.All(c => c.Kind == PolicyChangeKind.Reference);
}

/// <summary>The evidence cannot be used to update a policy: it did not verify, or it lacks what the policy reads.</summary>
public sealed class PolicyUpdateException(string message, IReadOnlyList<AttestationReason>? reasons = null) : Exception(message)
{
    public IReadOnlyList<AttestationReason> Reasons { get; } = reasons ?? [];
}

/// <summary>
/// Patch day: adds what a known-good, updated host shows (PCR values, boot application, command line and TXT
/// digests) as allowed alternatives, recording who approved it and when; with retire, also removes every allowed
/// value the host does not show. The host's evidence must verify (quote, key, log replay) with nothing failing.
/// </summary>
public static class PolicyUpdater
{
    private static readonly HashSet<string> TolerableUnknowns = [ReasonIds.QuoteFreshness, ReasonIds.TpmCounters, ReasonIds.PolicyNone];
    private static readonly int[] CommandLinePcrs = [8, 9, 12];

    /// <exception cref="PolicyUpdateException">The evidence did not verify or does not give what the policy reads.</exception>
    public static PolicyUpdatePlan Plan(AttestationPolicy current, AttestationEvidence evidence, VerificationOptions verification,
        string approvedBy, DateTime approvedAt, bool retire = false, string comment = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(approvedBy);
        var result = QuoteVerifier.Verify(evidence, verification with { Policy = null });
        var blocking = result.Reasons.Where(r => r.Severity == ReasonSeverity.Failure
            || r.Severity == ReasonSeverity.Indeterminate && !TolerableUnknowns.Contains(r.Id)).ToList();
        if (blocking.Count > 0)
            throw new PolicyUpdateException("The evidence does not verify, so it cannot be the known-good host: "
                + string.Join("; ", blocking.Select(r => r.ToString())), blocking);

        // No failure means every reported PCR value is covered by a verified quote and the log (if any) replayed.
        var values = evidence.PcrValues.ToDictionary(p => (PcrBanks.Parse(p.Bank), p.Index), p => HexText.Lower(p.Value));
        var updated = PolicyYaml.Parse(PolicyYaml.Serialize(current));
        var changes = new List<PolicyChange>();
        UpdatePcrs(updated, values, retire, changes);
        var log = evidence.EventLog.Length == 0 ? null : TcgEventLog.Parse(evidence.EventLog, new EventLogParseOptions { Quirks = updated.QuirkFlags });
        if (updated.Events is { } events && (events.BootApplications?.Allowed is not null || events.KernelCommandLine?.Allowed is not null
                || events.TxtSinit is not null || events.TxtMle is not null))
            UpdateEvents(updated, events, log ?? throw new PolicyUpdateException("The policy has event rules but the evidence has no event log"),
                values, retire, changes);
        if (updated.ReferenceLog is { Count: > 0 } && log is not null && updated.Pcrs is { } pcrs)
        {
            updated.ReferenceLog = AttestationPolicy.ReferenceEvents(evidence, pcrs);
            changes.Add(new PolicyChange(PolicyChangeKind.Reference, "referenceLog", $"{updated.ReferenceLog.Count} events of {verification.HostName}"));
        }
        if (changes.Any(c => c.Kind != PolicyChangeKind.Reference))
        {
            updated.Approvals ??= [];
            updated.Approvals.Add(new PolicyApproval
            {
                By = approvedBy, At = approvedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                HostName = verification.HostName, EvidenceDigest = result.EvidenceDigest,
                Comment = comment.Length == 0 ? null : LogEvent.Clean(comment),
                Changes = changes.Select(c => LogEvent.Clean(c.ToString())).ToList(),
            });
        }
        return new PolicyUpdatePlan(current, updated.Snapshot(), changes);
    }

    private static void UpdatePcrs(AttestationPolicy policy, Dictionary<(TpmAlgId, int), string> values, bool retire, List<PolicyChange> changes)
    {
        foreach (var (bankName, byIndex) in policy.Pcrs ?? [])
        {
            var bank = PcrBanks.Parse(bankName);
            foreach (int index in byIndex.Keys.Order().ToList())
            {
                if (!values.TryGetValue((bank, index), out var shown))
                    throw new PolicyUpdateException($"The evidence gives no value of PCR {bankName}:{index}, which the policy names");
                Merge(byIndex[index], [shown], $"pcrs.{bankName}.{index}", retire, changes, StringComparer.OrdinalIgnoreCase);
            }
        }
    }

    private static void UpdateEvents(AttestationPolicy policy, PolicyEvents events, TcgEventLog log, Dictionary<(TpmAlgId, int), string> values,
        bool retire, List<PolicyChange> changes)
    {
        IEnumerable<TcgEvent> Extends(params int[] pcrs) => log.Events.Where(e => e.IsExtended && pcrs.Contains(e.PcrIndex));
        string? Strong(TcgEvent e) => RuleBanks(policy, values, e.PcrIndex).Select(e.GetDigest).FirstOrDefault(d => d is not null) is { } d
            ? HexText.Lower(d) : null;

        if (events.BootApplications?.Allowed is { } apps)
        {
            var shown = Extends(4).Where(e => e.DigestCheck != DigestCheckStatus.Verified).Select(Strong).OfType<string>().Distinct().ToList();
            Merge(apps, shown, "events.bootApplications.allowed", retire, changes, StringComparer.OrdinalIgnoreCase);
        }
        if (events.TxtSinit is { } sinit)
            Merge(sinit, Extends(17, 18).Where(e => e.EventType == TcgEventType.EV_TXT_SINIT_PUBKEY_HASH).Select(Strong).OfType<string>().ToList(),
                "events.txtSinit", retire, changes, StringComparer.OrdinalIgnoreCase);
        if (events.TxtMle is { } mle)
            Merge(mle, Extends(17, 18).Where(e => e.EventType == TcgEventType.EV_TXT_MLE_HASH).Select(Strong).OfType<string>().ToList(),
                "events.txtMle", retire, changes, StringComparer.OrdinalIgnoreCase);
        if (events.KernelCommandLine?.Allowed is { } patterns)
        {
            var lines = Extends(CommandLinePcrs).Select(PolicyEventRules.CommandLine).OfType<string>().Distinct().ToList();
            foreach (var line in lines.Where(l => !patterns.Any(p => Matches(p, l))))
            {
                string exact = "^" + Regex.Escape(line) + "$";
                patterns.Add(exact);
                changes.Add(new PolicyChange(PolicyChangeKind.Add, "events.kernelCommandLine.allowed", exact));
            }
            if (!retire) return;
            foreach (var unused in patterns.Where(p => !lines.Any(l => Matches(p, l))).ToList())
            {
                patterns.Remove(unused);
                changes.Add(new PolicyChange(PolicyChangeKind.Retire, "events.kernelCommandLine.allowed", unused));
            }
        }
    }

    private static bool Matches(string pattern, string text)
    {
        try { return Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromMilliseconds(250)); }
        catch (RegexMatchTimeoutException) { return false; }
    }

    /// <summary>Quoted banks of a PCR a rule may read (as the policy's event rules choose them), strongest first.</summary>
    private static List<TpmAlgId> RuleBanks(AttestationPolicy policy, Dictionary<(TpmAlgId Bank, int Index), string> values, int pcr)
    {
        int minimum = policy.Banks?.MinimumHash is { } m ? PcrBanks.DigestSize(PcrBanks.Parse(m)) : 0;
        var required = policy.Banks?.Required?.Select(PcrBanks.Parse).ToHashSet();
        return values.Keys.Where(k => k.Index == pcr && PcrBanks.DigestSize(k.Bank) >= minimum && (required is null || required.Contains(k.Bank)))
            .Select(k => k.Bank).OrderByDescending(PcrBanks.DigestSize).ToList();
    }

    private static void Merge(List<string> allowed, IReadOnlyCollection<string> shown, string field, bool retire, List<PolicyChange> changes,
        StringComparer comparer)
    {
        foreach (var value in shown.Where(v => !allowed.Contains(v, comparer)))
        {
            allowed.Add(value);
            changes.Add(new PolicyChange(PolicyChangeKind.Add, field, value));
        }
        if (!retire) return;
        foreach (var old in allowed.Where(a => !shown.Contains(a, comparer)).ToList())
        {
            allowed.Remove(old);
            changes.Add(new PolicyChange(PolicyChangeKind.Retire, field, old.ToLowerInvariant()));
        }
    }
}
