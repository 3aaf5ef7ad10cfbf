using System.Security.Cryptography;
using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tests.EventLog;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Attestation;

/// <summary>Evidence collected from swtpm by our collector, verified by our verifier; tpm2-tools extends the log's digests.</summary>
public sealed class SwtpmAttestationTests(SwtpmFixture swtpm) : IClassFixture<SwtpmFixture>
{
    private const uint RsaAk = 0x81010040, EccAk = 0x81010041;
    private static readonly IReadOnlyList<PcrSelection> Selection =
        [PcrSelection.Create(TpmAlgId.Sha1, [0, 8, 9, 16]), PcrSelection.Create(TpmAlgId.Sha256, [0, 8, 9, 16])];

    private TpmPublic EnsureAk(TpmClient tpm, uint handle, AttestationKeyType type)
    {
        try { return TpmOperations.ReadAttestationKey(tpm, handle).Public; }
        catch (TpmException) { return TpmOperations.CreateAttestationKey(tpm, type, handle).Public; }
    }

    private (AttestationEvidence Evidence, TpmPublic Ak) Collect(uint handle, byte[] nonce, byte[]? log = null,
        IReadOnlyList<PcrSelection>? selection = null)
    {
        swtpm.Require();
        using var tpm = TpmClient.Open(swtpm.ConnectionString);
        var ak = EnsureAk(tpm, handle, handle == RsaAk ? AttestationKeyType.RsaSsa : AttestationKeyType.EcDsa);
        return (EvidenceCollector.Collect(tpm, handle, nonce, selection ?? Selection, log, "swtpm-host"), ak);
    }

    /// <summary>An enrolled host: its name, AK, a fresh nonce, the selection asked for and golden values (of <paramref name="golden"/>).</summary>
    private static VerificationOptions Expect(TpmPublic ak, byte[] nonce, AttestationEvidence golden, IReadOnlyList<PcrSelection>? selection = null) => new()
    {
        HostName = "swtpm-host", ExpectedAttestationKey = ak, ExpectedNonce = nonce, ExpectedSelection = selection ?? Selection,
        Policy = AttestationPolicy.FromEvidence(golden),
    };

    [SkippableFact]
    public void CollectedEvidenceVerifiesWithOneQuotePerBankAndTheEkCertificate()
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        var (evidence, ak) = Collect(RsaAk, nonce);
        Assert.Equal(2, evidence.Quotes.Length);
        Assert.Equal(8, evidence.PcrValues.Length);
        Assert.NotEmpty(evidence.EndorsementKeyCertificate);
        using (var tpm = TpmClient.Open(swtpm.ConnectionString))
        {
            var ek = TpmOperations.GetEndorsementKey(tpm, EndorsementKeyType.Rsa2048);
            Assert.Equal(ek.Name, TpmPublic.FromTpm2BPublic(evidence.EndorsementKeyPublic).Name());
            Assert.Equal(ek.Certificate!.RawData, evidence.EndorsementKeyCertificate);
        }
        var result = QuoteVerifier.Verify(AttestationEvidence.FromJson(evidence.ToJson()), Expect(ak, nonce, evidence));
        Assert.Empty(result.Reasons);
        Assert.Equal(AttestationVerdict.Trusted, result.Verdict);
        Assert.Equal("swtpm-host", result.HostName);
    }

    [SkippableFact]
    public void ReplayedEvidenceWithAnOldNonceIsUntrusted()
    {
        byte[] old = RandomNumberGenerator.GetBytes(32);
        var (evidence, ak) = Collect(EccAk, old);
        Assert.Equal(AttestationVerdict.Trusted, QuoteVerifier.Verify(evidence, Expect(ak, old, evidence)).Verdict);
        var replay = QuoteVerifier.Verify(evidence, Expect(ak, RandomNumberGenerator.GetBytes(32), evidence));
        Assert.Equal(AttestationVerdict.Untrusted, replay.Verdict);
        Assert.Equal(2, replay.Reasons.Count(r => r.Id == ReasonIds.QuoteNonce)); // one per bank's quote
        Assert.DoesNotContain(replay.Reasons, r => r.Id.StartsWith("quote.", StringComparison.Ordinal) && r.Id != ReasonIds.QuoteNonce);
    }

    [SkippableFact]
    public void EvidenceFromAnotherAttestationKeyIsUntrusted()
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(20);
        var (_, rsaAk) = Collect(RsaAk, nonce);
        var (evidence, _) = Collect(EccAk, nonce);
        var result = QuoteVerifier.Verify(evidence, Expect(rsaAk, nonce, evidence));
        Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
        Assert.Contains(ReasonIds.QuoteKey, Vectors.Ids(result));
        Assert.Contains(ReasonIds.QuoteSignature, Vectors.Ids(result));
    }

    [SkippableFact]
    public void LogEditedAfterQuotingFailsReplayOnTheEditedPcr()
    {
        swtpm.Require();
        var log = new SyntheticLog(TpmAlgId.Sha1, TpmAlgId.Sha256)
            .Action(8, "attestation-test kernel").Action(9, "attestation-test initrd").Separator(8).ToArray();
        foreach (var e in TcgEventLog.Parse(log).Events.Where(e => e.IsExtended))
            swtpm.Tpm2("tpm2_pcrextend", $"{e.PcrIndex}:" + string.Join(",", e.Digests.Select(d => $"{d.Bank}={d.Hex}")));
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        IReadOnlyList<PcrSelection> logged = [PcrSelection.Create(TpmAlgId.Sha1, [8, 9]), PcrSelection.Create(TpmAlgId.Sha256, [8, 9])];
        var (evidence, ak) = Collect(RsaAk, nonce, log, logged);
        var expect = Expect(ak, nonce, evidence, logged);
        Assert.Equal(AttestationVerdict.Trusted, QuoteVerifier.Verify(evidence, expect).Verdict);

        var edited = new SyntheticLog(TpmAlgId.Sha1, TpmAlgId.Sha256)
            .Action(8, "attestation-test kernel").Action(9, "attestation-test initrd (edited)").Separator(8).ToArray();
        evidence.EventLog = edited;
        var result = QuoteVerifier.Verify(evidence, expect);
        Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
        Assert.All(result.Reasons, r => Assert.Equal((ReasonIds.EventLogReplay, 9), (r.Id, r.Pcr)));
        Assert.Equal(["sha1", "sha256"], result.Reasons.Select(r => r.Bank).Order());
    }

    [SkippableFact]
    public void PolicyFromGoldenEvidenceFailsAfterAPcrExtendNamingThePcr()
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        var (golden, ak) = Collect(RsaAk, nonce);
        var policy = PolicyYaml.Parse(PolicyYaml.Serialize(AttestationPolicy.FromEvidence(golden)));
        Assert.Equal(AttestationVerdict.Trusted, QuoteVerifier.Verify(golden, Expect(ak, nonce, golden) with { Policy = policy }).Verdict);

        swtpm.Tpm2("tpm2_pcrextend", "16:sha256=" + Convert.ToHexString(SHA256.HashData("rogue"u8)));
        byte[] next = RandomNumberGenerator.GetBytes(32);
        var (later, _) = Collect(RsaAk, next);
        var result = QuoteVerifier.Verify(later, Expect(ak, next, later) with { Policy = policy });
        Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
        var reason = Assert.Single(result.Reasons);
        Assert.Equal((ReasonIds.PolicyPcr, 16, "sha256"), (reason.Id, reason.Pcr, reason.Bank));
    }
}
