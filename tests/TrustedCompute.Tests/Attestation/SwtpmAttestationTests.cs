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

    private (AttestationEvidence Evidence, TpmPublic Ak) Collect(uint handle, byte[] nonce, byte[]? log = null)
    {
        swtpm.Require();
        using var tpm = TpmClient.Open(swtpm.ConnectionString);
        var ak = EnsureAk(tpm, handle, handle == RsaAk ? AttestationKeyType.RsaSsa : AttestationKeyType.EcDsa);
        return (EvidenceCollector.Collect(tpm, handle, nonce, Selection, log, "swtpm-host"), ak);
    }

    private static VerificationOptions Expect(TpmPublic ak, byte[] nonce) =>
        new() { ExpectedAttestationKey = ak, ExpectedNonce = nonce, ExpectedSelection = Selection };

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
        var result = QuoteVerifier.Verify(AttestationEvidence.FromJson(evidence.ToJson()), Expect(ak, nonce));
        Assert.Empty(result.Reasons);
        Assert.Equal(AttestationVerdict.Trusted, result.Verdict);
        Assert.Equal("swtpm-host", result.HostName);
    }

    [SkippableFact]
    public void ReplayedEvidenceWithAnOldNonceIsUntrusted()
    {
        byte[] old = RandomNumberGenerator.GetBytes(32);
        var (evidence, ak) = Collect(EccAk, old);
        Assert.Equal(AttestationVerdict.Trusted, QuoteVerifier.Verify(evidence, Expect(ak, old)).Verdict);
        var replay = QuoteVerifier.Verify(evidence, Expect(ak, RandomNumberGenerator.GetBytes(32)));
        Assert.Equal(AttestationVerdict.Untrusted, replay.Verdict);
        Assert.Equal([ReasonIds.QuoteNonce], Vectors.Ids(replay));
        Assert.Equal(2, replay.Reasons.Length); // one per bank's quote
    }

    [SkippableFact]
    public void EvidenceFromAnotherAttestationKeyIsUntrusted()
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(20);
        var (_, rsaAk) = Collect(RsaAk, nonce);
        var (evidence, _) = Collect(EccAk, nonce);
        var result = QuoteVerifier.Verify(evidence, Expect(rsaAk, nonce));
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
        var (evidence, ak) = Collect(RsaAk, nonce, log);
        Assert.Equal(AttestationVerdict.Trusted, QuoteVerifier.Verify(evidence, Expect(ak, nonce)).Verdict);

        var edited = new SyntheticLog(TpmAlgId.Sha1, TpmAlgId.Sha256)
            .Action(8, "attestation-test kernel").Action(9, "attestation-test initrd (edited)").Separator(8).ToArray();
        evidence.EventLog = edited;
        var result = QuoteVerifier.Verify(evidence, Expect(ak, nonce));
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
        Assert.Equal(AttestationVerdict.Trusted, QuoteVerifier.Verify(golden, Expect(ak, nonce) with { Policy = policy }).Verdict);

        swtpm.Tpm2("tpm2_pcrextend", "16:sha256=" + Convert.ToHexString(SHA256.HashData("rogue"u8)));
        byte[] next = RandomNumberGenerator.GetBytes(32);
        var (later, _) = Collect(RsaAk, next);
        var result = QuoteVerifier.Verify(later, Expect(ak, next) with { Policy = policy });
        Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
        var reason = Assert.Single(result.Reasons);
        Assert.Equal((ReasonIds.PolicyPcr, 16, "sha256"), (reason.Id, reason.Pcr, reason.Bank));
    }
}
