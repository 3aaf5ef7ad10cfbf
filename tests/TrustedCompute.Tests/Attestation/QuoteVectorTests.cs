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
        QuoteVerifier.Verify(evidence, Enrolled(evidence, ak, nonce));

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
        using var verifier = new QuoteVerifier(Enrolled(evidence, ak));
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
        using var verifier = new QuoteVerifier(Enrolled(evidence, ak));
        byte[] sig = evidence.Quotes[0].Signature;
        for (int bit = 0; bit < sig.Length * 8; bit++)
        {
            sig[bit / 8] ^= (byte)(1 << (bit % 8));
            var result = verifier.Verify(evidence);
            sig[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
            // An unverified quote binds no PCR, so the golden values are not shown either.
            Assert.Equal([ReasonIds.PolicyBank, ReasonIds.PolicyPcr, ReasonIds.QuoteSignature], Ids(result));
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Quotes))]
    public void EveryBitFlipInAnyPcrValueIsAPcrDigestFailureNamingNothingElse(string quote, string akName)
    {
        var (evidence, ak) = Quote(quote, akName);
        using var verifier = new QuoteVerifier(Enrolled(evidence, ak));
        foreach (var pcr in evidence.PcrValues)
            for (int bit = 0; bit < pcr.Value.Length * 8; bit += 7)
            {
                pcr.Value[bit / 8] ^= (byte)(1 << (bit % 8));
                var result = verifier.Verify(evidence);
                pcr.Value[bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
                Assert.Equal([ReasonIds.PolicyBank, ReasonIds.PolicyPcr, ReasonIds.QuotePcrDigest], Ids(result));
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
            Assert.Equal([ReasonIds.PolicyBank, ReasonIds.PolicyPcr, ReasonIds.QuoteNonce], Ids(result));
            var reason = Assert.Single(result.Reasons, r => r.Id == ReasonIds.QuoteNonce);
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
        Assert.Equal([ReasonIds.PolicyBank, ReasonIds.PolicyPcr, ReasonIds.QuoteKey, ReasonIds.QuoteSignature, ReasonIds.QuoteSigner], Ids(result));
    }

    [SkippableFact]
    public void ExpectedKeyAsPemMatchesOnlyItsOwnKey()
    {
        var (evidence, _) = Quote("quote_rsapss", "ak_rsapss");
        byte[] Spki(string name) => System.Security.Cryptography.PemEncoding.Find(File.ReadAllText(TrustedCompute.Tests.Env.TestPaths.Shared("tpm-vectors", name))) is var pem
            ? Convert.FromBase64String(File.ReadAllText(TrustedCompute.Tests.Env.TestPaths.Shared("tpm-vectors", name))[pem.Base64Data]) : [];
        var options = Enrolled(evidence, null!) with { ExpectedAttestationKey = null };
        var own = QuoteVerifier.Verify(evidence, options with { ExpectedAttestationKeySpki = Spki("ak_rsapss.pem") });
        // A bare public key cannot show the key is restricted and fixedTPM: never Trusted on its own.
        Assert.Equal(AttestationVerdict.Unknown, own.Verdict);
        Assert.Equal([ReasonIds.QuoteKeyAttributes], Ids(own));
        var other = QuoteVerifier.Verify(evidence, options with { ExpectedAttestationKeySpki = Spki("ak_rsa.pem") });
        Assert.Equal(AttestationVerdict.Untrusted, other.Verdict);
        Assert.Contains(ReasonIds.QuoteKey, Ids(other));
    }

    [SkippableFact]
    public void WithoutAnExpectedKeyOrNonceTheVerdictIsUnknownNotTrusted()
    {
        var (evidence, ak) = Quote("quote_ecc", "ak_ecc");
        var enrolled = Enrolled(evidence, ak);
        var noKey = QuoteVerifier.Verify(evidence, enrolled with { ExpectedAttestationKey = null });
        Assert.Equal(AttestationVerdict.Unknown, noKey.Verdict);
        Assert.Equal([ReasonIds.QuoteKey], Ids(noKey));
        // A key the host supplies proves nothing: -TrustEvidenceKey caps the verdict at Unknown.
        var ownKey = QuoteVerifier.Verify(evidence, enrolled with { ExpectedAttestationKey = null, TrustEvidenceKey = true });
        Assert.Equal(AttestationVerdict.Unknown, ownKey.Verdict);
        Assert.Equal([ReasonIds.QuoteKeyUntrusted], Ids(ownKey));
        var noNonce = QuoteVerifier.Verify(evidence, enrolled with { ExpectedNonce = null });
        Assert.Equal(AttestationVerdict.Unknown, noNonce.Verdict);
        Assert.Equal([ReasonIds.QuoteFreshness], Ids(noNonce));
        var noPolicy = QuoteVerifier.Verify(evidence, enrolled with { Policy = null });
        Assert.Equal((AttestationVerdict.Unknown, ReasonIds.PolicyNone), (noPolicy.Verdict, Assert.Single(noPolicy.Reasons).Id));
        var empty = new AttestationPolicy { SchemaVersion = 1, Name = "empty", Banks = new PolicyBanks { Required = ["sha256"] } };
        var nothing = QuoteVerifier.Verify(evidence, enrolled with { Policy = empty });
        Assert.Equal((AttestationVerdict.Unknown, ReasonIds.PolicyNone), (nothing.Verdict, Assert.Single(nothing.Reasons).Id));
        var noName = QuoteVerifier.Verify(evidence, enrolled with { HostName = null });
        Assert.Equal((AttestationVerdict.Unknown, ReasonIds.HostIdentity), (noName.Verdict, Assert.Single(noName.Reasons).Id));
        Assert.Equal("vector", noName.ClaimedHostName);
    }

    [SkippableFact]
    public void QualifiedSignerIsCheckedAgainstTheEkChain()
    {
        var (evidence, ak) = Quote("quote_rsa", "ak_rsa");
        evidence.EndorsementKeyPublic = Read("tpm-vectors", "ek_ecc.pub");
        var result = Check(evidence, ak);
        Assert.Equal([ReasonIds.PolicyBank, ReasonIds.PolicyPcr, ReasonIds.QuoteSigner], Ids(result));
        Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
    }

    [SkippableFact]
    public void SelectionMustBeTheOneAskedForAndUnquotedValuesAreRejected()
    {
        var (evidence, ak) = Quote("quote_rsa", "ak_rsa");
        var asked = Enrolled(evidence, ak) with { ExpectedSelection = [PcrSelection.Create(TpmAlgId.Sha256, [0, 1, 2, 3, 7])] };
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
        Assert.Equal(Convert.ToHexString(ak.Name()).ToLowerInvariant(), first.AttestationKeyName);
        AttestationResult With(uint? reset, uint restart, ulong clock, string host = "vector", string? akName = null) =>
            QuoteVerifier.Verify(evidence, Enrolled(evidence, ak) with
            {
                Previous = new AttestationResult
                {
                    HostName = host, Verdict = AttestationVerdict.Trusted, Reasons = [], ResetCount = reset, RestartCount = restart,
                    Clock = clock, AttestationKeyName = akName ?? first.AttestationKeyName,
                },
            });
        Assert.Equal(AttestationVerdict.Trusted, With(first.ResetCount!.Value, first.RestartCount!.Value, first.Clock!.Value).Verdict);
        var reboot = With(2, 0, 99_999_999);
        Assert.Equal((AttestationVerdict.Trusted, ReasonIds.TpmReboot), (reboot.Verdict, Assert.Single(reboot.Reasons).Id));
        Assert.Equal([ReasonIds.TpmRollback], Ids(With(4, 0, 0)));
        Assert.Equal([ReasonIds.TpmRollback], Ids(With(3, 1, 0)));
        Assert.Equal([ReasonIds.TpmRollback], Ids(With(3, 0, first.Clock!.Value + 1)));
        Assert.Equal(AttestationVerdict.Untrusted, With(3, 0, first.Clock!.Value + 1).Verdict);
        // The check follows the AK, not a name: a host renamed since its last result cannot hide a rollback.
        var renamed = With(4, 0, 0, host: "another-host");
        Assert.Equal((AttestationVerdict.Untrusted, ReasonIds.TpmRollback), (renamed.Verdict, Assert.Single(renamed.Reasons).Id));
        // A previous result of another AK, or without counters, cannot be compared: said, and never Trusted.
        var otherKey = With(4, 0, 0, akName: "000b" + new string('0', 64));
        Assert.Equal((AttestationVerdict.Unknown, ReasonIds.TpmCounters), (otherKey.Verdict, Assert.Single(otherKey.Reasons).Id));
        var noCounters = With(null, 0, 0);
        Assert.Equal((AttestationVerdict.Unknown, ReasonIds.TpmCounters), (noCounters.Verdict, Assert.Single(noCounters.Reasons).Id));
    }

    [SkippableFact]
    public void CountersOfAnAkOutsideTheEndorsementHierarchyAreNeitherComparedNorRecorded()
    {
        var (evidence, ak) = Quote("quote_rsa", "ak_rsa");
        var first = Check(evidence, ak);
        evidence.EndorsementKeyPublic = [];
        var unproven = QuoteVerifier.Verify(evidence, Enrolled(evidence, ak) with { Previous = first });
        Assert.Equal((AttestationVerdict.Unknown, ReasonIds.TpmCounters), (unproven.Verdict, Assert.Single(unproven.Reasons).Id));
        Assert.Null(unproven.ResetCount);
        Assert.Null(unproven.RestartCount);
    }

    [SkippableFact]
    public void HostNameIsTheVerifiersAndTheClaimIsShownApart()
    {
        var (evidence, ak) = Quote("quote_rsa", "ak_rsa");
        evidence.HostName = "db01.example.com";
        var result = QuoteVerifier.Verify(evidence, Enrolled(evidence, ak) with { HostName = "web07" });
        Assert.Equal(("web07", "db01.example.com"), (result.HostName, result.ClaimedHostName));
        var reason = Assert.Single(result.Reasons);
        Assert.Equal((ReasonIds.HostName, ReasonSeverity.Info, "web07", "db01.example.com"), (reason.Id, reason.Severity, reason.Expected, reason.Actual));
        var shortName = QuoteVerifier.Verify(evidence, Enrolled(evidence, ak) with { HostName = "DB01" });
        Assert.Empty(shortName.Reasons);
    }

    [SkippableFact]
    public void PcrValuesResplitAcrossNeighboursAreAFormatError()
    {
        var (evidence, ak) = Quote("quote_rsa", "ak_rsa");
        var options = Enrolled(evidence, ak);
        // Same concatenation, so the same composite digest: one byte moved from PCR n to PCR n+1.
        var a = evidence.PcrValues[0];
        var b = evidence.PcrValues[1];
        b.Value = [a.Value[^1], .. b.Value];
        a.Value = a.Value[..^1];
        var result = QuoteVerifier.Verify(evidence, options);
        Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
        Assert.Contains(result.Reasons, r => r.Id == ReasonIds.EvidenceFormat && r.Pcr == a.Index);
        Assert.Contains(result.Reasons, r => r.Id == ReasonIds.EvidenceFormat && r.Pcr == b.Index);
    }

    [SkippableTheory]
    [InlineData(TpmObjectAttributes.FixedTpm)]
    [InlineData(TpmObjectAttributes.FixedParent)]
    [InlineData(TpmObjectAttributes.SensitiveDataOrigin)]
    [InlineData(TpmObjectAttributes.Restricted)]
    public void AnExpectedAkWithoutAnAttestationKeyAttributeIsUntrusted(TpmObjectAttributes missing)
    {
        var (evidence, ak) = Quote("quote_rsa", "ak_rsa");
        var weak = TpmPublic.FromTpm2BPublic(evidence.AttestationKeyPublic);
        weak = weak with { Attributes = weak.Attributes & ~missing };
        var result = QuoteVerifier.Verify(evidence, Enrolled(evidence, ak) with { ExpectedAttestationKey = weak });
        Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
        Assert.Contains(result.Reasons, r => r.Id == ReasonIds.QuoteKeyAttributes && r.Message.Contains(missing.ToString()));
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
