using TrustedCompute.Attestation;
using TrustedCompute.Enrollment;
using TrustedCompute.Store;

namespace TrustedCompute.Fleet;

/// <summary>
/// Judges against the host registry: the AK, policy and previous result come from the store, and every result is
/// recorded, including the Unknown ones of hosts that could not be reached (the history shows the gap).
/// </summary>
public sealed class RegistryJudge(IAttestationStore store, AttestationPolicy? policyOverride = null,
    bool retainEvidence = false) : IHostJudge
{
    private readonly EnrolledHostVerifier _verifier = new(store, policyOverride, retainEvidence);

    public AttestationResult Judge(SweepTarget target, AttestationEvidence evidence, EvidenceRequest request) =>
        _verifier.Verify(new EnrolledAttestationRequest(evidence)
        {
            TargetName = target.Name, ExpectedNonce = request.Nonce, ExpectedSelection = request.Selection,
        });

    public AttestationResult NotCollected(SweepTarget target, AttestationReason reason)
    {
        var result = FleetSweep.Unknown(target, reason);
        store.AddResult(result);
        return result;
    }
}

/// <summary>Judges against a key given by the caller (or the evidence's own key); nothing is recorded.</summary>
public sealed class KeyJudge(VerificationOptions options) : IHostJudge
{
    public AttestationResult Judge(SweepTarget target, AttestationEvidence evidence, EvidenceRequest request)
    {
        if (options.ExpectedAttestationKey is null && options.ExpectedAttestationKeySpki is null && !options.TrustEvidenceKey)
            throw new InvalidOperationException("A key judge needs an expected attestation key or TrustEvidenceKey");
        return QuoteVerifier.Verify(evidence, options with
        {
            ExpectedNonce = request.Nonce, ExpectedSelection = request.Selection, HostName = target.Name,
        });
    }

    public AttestationResult NotCollected(SweepTarget target, AttestationReason reason) => FleetSweep.Unknown(target, reason);
}
