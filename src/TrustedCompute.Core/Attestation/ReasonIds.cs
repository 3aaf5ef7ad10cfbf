namespace TrustedCompute.Attestation;

/// <summary>The stable reason ids a verification can give.</summary>
public static class ReasonIds
{
    public const string EnrollmentNone = "enrollment.none";
    public const string EnrollmentMismatch = "enrollment.mismatch";
    public const string EnrollmentEndorsementKey = "enrollment.ek";
    public const string EnrollmentPolicy = "enrollment.policy";
    public const string EnrollmentActivation = "enrollment.activation";
    public const string EvidenceFormat = "evidence.format";
    public const string QuoteKey = "quote.key";
    public const string QuoteKeyUntrusted = "quote.key.untrusted";
    public const string QuoteKeyAttributes = "quote.key.attributes";
    public const string QuoteMagic = "quote.magic";
    public const string QuoteType = "quote.type";
    public const string QuoteFormat = "quote.format";
    public const string QuoteSignature = "quote.signature";
    public const string QuoteNonce = "quote.nonce";
    public const string QuoteFreshness = "quote.freshness";
    public const string QuoteSelection = "quote.selection";
    public const string QuotePcrDigest = "quote.pcrdigest";
    public const string QuoteSigner = "quote.signer";
    public const string ClockUnsafe = "clock.unsafe";
    public const string TpmRollback = "tpm.rollback";
    public const string TpmReboot = "tpm.reboot";
    public const string TpmCounters = "tpm.counters";
    public const string HostIdentity = "host.identity";
    public const string HostName = "host.name";
    public const string EventLogFormat = "eventlog.format";
    public const string EventLogReplay = "eventlog.replay";
    public const string EventLogMissing = "eventlog.missing";
    public const string PolicyPcr = "policy.pcr";
    public const string PolicyEvent = "policy.event";
    public const string PolicyBank = "policy.bank";
    public const string PolicyHash = "policy.hash";
    public const string PolicyNone = "policy.none";
    public const string PolicyError = "policy.error";
    public const string CollectFailed = "collect.failed";

    // Attestation key checks before a credential challenge (Enrollment.AttestationKeyCheck).
    public const string AkAttributes = "ak.attributes";
    public const string AkAlgorithm = "ak.algorithm";
    public const string AkName = "ak.name";

    // EK certificate validation (Enrollment/EkCertificateValidator)
    public const string EkFormat = "ek.format";
    public const string EkChain = "ek.chain";
    public const string EkAnchor = "ek.anchor";
    public const string EkExpired = "ek.expired";
    public const string EkConstraints = "ek.constraints";
    public const string EkUsage = "ek.usage";
    public const string EkMismatch = "ek.mismatch";
    public const string EkExtension = "ek.extension";
}
