using System.Security.Cryptography;
using System.Text;
using TrustedCompute.Attestation;
using TrustedCompute.Enrollment;
using TrustedCompute.EventLog;
using TrustedCompute.Store;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Enrollment;

/// <summary>
/// Enrollment and registry-backed verification end to end on two swtpm simulators and a real SQLite store: the host
/// controls everything it sends; only what its TPM signs or releases counts.
/// </summary>
public sealed class EnrollmentFlowTests : IClassFixture<SwtpmFixture>, IDisposable
{
    private const uint AkHandle = 0x81010002;
    private static readonly PcrSelection[] Selection = [PcrSelection.Create(TpmAlgId.Sha256, [0, 16])];
    private readonly SwtpmFixture _tpm;
    private readonly string _dir = Directory.CreateTempSubdirectory("tc-enroll-").FullName;
    private readonly IAttestationStore _store;
    private readonly EkTrustAnchors _anchors;

    public EnrollmentFlowTests(SwtpmFixture tpm)
    {
        _tpm = tpm;
        _store = AttestationStoreFactory.Open(Path.Combine(_dir, "store.db"));
        string roots = Directory.CreateDirectory(Path.Combine(_dir, "roots")).FullName;
        if (tpm.Unavailable is null)
            foreach (var cert in new[] { "issuercert.pem", "swtpm-localca-rootca-cert.pem" })
                File.Copy(Path.Combine(tpm.CaDirectory, cert), Path.Combine(roots, cert));
        _anchors = EkTrustAnchors.Load([roots]);
    }

    public void Dispose()
    {
        _store.Dispose();
        _anchors.Dispose();
        Directory.Delete(_dir, true);
    }

    private static AttestationKeyInfo NewAk(TpmClient tpm, uint handle = AkHandle)
    {
        try { TpmOperations.RemoveAttestationKey(tpm, handle); } catch (TpmException) { }
        return TpmOperations.CreateAttestationKey(tpm, AttestationKeyType.RsaSsa, handle);
    }

    /// <summary>Enrolls the TPM's AK under <paramref name="name"/> the way Register-TrustedHost does.</summary>
    private EnrolledHost Enroll(TpmClient tpm, string name, string policyName = "")
    {
        var request = EnrollmentRequest.Collect(tpm, AkHandle, "claimed-" + name);
        var enrollment = HostEnrollment.Begin(request, _anchors, DateTime.UtcNow);
        Assert.Empty(enrollment.RequestReasons);
        Assert.True(enrollment.EndorsementKeyValidation.IsValid, string.Join("; ", enrollment.EndorsementKeyValidation.Reasons.Select(r => r.ToString())));
        byte[] secret = TpmOperations.ActivateCredential(tpm, AkHandle, enrollment.Challenge!.CredentialBlob,
            enrollment.Challenge.EncryptedSecret, request.EndorsementKeyType);
        var host = enrollment.Complete(secret, name, "tester", policyName, ["lab"]);
        _store.AddHost(host);
        return host;
    }

