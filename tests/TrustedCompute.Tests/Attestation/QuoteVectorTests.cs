using TrustedCompute.Attestation;
using TrustedCompute.Tpm;
using Xunit;
using static TrustedCompute.Tests.Attestation.Vectors;

namespace TrustedCompute.Tests.Attestation;

/// <summary>The shared swtpm quotes verify; every single-bit change of what they sign turns them Untrusted with the right reason.</summary>
public sealed class QuoteVectorTests
{
    public static TheoryData<string, string> Quotes => new()
    {
        { "quote_rsa", "ak_rsa" },
        { "quote_rsapss", "ak_rsapss" },
        { "quote_ecc", "ak_ecc" },
        { "quote2bank_rsa", "ak_rsa" },
    };

    private static AttestationResult Check(AttestationEvidence evidence, TpmPublic ak, byte[]? nonce = null) =>
        QuoteVerifier.Verify(evidence, new VerificationOptions { ExpectedAttestationKey = ak, ExpectedNonce = nonce ?? evidence.Nonce });

    [SkippableTheory]
    [MemberData(nameof(Quotes))]
    public void VectorVerifiesWithItsSignerAndCounters(string quote, string akName)
    {
        var (evidence, ak) = Quote(quote, akName);
        var result = Check(evidence, ak);
        Assert.Equal(AttestationVerdict.Trusted, result.Verdict);
        Assert.Empty(result.Reasons);
        Assert.Equal(3u, result.ResetCount);
        Assert.Equal(64, result.EvidenceDigest.Length);
        Assert.Equal(quote == "quote2bank_rsa" ? 10 : 5, evidence.PcrValues.Length);
    }

