using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using TrustedCompute.Store;
using TrustedCompute.Tpm;

namespace TrustedCompute.Enrollment;

/// <summary>What one attestation against the registry is given: the evidence, who was asked, and what was asked.</summary>
public sealed record EnrolledAttestationRequest(AttestationEvidence Evidence)
{
    /// <summary>The host the verifier reached (session, SSH target, -HostName); null for evidence of unknown origin.</summary>
    public string? TargetName { get; init; }
    public byte[]? ExpectedNonce { get; init; }
    public IReadOnlyList<PcrSelection>? ExpectedSelection { get; init; }
}

/// <summary>
/// Verifies evidence against the host registry: the AK, the previous result and the policy come from the store, the
/// result is named by the registry and recorded. A host that is not enrolled is at best Unknown; an enrolled host that
/// presents another AK or EK is Untrusted. One instance per thread (it caches parsed policies).
/// </summary>
public sealed class EnrolledHostVerifier(IAttestationStore store, AttestationPolicy? policyOverride = null, bool retainEvidence = false)
{
    private const int RecentResults = 20;
    private readonly Dictionary<string, PolicyEntry> _policies = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A stored policy as parsed (null when missing or invalid), how results name it and the digest of its row.</summary>
    private sealed record PolicyEntry(AttestationPolicy? Policy, string? Problem, string Label, string Digest);

    public AttestationResult Verify(EnrolledAttestationRequest request)
    {
        var evidence = request.Evidence;
        string? akName = ComputedKeyName(evidence);
        EnrolledHost? byTarget = request.TargetName is { Length: > 0 } target ? store.GetHost(target) : null;
        EnrolledHost? byKey = akName is null ? null : store.GetHostByAttestationKey(akName);
        var reasons = new List<AttestationReason>();
        var options = new VerificationOptions
        {
            ExpectedNonce = request.ExpectedNonce, ExpectedSelection = request.ExpectedSelection, Policy = policyOverride,
        };

        EnrolledHost? host = byTarget ?? (request.TargetName is null ? byKey : null);
        if (host is null)
        {
            string name = request.TargetName ?? evidence.HostName ?? "";
            reasons.Add(byKey is null
                ? new AttestationReason(ReasonIds.EnrollmentNone, ReasonSeverity.Indeterminate,
                    $"{Show(name)} is not enrolled and its attestation key is in no enrollment: register it with Register-TrustedHost")
                : Mismatch($"{Show(name)} is not enrolled, yet it presented the attestation key enrolled for {Show(byKey.Name)}"));
            var unenrolled = QuoteVerifier.Verify(evidence, options with { TrustEvidenceKey = true, HostName = name });
            return unenrolled.With(reasons);
        }

        if (byKey is null || !string.Equals(byKey.Name, host.Name, StringComparison.OrdinalIgnoreCase))
            reasons.Add(Mismatch(byKey is null
                ? $"{Show(host.Name)} presented an attestation key that is not the one enrolled for it"
                : $"{Show(host.Name)} presented the attestation key enrolled for {Show(byKey.Name)}"));
        if (evidence.EndorsementKeyPublic is { Length: > 0 } ek && !ek.AsSpan().SequenceEqual(host.EndorsementKeyPublic))
            reasons.Add(Mismatch($"{Show(host.Name)} presented an endorsement key that is not the one enrolled for it"));
        if (host.EndorsementKeyReasons.Length > 0)
            reasons.Add(new AttestationReason(ReasonIds.EnrollmentEndorsementKey, ReasonSeverity.Indeterminate,
                $"The EK certificate of {Show(host.Name)} did not validate at enrollment: " +
                string.Join("; ", host.EndorsementKeyReasons.Select(r => r.Id))));

        options = options with
        {
            HostName = host.Name,
            ExpectedAttestationKey = EnrolledKey(host, reasons),
            Previous = Previous(host),
        };
        if (policyOverride is null && host.PolicyName.Length > 0)
        {
            var stored = StoredPolicy(host.PolicyName);
            if (stored.Problem is { } problem)
                reasons.Add(new AttestationReason(ReasonIds.EnrollmentPolicy, ReasonSeverity.Indeterminate, problem));
            options = options with { Policy = stored.Policy, PolicyLabel = stored.Label, PolicyDigest = stored.Digest };
        }
        var result = QuoteVerifier.Verify(evidence, options).With(reasons);
        store.AddResult(result, retainEvidence ? evidence : null);
        return result;
    }