    private static (AttestationEvidence Evidence, byte[] Nonce) Collect(TpmClient tpm, string claimedName = "anything")
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        return (EvidenceCollector.Collect(tpm, AkHandle, nonce, Selection, null, claimedName), nonce);
    }

    private AttestationResult Verify(AttestationEvidence evidence, byte[] nonce, string? target, AttestationPolicy? policy = null) =>
        new EnrolledHostVerifier(_store, policy).Verify(new EnrolledAttestationRequest(evidence)
        {
            TargetName = target, ExpectedNonce = nonce, ExpectedSelection = Selection,
        });

    private static AttestationPolicy Golden(AttestationEvidence evidence) => AttestationPolicy.FromEvidence(evidence, name: "golden");

    [SkippableFact]
    public void Enrolled_host_is_trusted_by_the_registry_key_and_every_result_is_recorded()
    {
        _tpm.Require();
        using var tpm = TpmClient.Open(_tpm.ConnectionString);
        var ak = NewAk(tpm);
        var host = Enroll(tpm, "host-a");
        Assert.Equal(HexText.Lower(ak.Name), host.AttestationKeyName);
        Assert.Equal(["lab"], host.Tags);
        Assert.NotEmpty(host.EndorsementKeyChain);

        var (evidence, nonce) = Collect(tpm);
        var policy = Golden(evidence);
        var first = Verify(evidence, nonce, "host-a", policy);
        Assert.True(first.Verdict == AttestationVerdict.Trusted, string.Join("; ", first.Reasons.Select(r => r.ToString())));
        Assert.Equal("host-a", first.HostName);
        Assert.Equal("anything", first.ClaimedHostName);

        // Piped evidence of unknown origin is named by the registry, from the key that signed it.
        (evidence, nonce) = Collect(tpm, "liar");
        var named = Verify(evidence, nonce, null, policy);
        Assert.Equal(AttestationVerdict.Trusted, named.Verdict);
        Assert.Equal("host-a", named.HostName);

        var history = _store.GetResults(new ResultQuery { HostName = "host-a" });
        Assert.Equal(2, history.Count);
        Assert.Equal(named.EvidenceDigest, history[0].EvidenceDigest);
    }

    [SkippableFact]
    public void The_previous_result_comes_from_the_store_so_a_rollback_is_seen_across_runs()
    {
        _tpm.Require();
        using var tpm = TpmClient.Open(_tpm.ConnectionString);
        NewAk(tpm);
        Enroll(tpm, "host-b");
        var (evidence, nonce) = Collect(tpm);
        var ok = Verify(evidence, nonce, "host-b", Golden(evidence));
        Assert.Equal(AttestationVerdict.Trusted, ok.Verdict);
        Assert.NotNull(ok.ResetCount);
        // A quote whose signature fails leaves no counters behind: they were the host's to choose.
        (evidence, nonce) = Collect(tpm);
        evidence.Quotes[0].Signature[^1] ^= 1;
        var forged = Verify(evidence, nonce, "host-b", Golden(evidence));
        Assert.Equal(AttestationVerdict.Untrusted, forged.Verdict);
        Assert.Null(_store.GetResults(new ResultQuery { HostName = "host-b", Last = 1 })[0].ResetCount);
        Assert.Null(forged.Clock);
        // Another verifier process recorded a later boot of this TPM: the host now claims an earlier one.
        _store.AddResult(new AttestationResult
        {
            HostName = "host-b", AttestationKeyName = ok.AttestationKeyName, Verdict = AttestationVerdict.Trusted, Reasons = [],
            Time = DateTime.UtcNow, Clock = ok.Clock + 1_000_000, ResetCount = ok.ResetCount + 5, RestartCount = ok.RestartCount,
        });
        (evidence, nonce) = Collect(tpm);
        var r = Verify(evidence, nonce, "host-b", Golden(evidence));
        Assert.Equal(AttestationVerdict.Untrusted, r.Verdict);
        Assert.Contains(r.Reasons, x => x.Id == ReasonIds.TpmRollback);
    }

    [SkippableFact]
    public void A_long_run_of_failed_collections_does_not_make_the_next_quote_a_first_attestation()
    {
        _tpm.Require();
        using var tpm = TpmClient.Open(_tpm.ConnectionString);
        NewAk(tpm);
        Enroll(tpm, "host-g");
        var (evidence, nonce) = Collect(tpm);
        Assert.Equal(AttestationVerdict.Trusted, Verify(evidence, nonce, "host-g", Golden(evidence)).Verdict);
        // 25 sweeps could not reach the host: results without a key or counters push the good one out of the window.
        _store.AddResults([.. Enumerable.Range(0, 25).Select(_ =>
            AttestationResult.Failed("host-g", "collect.unreachable", "down", ReasonSeverity.Indeterminate))]);
        (evidence, nonce) = Collect(tpm);
        var r = Verify(evidence, nonce, "host-g", Golden(evidence));
        Assert.Equal(AttestationVerdict.Unknown, r.Verdict);
        Assert.Contains(r.Reasons, x => x.Id == ReasonIds.TpmCounters);
        (evidence, nonce) = Collect(tpm);
        Assert.Equal(AttestationVerdict.Trusted, Verify(evidence, nonce, "host-g", Golden(evidence)).Verdict);
    }

    [SkippableFact]
    public void A_new_key_on_the_same_TPM_that_was_never_activated_is_Untrusted()
    {
        _tpm.Require();
        using var tpm = TpmClient.Open(_tpm.ConnectionString);
        NewAk(tpm);
        Enroll(tpm, "host-c");
        NewAk(tpm); // the host swaps its AK: a real TPM key, but not the one enrolled
        var (evidence, nonce) = Collect(tpm);
        var r = Verify(evidence, nonce, "host-c", Golden(evidence));
        Assert.Equal(AttestationVerdict.Untrusted, r.Verdict);
        Assert.Equal(ReasonIds.EnrollmentMismatch, r.Reasons[0].Id);
        Assert.Equal("host-c", r.HostName);
        Assert.Single(_store.GetResults(new ResultQuery { HostName = "host-c" }));
    }

    [SkippableFact]
    public void Another_TPMs_evidence_under_an_enrolled_name_is_Untrusted_and_an_unenrolled_name_is_Unknown()
    {
        _tpm.Require();
        using var other = new SwtpmFixture();
        other.Require();
        using var tpm = TpmClient.Open(_tpm.ConnectionString);
        using var otherTpm = TpmClient.Open(other.ConnectionString);
        NewAk(tpm);
        Enroll(tpm, "host-d");
        NewAk(otherTpm);
        var (evidence, nonce) = Collect(otherTpm, "host-d");
        var policy = Golden(evidence);
        var r = Verify(evidence, nonce, "host-d", policy);
        Assert.Equal(AttestationVerdict.Untrusted, r.Verdict);
        Assert.Contains(r.Reasons, x => x.Id == ReasonIds.EnrollmentMismatch);

        var unenrolled = Verify(evidence, nonce, "nobody", policy);
        Assert.Equal(AttestationVerdict.Unknown, unenrolled.Verdict);
        Assert.Equal(ReasonIds.EnrollmentNone, unenrolled.Reasons[0].Id);
        Assert.Empty(_store.GetResults(new ResultQuery { HostName = "nobody" }));

        // An unenrolled name that presents an enrolled host's key is a relay, not that host: Untrusted.
        (evidence, nonce) = Collect(tpm);
        var relay = Verify(evidence, nonce, "relay", Golden(evidence));
        Assert.Equal(AttestationVerdict.Untrusted, relay.Verdict);
        Assert.Equal("relay", relay.HostName);
    }

    [SkippableFact]
    public void Evidence_claiming_another_EK_is_Untrusted_and_an_EK_that_did_not_validate_caps_at_Unknown()
    {
        _tpm.Require();
        using var tpm = TpmClient.Open(_tpm.ConnectionString);
        NewAk(tpm);
        var host = Enroll(tpm, "host-e");
        _store.UpdateHost(host with { EndorsementKeyReasons = [new AttestationReason(ReasonIds.EkChain, ReasonSeverity.Failure, "no path")] });
        var (evidence, nonce) = Collect(tpm, "host-e");
        var policy = Golden(evidence);
        var r = Verify(evidence, nonce, "host-e", policy);
        Assert.Equal(AttestationVerdict.Unknown, r.Verdict);
        Assert.True(r.Reasons.Select(x => x.Id).SequenceEqual([ReasonIds.EnrollmentEndorsementKey]), string.Join("; ", r.Reasons));

        _store.UpdateHost(host);
        (evidence, nonce) = Collect(tpm, "host-e");
        evidence.EndorsementKeyPublic = TpmOperations.GetEndorsementKey(tpm, EndorsementKeyType.EccP256).Public.ToTpm2BPublic();
        r = Verify(evidence, nonce, "host-e", policy);
        Assert.Equal(AttestationVerdict.Untrusted, r.Verdict);
        Assert.Equal(ReasonIds.EnrollmentMismatch, r.Reasons[0].Id);
    }

    [SkippableFact]
    public void The_host_is_judged_by_its_stored_policy_and_a_missing_one_is_never_Trusted()
    {
        _tpm.Require();
        using var tpm = TpmClient.Open(_tpm.ConnectionString);
        NewAk(tpm);
        Enroll(tpm, "host-f", policyName: "fleet");
        var (evidence, nonce) = Collect(tpm);
        var missing = Verify(evidence, nonce, "host-f");
        Assert.Equal(AttestationVerdict.Unknown, missing.Verdict);
        Assert.Equal("fleet (missing)", missing.Policy);
        Assert.Contains(missing.Reasons, x => x.Id == ReasonIds.EnrollmentPolicy);

        _store.AddPolicy("fleet", PolicyYaml.Serialize(Golden(evidence)), "tester");
        (evidence, nonce) = Collect(tpm);
        Assert.Equal(AttestationVerdict.Trusted, Verify(evidence, nonce, "host-f").Verdict);

        TpmOperations.ExtendPcr(tpm, 16, "rogue"u8.ToArray(), null);
        (evidence, nonce) = Collect(tpm);
        var changed = Verify(evidence, nonce, "host-f");
        Assert.Equal(AttestationVerdict.Untrusted, changed.Verdict);
        Assert.Contains(changed.Reasons, x => x.Id == ReasonIds.PolicyPcr && x.Pcr == 16);
    }

    [SkippableFact]
    public void Each_result_names_the_stored_policy_version_that_judged_it_and_the_digest_of_its_rules()
    {
        _tpm.Require();
        using var tpm = TpmClient.Open(_tpm.ConnectionString);
        NewAk(tpm);
        Enroll(tpm, "host-v", policyName: "fleet");
        var (evidence, nonce) = Collect(tpm);
        var golden = Golden(evidence);
        // the digest is of the stored text itself, comments and spacing included: what an auditor can hash again
        string v1Yaml = "# approved by the change board\n" + PolicyYaml.Serialize(golden);
        _store.AddPolicy("fleet", v1Yaml, "tester");
        var first = Verify(evidence, nonce, "host-v");
        Assert.Equal(AttestationVerdict.Trusted, first.Verdict);
        Assert.Equal("fleet v1", first.Policy);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(v1Yaml))).ToLowerInvariant(), first.PolicyDigest);

        golden.Description = "patch day";
        _store.AddPolicy("fleet", PolicyYaml.Serialize(golden), "tester", "one more comment in the rules");
        (evidence, nonce) = Collect(tpm);
        var second = Verify(evidence, nonce, "host-v");
        Assert.Equal("fleet v2", second.Policy);
        Assert.NotEqual(first.PolicyDigest, second.PolicyDigest);
        Assert.Equal(64, second.PolicyDigest.Length);

        // what the store gives back says the same, newest first
        var stored = _store.GetResults(new ResultQuery { HostName = "host-v" });
        Assert.Equal(["fleet v2", "fleet v1"], stored.Select(r => r.Policy));
        Assert.Equal([second.PolicyDigest, first.PolicyDigest], stored.Select(r => r.PolicyDigest));

        // a policy given by the caller is named by its own name; no policy names none
        (evidence, nonce) = Collect(tpm);
        var given = Verify(evidence, nonce, "host-v", AttestationPolicy.FromEvidence(evidence, name: "handmade"));
        Assert.Equal("handmade (given)", given.Policy); // never mistaken for a stored version
        Assert.Equal(64, given.PolicyDigest.Length);
        Assert.NotEqual(second.PolicyDigest, given.PolicyDigest);
        var none = QuoteVerifier.Verify(evidence, new VerificationOptions { HostName = "host-v", TrustEvidenceKey = true });
        Assert.Equal("", none.Policy);
        Assert.Equal("", none.PolicyDigest);

        // a stored version that does not parse is named, and never judges
        _store.AddPolicy("fleet", "schemaVersion: 1\npcrs: [not, a, map\n", "tester");
        (evidence, nonce) = Collect(tpm);
        var invalid = Verify(evidence, nonce, "host-v");
        Assert.Equal(AttestationVerdict.Unknown, invalid.Verdict);
        Assert.Equal("fleet v3 (invalid)", invalid.Policy);
        Assert.Contains(invalid.Reasons, r => r.Id == ReasonIds.EnrollmentPolicy);
    }

    [SkippableFact]
    public void Enrollment_needs_the_TPM_to_release_the_credential_for_exactly_that_AK_and_EK()
    {
        _tpm.Require();
        using var other = new SwtpmFixture();
        other.Require();
        using var tpm = TpmClient.Open(_tpm.ConnectionString);
        using var otherTpm = TpmClient.Open(other.ConnectionString);
        NewAk(tpm);
        var foreign = NewAk(otherTpm);
        // The host offers an AK that lives in another TPM (a cuckoo): the challenge is bound to that AK's name, so its
        // own TPM cannot release it, and a made-up answer is refused.
        var request = EnrollmentRequest.Collect(tpm, AkHandle, "cuckoo");
        request.AttestationKeyPublic = foreign.Public.ToTpm2BPublic();
        request.AttestationKeyName = foreign.Name;
        var enrollment = HostEnrollment.Begin(request, _anchors, DateTime.UtcNow);
        Assert.ThrowsAny<TpmException>(() => TpmOperations.ActivateCredential(tpm, AkHandle, enrollment.Challenge!.CredentialBlob,
            enrollment.Challenge.EncryptedSecret, request.EndorsementKeyType));
        var e = Assert.Throws<EnrollmentException>(() => enrollment.Complete(new byte[32], "cuckoo", "tester", "", []));
        Assert.Equal(ReasonIds.EnrollmentActivation, e.Reasons[0].Id);

        // A name that does not belong to the public area offered is caught before any challenge.
        request = EnrollmentRequest.Collect(tpm, AkHandle, "liar");
        request.AttestationKeyName = foreign.Name;
        enrollment = HostEnrollment.Begin(request, _anchors, DateTime.UtcNow);
        Assert.Null(enrollment.Challenge);
        Assert.Contains(enrollment.RequestReasons, r => r.Id == ReasonIds.AkName);
    }

    [SkippableFact]
    public void An_EK_certificate_that_does_not_chain_to_the_admins_anchors_is_not_enrolled_unless_allowed()
    {
        _tpm.Require();
        using var tpm = TpmClient.Open(_tpm.ConnectionString);
        NewAk(tpm);
        using var none = EkTrustAnchors.Load([Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName]);
        var request = EnrollmentRequest.Collect(tpm, AkHandle, "x");
        var enrollment = HostEnrollment.Begin(request, none, DateTime.UtcNow);
        Assert.False(enrollment.EndorsementKeyValidation.IsValid);
        byte[] secret = TpmOperations.ActivateCredential(tpm, AkHandle, enrollment.Challenge!.CredentialBlob,
            enrollment.Challenge.EncryptedSecret, request.EndorsementKeyType);
        var e = Assert.Throws<EnrollmentException>(() => enrollment.Complete(secret, "x", "tester", "", []));
        Assert.Contains(e.Reasons, r => r.Id == ReasonIds.EkChain);
        var allowed = enrollment.Complete(secret, "x", "tester", "", [], allowUnverifiedEndorsementKey: true);
        Assert.Contains(allowed.EndorsementKeyReasons, r => r.Id == ReasonIds.EkChain);
    }
}