    [SkippableTheory]
    [MemberData(nameof(Quotes))]
    public void EveryBitFlipInTheAttestBytesIsUntrusted(string quote, string akName)
    {
        var (evidence, ak) = Quote(quote, akName);
        using var verifier = new QuoteVerifier(new VerificationOptions { ExpectedAttestationKey = ak, ExpectedNonce = evidence.Nonce });
        byte[] attest = evidence.Quotes[0].Attest;
        for (int bit = 0; bit < attest.Length * 8; bit++)
        {
            attest[bit / 8] ^= (byte)(1 << (bit % 8));
            var result = verifier.Verify(evidence);
            attest[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
            Assert.Contains(ReasonIds.QuoteSignature, Ids(result));
        }
        Assert.Equal(AttestationVerdict.Trusted, verifier.Verify(evidence).Verdict);
    }

    [SkippableTheory]
    [MemberData(nameof(Quotes))]
    public void EveryBitFlipInTheSignatureIsASignatureFailureOnly(string quote, string akName)
    {
        var (evidence, ak) = Quote(quote, akName);
        using var verifier = new QuoteVerifier(new VerificationOptions { ExpectedAttestationKey = ak, ExpectedNonce = evidence.Nonce });
        byte[] sig = evidence.Quotes[0].Signature;
        for (int bit = 0; bit < sig.Length * 8; bit++)
        {
            sig[bit / 8] ^= (byte)(1 << (bit % 8));
            var result = verifier.Verify(evidence);
            sig[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
            Assert.Equal([ReasonIds.QuoteSignature], Ids(result));
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Quotes))]
    public void EveryBitFlipInAnyPcrValueIsAPcrDigestFailureNamingNothingElse(string quote, string akName)
    {
        var (evidence, ak) = Quote(quote, akName);
        using var verifier = new QuoteVerifier(new VerificationOptions { ExpectedAttestationKey = ak, ExpectedNonce = evidence.Nonce });
        foreach (var pcr in evidence.PcrValues)
            for (int bit = 0; bit < pcr.Value.Length * 8; bit += 7)
            {
                pcr.Value[bit / 8] ^= (byte)(1 << (bit % 8));
                var result = verifier.Verify(evidence);
                pcr.Value[bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
                Assert.Equal([ReasonIds.QuotePcrDigest], Ids(result));
            }
    }

    [SkippableTheory]
    [MemberData(nameof(Quotes))]
    public void EveryBitFlipInTheExpectedNonceIsANonceFailure(string quote, string akName)
    {
        var (evidence, ak) = Quote(quote, akName);
        byte[] nonce = (byte[])evidence.Nonce.Clone();
        for (int bit = 0; bit < nonce.Length * 8; bit++)
        {
            nonce[bit / 8] ^= (byte)(1 << (bit % 8));
            var result = Check(evidence, ak, nonce);
            nonce[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
            var reason = Assert.Single(result.Reasons);
            Assert.Equal(ReasonIds.QuoteNonce, reason.Id);
            Assert.Equal(Convert.ToHexString(evidence.Nonce).ToLowerInvariant(), reason.Actual);
        }
    }

    [SkippableFact]
    public void AnotherAttestationKeyIsUntrusted()
    {
        var (evidence, _) = Quote("quote_rsa", "ak_rsa");
        var other = Key("tpm-vectors", "ak_rsapss.pub");
        var result = Check(evidence, other);
        Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
        Assert.Equal([ReasonIds.QuoteKey, ReasonIds.QuoteSignature, ReasonIds.QuoteSigner], Ids(result));
    }

    [SkippableFact]
    public void ExpectedKeyAsPemMatchesOnlyItsOwnKey()
    {
        var (evidence, _) = Quote("quote_rsapss", "ak_rsapss");
        byte[] Spki(string name) => System.Security.Cryptography.PemEncoding.Find(File.ReadAllText(TrustedCompute.Tests.Env.TestPaths.Shared("tpm-vectors", name))) is var pem
            ? Convert.FromBase64String(File.ReadAllText(TrustedCompute.Tests.Env.TestPaths.Shared("tpm-vectors", name))[pem.Base64Data]) : [];
        var own = QuoteVerifier.Verify(evidence, new VerificationOptions { ExpectedAttestationKeySpki = Spki("ak_rsapss.pem"), ExpectedNonce = evidence.Nonce });
        Assert.Equal(AttestationVerdict.Trusted, own.Verdict);
        var other = QuoteVerifier.Verify(evidence, new VerificationOptions { ExpectedAttestationKeySpki = Spki("ak_rsa.pem"), ExpectedNonce = evidence.Nonce });
        Assert.Equal(AttestationVerdict.Untrusted, other.Verdict);
        Assert.Contains(ReasonIds.QuoteKey, Ids(other));
    }

    [SkippableFact]
    public void WithoutAnExpectedKeyOrNonceTheVerdictIsUnknownNotTrusted()
    {
        var (evidence, ak) = Quote("quote_ecc", "ak_ecc");
        var noKey = QuoteVerifier.Verify(evidence, new VerificationOptions { ExpectedNonce = evidence.Nonce });
        Assert.Equal(AttestationVerdict.Unknown, noKey.Verdict);
        Assert.Equal([ReasonIds.QuoteKey], Ids(noKey));
        var trusted = QuoteVerifier.Verify(evidence, new VerificationOptions { TrustEvidenceKey = true, ExpectedNonce = evidence.Nonce });
        Assert.Equal(AttestationVerdict.Trusted, trusted.Verdict);
        var noNonce = QuoteVerifier.Verify(evidence, new VerificationOptions { ExpectedAttestationKey = ak });
        Assert.Equal(AttestationVerdict.Unknown, noNonce.Verdict);
        Assert.Equal([ReasonIds.QuoteFreshness], Ids(noNonce));
    }

    [SkippableFact]
    public void QualifiedSignerIsCheckedAgainstTheEkChain()
    {
        var (evidence, ak) = Quote("quote_rsa", "ak_rsa");
        evidence.EndorsementKeyPublic = Read("tpm-vectors", "ek_ecc.pub");
        var result = Check(evidence, ak);
        Assert.Equal([ReasonIds.QuoteSigner], Ids(result));
        Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
    }

    [SkippableFact]
    public void SelectionMustBeTheOneAskedForAndUnquotedValuesAreRejected()
    {
        var (evidence, ak) = Quote("quote_rsa", "ak_rsa");
        var asked = new VerificationOptions
        {
            ExpectedAttestationKey = ak, ExpectedNonce = evidence.Nonce,
            ExpectedSelection = [PcrSelection.Create(TpmAlgId.Sha256, [0, 1, 2, 3, 7])],
        };
        Assert.Equal(AttestationVerdict.Trusted, QuoteVerifier.Verify(evidence, asked).Verdict);
        var other = QuoteVerifier.Verify(evidence, asked with { ExpectedSelection = [PcrSelection.Create(TpmAlgId.Sha256, [0, 1, 2, 3, 4, 7])] });
        Assert.Equal([ReasonIds.QuoteSelection], Ids(other));
        Assert.Equal("sha256:0,1,2,3,4,7", other.Reasons[0].Expected);

        evidence.PcrValues = [.. evidence.PcrValues, new EvidencePcr { Bank = "sha256", Index = 9, Value = new byte[32] }];
        var extra = QuoteVerifier.Verify(evidence, asked with { ExpectedSelection = null });
        var reason = Assert.Single(extra.Reasons);
        Assert.Equal((ReasonIds.QuoteSelection, 9), (reason.Id, reason.Pcr));
    }

    [SkippableFact]
    public void CountersReportARebootAndRejectARollback()
    {
        var (evidence, ak) = Quote("quote_rsa", "ak_rsa");
        var first = Check(evidence, ak);
        AttestationResult With(uint reset, uint restart, ulong clock, string host = "vector") => QuoteVerifier.Verify(evidence, new VerificationOptions
        {
            ExpectedAttestationKey = ak, ExpectedNonce = evidence.Nonce,
            Previous = new AttestationResult { HostName = host, Verdict = AttestationVerdict.Trusted, Reasons = [], ResetCount = reset, RestartCount = restart, Clock = clock },
        });
        Assert.Equal(AttestationVerdict.Trusted, With(first.ResetCount!.Value, first.RestartCount!.Value, first.Clock!.Value).Verdict);
        var reboot = With(2, 0, 99_999_999);
        Assert.Equal((AttestationVerdict.Trusted, ReasonIds.TpmReboot), (reboot.Verdict, Assert.Single(reboot.Reasons).Id));
        Assert.Equal([ReasonIds.TpmRollback], Ids(With(4, 0, 0)));
        Assert.Equal([ReasonIds.TpmRollback], Ids(With(3, 1, 0)));
        Assert.Equal([ReasonIds.TpmRollback], Ids(With(3, 0, first.Clock!.Value + 1)));
        Assert.Equal(AttestationVerdict.Untrusted, With(3, 0, first.Clock!.Value + 1).Verdict);
        var otherHost = With(4, 0, 0, host: "another-host");
        Assert.Equal((AttestationVerdict.Trusted, ReasonSeverity.Info), (otherHost.Verdict, Assert.Single(otherHost.Reasons).Severity));
    }

    [SkippableFact]
    public void SyntheticLogAndQuoteVerifyAndAnEditedLogFailsReplay()
    {
        var (evidence, ak) = Synthetic();
        var result = Check(evidence, ak);
        Assert.Equal(AttestationVerdict.Trusted, result.Verdict);
        Assert.Empty(result.Reasons);

        var last = TrustedCompute.EventLog.TcgEventLog.Parse(evidence.EventLog).Events[^1];
        evidence.EventLog[last.Offset + 12 + 2] ^= 1; // first digest byte of the last event (after pcr, type, count, alg)
        var edited = Check(evidence, ak);
        Assert.Equal(AttestationVerdict.Untrusted, edited.Verdict);
        var replay = Assert.Single(edited.Reasons);
        Assert.Equal((ReasonIds.EventLogReplay, last.PcrIndex), (replay.Id, replay.Pcr));
    }

    [SkippableFact]
    public void EvidenceSurvivesJsonAndStillVerifies()
    {
        var (evidence, ak) = Quote("quote2bank_rsa", "ak_rsa");
        var copy = Clone(evidence);
        Assert.Equal(evidence.Digest(), copy.Digest());
        Assert.Equal(AttestationVerdict.Trusted, Check(copy, ak).Verdict);
    }
}