    /// <summary>The policy a host would be judged by (for choosing what to quote): the override, else its stored one.</summary>
    public AttestationPolicy? PolicyFor(string hostName)
    {
        if (policyOverride is not null) return policyOverride;
        var host = store.GetHost(hostName);
        return host is { PolicyName.Length: > 0 } ? StoredPolicy(host.PolicyName).Policy : null;
    }

    /// <summary>
    /// The newest result of the enrolled AK that carries counters (a failed attempt in between must not blind the
    /// rollback check), else the newest result of that AK, which then says why reboots were not checked. Results of
    /// an AK enrolled before (the host was enrolled again) are not this key's history. When the recent results since
    /// enrollment hold none of this AK (a long run of failed collections), its counters are out of sight: a result
    /// without counters stands in, so the check says so instead of passing as a first attestation.
    /// </summary>
    private AttestationResult? Previous(EnrolledHost host)
    {
        var recent = store.GetResults(new ResultQuery { HostName = host.Name, Last = RecentResults });
        var mine = recent.Where(r => string.Equals(r.AttestationKeyName, host.AttestationKeyName, StringComparison.OrdinalIgnoreCase)).ToList();
        var found = mine.FirstOrDefault(r => r is { ResetCount: not null, RestartCount: not null, Clock: not null }) ?? mine.FirstOrDefault();
        if (found is not null || recent.Count < RecentResults || recent[^1].Time < host.EnrolledAt) return found;
        return new AttestationResult
        {
            HostName = host.Name, AttestationKeyName = host.AttestationKeyName, Verdict = AttestationVerdict.Unknown, Reasons = [],
            Time = recent[^1].Time,
        };
    }

    private static TpmPublic? EnrolledKey(EnrolledHost host, List<AttestationReason> reasons)
    {
        try { return TpmPublic.FromTpm2BPublic(host.AttestationKeyPublic); }
        catch (TpmProtocolException e)
        {
            reasons.Add(new AttestationReason(ReasonIds.EnrollmentMismatch, ReasonSeverity.Failure,
                $"The enrolled attestation key of {Show(host.Name)} does not parse: {e.Message}"));
            return null;
        }
    }

    /// <summary>The newest version of a stored policy; its digest is of the stored text, which an auditor can hash again.</summary>
    private PolicyEntry StoredPolicy(string name)
    {
        if (_policies.TryGetValue(name, out var cached)) return cached;
        var stored = store.GetPolicy(name);
        PolicyEntry entry;
        if (stored is null) entry = new(null, $"The host's policy '{name}' is not in the store", $"{name} (missing)", "");
        else
        {
            try { entry = new(PolicyYaml.Parse(stored.Yaml), null, stored.ToString(), stored.Digest); }
            catch (AttestationPolicyException e)
            {
                entry = new(null, $"The stored policy {stored} is invalid: {e.Message}", $"{stored} (invalid)", stored.Digest);
            }
        }
        return _policies[name] = entry;
    }

    private static string? ComputedKeyName(AttestationEvidence evidence)
    {
        try { return HexText.Lower(TpmPublic.FromTpm2BPublic(evidence.AttestationKeyPublic ?? []).Name()); }
        catch (TpmProtocolException) { return null; }
    }

    private static AttestationReason Mismatch(string message) => new(ReasonIds.EnrollmentMismatch, ReasonSeverity.Failure, message);

    private static string Show(string name) => $"'{name}'";
}
