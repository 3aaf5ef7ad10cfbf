using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TrustedCompute.Attestation;
using TrustedCompute.Enrollment;
using TrustedCompute.Tpm;
using Xunit;
using TpmDeviceInfo = TrustedCompute.Enrollment.TpmDeviceInfo;
using static TrustedCompute.Tests.Enrollment.EkTestCertificates;

namespace TrustedCompute.Tests.Enrollment;

/// <summary>
/// Real STMicro EK certificates against admin trust folders made from the real vendor CAs, and every rule broken
/// once. The TPMs behind the real certificates are not here: the "EK read from the TPM" is built from the
/// certificate's own key for the positive cases (a different key for ek.mismatch).
/// </summary>
public sealed class EkCertificateValidatorTests
{
    private static readonly string[] RsaFolder = [RsaGlobalSignRoot, RsaStmRoot, RsaIntermediate];
    private static readonly string[] EccFolder = [EccGlobalSignRoot, EccStmRoot, EccIntermediate];

    private static EkValidationResult Validate(string leaf, string[] folder, byte[][]? host = null, DateTime? at = null,
        TpmPublic? ek = null)
    {
        byte[] nv = Bytes(leaf);
        using var dir = AnchorFolder(folder);
        using var anchors = EkTrustAnchors.Load([dir.Path]);
        Assert.Empty(anchors.Problems);
        using var certificate = EkCertificateReader.Parse(nv);
        return EkCertificateValidator.Validate(nv, host ?? [], ek ?? PublicFromCertificate(certificate.RawData), anchors,
            at ?? During);
    }

    private static string[] Ids(EkValidationResult result) => result.Reasons.Select(r => r.Id).Distinct().Order().ToArray();

    private static void AssertOnly(EkValidationResult result, params string[] ids)
    {
        Assert.False(result.IsValid);
        Assert.Equal(ids.Order().ToArray(), Ids(result));
        Assert.All(result.Reasons, r => Assert.Equal(ReasonSeverity.Failure, r.Severity));
    }

    [SkippableFact]
    public void PaddedStmRsaCertificateValidatesToTheGlobalSignRoot()
    {
        var result = Validate(RsaLeaf, RsaFolder);
        Assert.True(result.IsValid, string.Join("\n", result.Reasons));
        Assert.Equal([Der(RsaIntermediate), Der(RsaStmRoot), Der(RsaGlobalSignRoot)], result.Chain);
        Assert.Equal(new TpmDeviceInfo("id:53544D20", "ST33HTPHAHB4", "id:00490004"), result.Device);
    }

    [SkippableFact]
    public void StmP256CertificateValidatesThroughTheP384Intermediate()
    {
        var result = Validate(EccLeaf, EccFolder);
        Assert.True(result.IsValid, string.Join("\n", result.Reasons));
        Assert.Equal([Der(EccIntermediate), Der(EccStmRoot), Der(EccGlobalSignRoot)], result.Chain);
        using var stmRoot = X509CertificateLoader.LoadCertificate(result.Chain[1]);
        using var stmRootKey = stmRoot.GetECDsaPublicKey()!;
        Assert.Equal(384, stmRootKey.KeySize);
        Assert.Equal("ST33HTPHAHB4", result.Device?.Model);
    }

    [SkippableFact]
    public void IntermediatesFromTheHostAreUsed()
    {
        byte[][] host = [Der(RsaIntermediate), Der(RsaStmRoot), Der(RsaIntermediate)];
        var result = Validate(RsaLeaf, [RsaGlobalSignRoot], host: host);
        Assert.True(result.IsValid, string.Join("\n", result.Reasons));
        Assert.Equal(3, result.Chain.Length);
    }

    [SkippableFact]
    public void HostChainIndexWithSeveralCertificatesAndPaddingIsRead()
    {
        byte[] index = [.. Der(RsaIntermediate), .. Der(RsaStmRoot), .. Enumerable.Repeat((byte)0xFF, 100)];
        var result = Validate(RsaLeaf, [RsaGlobalSignRoot], host: [index]);
        Assert.True(result.IsValid, string.Join("\n", result.Reasons));
    }

    [SkippableFact]
    public void MissingIntermediateFailsNamingIt()
    {
        var result = Validate(RsaLeaf, [RsaGlobalSignRoot, RsaStmRoot]);
        AssertOnly(result, ReasonIds.EkChain);
        Assert.Contains(result.Reasons, r => r.Message.Contains("STM TPM EK Intermediate CA 05"));
    }

    [SkippableFact]
    public void AbsentRootFailsNamingIt()
    {
        var result = Validate(EccLeaf, [EccStmRoot, EccIntermediate]);
        AssertOnly(result, ReasonIds.EkChain);
        Assert.Contains(result.Reasons, r => r.Message.Contains("GlobalSign Trusted Platform Module ECC Root CA"));
    }

    [SkippableFact]
    public void NoAnchorsAtAllFails()
    {
        var result = Validate(RsaLeaf, []);
        AssertOnly(result, ReasonIds.EkChain);
    }

    [SkippableFact]
    public void RootOfferedByTheHostIsNeverAnAnchor()
    {
        var result = Validate(RsaLeaf, [RsaStmRoot, RsaIntermediate], host: [Der(RsaGlobalSignRoot)]);
        AssertOnly(result, ReasonIds.EkChain, ReasonIds.EkAnchor);
        Assert.Contains(result.Reasons, r => r.Id == ReasonIds.EkAnchor && r.Message.Contains("GlobalSign"));
    }

    [SkippableFact]
    public void WholeChainOfferedByTheHostIsNeverTrusted()
    {
        var result = Validate(RsaLeaf, [], host: [Der(RsaIntermediate), Der(RsaStmRoot), Der(RsaGlobalSignRoot)]);
        AssertOnly(result, ReasonIds.EkChain, ReasonIds.EkAnchor);
    }

    [SkippableFact]
    public void HostOfferingTheAdminsOwnRootChangesNothing()
    {
        var result = Validate(RsaLeaf, RsaFolder, host: [Der(RsaGlobalSignRoot)]);
        Assert.True(result.IsValid, string.Join("\n", result.Reasons));
    }

    [SkippableFact]
    public void PastExpiryFails()
    {
        var result = Validate(RsaLeaf, RsaFolder, at: new DateTime(2028, 7, 11, 0, 0, 1, DateTimeKind.Utc));
        AssertOnly(result, ReasonIds.EkExpired);
        Assert.Single(result.Reasons);
        Assert.Contains("2028-07-11", result.Reasons[0].Expected);
        Assert.True(Validate(RsaLeaf, RsaFolder, at: new DateTime(2028, 7, 10, 23, 59, 59, DateTimeKind.Utc)).IsValid);
    }

    [SkippableFact]
    public void BeforeValidityFails()
    {
        var early = new DateTime(2018, 7, 25, 0, 0, 0, DateTimeKind.Utc);
        AssertOnly(Validate(EccLeaf, EccFolder, at: early), ReasonIds.EkExpired);
    }

    [SkippableFact]
    public void ExpiredChainCertificateFails()
    {
        // 2036: the leaf has long expired too, and so has STM's intermediate (2035); both are named.
        var result = Validate(RsaLeaf, RsaFolder, at: new DateTime(2036, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        AssertOnly(result, ReasonIds.EkExpired);
        Assert.Contains(result.Reasons, r => r.Message.Contains("STM TPM EK Intermediate CA 05"));
        Assert.True(result.Reasons.Length >= 2);
    }

    [SkippableFact]
    public void LeafKeyThatDiffersFromTheEkFails()
    {
        using var other = RSA.Create(2048);
        AssertOnly(Validate(RsaLeaf, RsaFolder, ek: RsaPublic(other.ExportParameters(false))), ReasonIds.EkMismatch);
        using var otherEcc = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        AssertOnly(Validate(EccLeaf, EccFolder, ek: EccPublic(otherEcc.ExportParameters(false))), ReasonIds.EkMismatch);
    }

    [SkippableFact]
    public void KeyOfTheWrongTypeOrTemplateFails()
    {
        using var ecc = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        AssertOnly(Validate(RsaLeaf, RsaFolder, ek: EccPublic(ecc.ExportParameters(false))), ReasonIds.EkMismatch);
        // The bare template, as if the EK had not been created: empty unique.
        var template = TpmTemplates.EndorsementKey(EndorsementKeyType.Rsa2048);
        AssertOnly(Validate(RsaLeaf, RsaFolder, ek: template), ReasonIds.EkMismatch);
        var right = PublicFromCertificate(Der(RsaLeaf)[..1169]);
        AssertOnly(Validate(RsaLeaf, RsaFolder, ek: right with { Exponent = 3 }), ReasonIds.EkMismatch);
        var eccRight = PublicFromCertificate(Der(EccLeaf));
        AssertOnly(Validate(EccLeaf, EccFolder, ek: eccRight with { Curve = TpmEccCurve.NistP384 }), ReasonIds.EkMismatch);
        byte[] y = [.. eccRight.EccY];
        y[^1] ^= 1;
        AssertOnly(Validate(EccLeaf, EccFolder, ek: eccRight with { EccY = y }), ReasonIds.EkMismatch);
    }

    [SkippableFact]
    public void CaCertificateAsTheLeafFails()
    {
        byte[] intermediate = Der(RsaIntermediate);
        using var dir = AnchorFolder(RsaFolder);
        using var anchors = EkTrustAnchors.Load([dir.Path]);
        var result = EkCertificateValidator.Validate(intermediate, [], PublicFromCertificate(intermediate), anchors, During);
        Assert.Contains(ReasonIds.EkConstraints, Ids(result));
        Assert.DoesNotContain(ReasonIds.EkMismatch, Ids(result));
        Assert.False(result.IsValid);
    }

    [SkippableFact]
    public void SelfSignedLeafFromTheHostFails()
    {
        using var pki = new EkTestPki();
        var (leaf, ek) = pki.Leaf(null!, selfSigned: true);
        using var dir = AnchorFolder(RsaFolder);
        using var anchors = EkTrustAnchors.Load([dir.Path]);
        var result = EkCertificateValidator.Validate(leaf.RawData, [leaf.RawData], ek, anchors, During);
        AssertOnly(result, ReasonIds.EkAnchor, ReasonIds.EkChain);
    }

    [SkippableFact]
    public void ForgedIntermediateWithTheRealSubjectButAnotherKeyFails()
    {
        using var pki = new EkTestPki();
        using var realIntermediate = X509CertificateLoader.LoadCertificate(Der(RsaIntermediate));
        using var realStmRoot = X509CertificateLoader.LoadCertificate(Der(RsaStmRoot));
        // The attacker's "STM TPM EK Root CA" (own key, same name) issues an "Intermediate CA 05" (own key, same name).
        var fakeStmRoot = pki.Ca("forged", issuer: null);
        var forgedRoot = Rename(pki, fakeStmRoot, realStmRoot.SubjectName, null);
        var forged = Rename(pki, pki.Ca("forged-05I"), realIntermediate.SubjectName, forgedRoot);
        Assert.Equal(realIntermediate.Subject, forged.Subject);

        // Only the forged intermediate from the host; the admin folder has the real STM root and GlobalSign.
        var result = Validate(RsaLeaf, [RsaGlobalSignRoot, RsaStmRoot], host: [forged.RawData]);
        AssertOnly(result, ReasonIds.EkChain);
        // The forged intermediate with its forged (self-signed) "STM root": still no path to the admin's anchor.
        var both = Validate(RsaLeaf, [RsaGlobalSignRoot], host: [forged.RawData, forgedRoot.RawData]);
        Assert.False(both.IsValid);
        Assert.Contains(ReasonIds.EkChain, Ids(both));
        // A self-signed "GlobalSign root" with the real name and the attacker's key, when the admin has none.
        var fakeGlobalSign = Rename(pki, pki.Ca("fake-gs"), realStmRoot.IssuerName, null);
        var named = Validate(RsaLeaf, [RsaStmRoot, RsaIntermediate], host: [fakeGlobalSign.RawData]);
        AssertOnly(named, ReasonIds.EkChain, ReasonIds.EkAnchor);
    }

    /// <summary>A CA certificate with another subject and this key, from <paramref name="issuer"/> (null: self-signed).</summary>
    private static X509Certificate2 Rename(EkTestPki pki, X509Certificate2 template, X500DistinguishedName subject,
        X509Certificate2? issuer)
    {
        using var key = template.GetECDsaPrivateKey()!;
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        foreach (var e in template.Extensions) request.CertificateExtensions.Add(e);
        X509Certificate2 made = issuer is null
            ? request.CreateSelfSigned(EkTestPki.NotBefore, EkTestPki.NotAfter)
            : request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuer.GetECDsaPrivateKey()!),
                EkTestPki.NotBefore, EkTestPki.NotAfter, [0x01, 0x02, 0x03]).CopyWithPrivateKey(key);
        pki.Track(made);
        return made;
    }

    [SkippableFact]
    public void EditedLeafBytesFail()
    {
        byte[] der = Der(RsaLeaf)[..1169];
        using var dir = AnchorFolder(RsaFolder);
        using var anchors = EkTrustAnchors.Load([dir.Path]);
        var ek = PublicFromCertificate(der);
        byte[] signature = [.. der];
        signature[^5] ^= 0x01; // inside the signature value
        AssertOnly(EkCertificateValidator.Validate(signature, [], ek, anchors, During), ReasonIds.EkChain);
        byte[] paddedTail = [.. der[..1100], .. Enumerable.Repeat((byte)0xFF, 500)]; // the signature's end lost to padding
        AssertOnly(EkCertificateValidator.Validate(paddedTail, [], ek, anchors, During), ReasonIds.EkChain);
        byte[] serial = [.. der];
        serial[15] ^= 0x01; // inside the serial number, part of the signed TBS
        AssertOnly(EkCertificateValidator.Validate(serial, [], ek, anchors, During), ReasonIds.EkChain);
    }

    [SkippableFact]
    public void UnreadableLeafOrHostCertificateIsAFormatReason()
    {
        using var dir = AnchorFolder(RsaFolder);
        using var anchors = EkTrustAnchors.Load([dir.Path]);
        var ek = PublicFromCertificate(Der(RsaLeaf)[..1169]);
        var truncated = EkCertificateValidator.Validate(Bytes(RsaLeaf)[..600], [], ek, anchors, During);
        AssertOnly(truncated, ReasonIds.EkFormat);
        Assert.Empty(truncated.Chain);
        Assert.Null(truncated.Device);
        AssertOnly(EkCertificateValidator.Validate([], [], ek, anchors, During), ReasonIds.EkFormat);
        var badHost = EkCertificateValidator.Validate(Bytes(RsaLeaf), [[0x30, 0x03, 0x02, 0x01]], ek, anchors, During);
        AssertOnly(badHost, ReasonIds.EkFormat);
    }

    [Fact]
    public void OwnPkiLeafValidates()
    {
        using var pki = new EkTestPki();
        var root = pki.Ca("Test EK Root");
        var intermediate = pki.Ca("Test EK Intermediate", root, pathLength: 0);
        var (leaf, ek) = pki.Leaf(intermediate);
        var result = ValidateOwn(leaf, ek, [root, intermediate]);
        Assert.True(result.IsValid, string.Join("\n", result.Reasons));
        Assert.Equal(new TpmDeviceInfo("id:54435430", "test", "id:00010002"), result.Device);
        Assert.Equal([intermediate.RawData, root.RawData], result.Chain);
    }

    private static EkValidationResult ValidateOwn(X509Certificate2 leaf, TpmPublic ek, X509Certificate2[] folder,
        byte[][]? host = null)
    {
        using var dir = EkTestPki.Folder(folder);
        using var anchors = EkTrustAnchors.Load([dir.Path]);
        return EkCertificateValidator.Validate(leaf.RawData, host ?? [], ek, anchors, During);
    }

    [Fact]
    public void IssuerThatIsNotACaFails()
    {
        using var pki = new EkTestPki();
        var root = pki.Ca("Test EK Root");
        var notCa = pki.Ca("Not a CA", root, ca: false);
        var (leaf, ek) = pki.Leaf(notCa);
        var result = ValidateOwn(leaf, ek, [root], host: [notCa.RawData]);
        Assert.Contains(ReasonIds.EkConstraints, Ids(result));
        Assert.False(result.IsValid);
    }

    [Fact]
    public void PathLengthIsRespected()
    {
        using var pki = new EkTestPki();
        var root = pki.Ca("Test EK Root", pathLength: 0);
        var intermediate = pki.Ca("Test EK Intermediate", root);
        var (leaf, ek) = pki.Leaf(intermediate);
        var result = ValidateOwn(leaf, ek, [root, intermediate]);
        Assert.Contains(result.Reasons, r => r.Id == ReasonIds.EkConstraints && r.Message.Contains("allows 0"));
        Assert.DoesNotContain(ReasonIds.EkChain, Ids(result));
        // Direct issue by a pathlen-0 root is fine.
        var (direct, directEk) = pki.Leaf(root);
        Assert.True(ValidateOwn(direct, directEk, [root]).IsValid);
    }

    [Fact]
    public void IssuerWithoutKeyCertSignFails()
    {
        using var pki = new EkTestPki();
        var root = pki.Ca("Test EK Root");
        var intermediate = pki.Ca("Signing only", root, usage: X509KeyUsageFlags.DigitalSignature);
        var (leaf, ek) = pki.Leaf(intermediate);
        var result = ValidateOwn(leaf, ek, [root, intermediate]);
        Assert.Contains(result.Reasons, r => r.Id == ReasonIds.EkUsage && r.Message.Contains("keyCertSign"));
        Assert.False(result.IsValid);
    }

    [Fact]
    public void LeafExtendedKeyUsageMustNameTheEkCertificate()
    {
        using var pki = new EkTestPki();
        var root = pki.Ca("Test EK Root");
        var (serverAuth, ek) = pki.Leaf(root, eku: ["1.3.6.1.5.5.7.3.1"]);
        AssertOnly(ValidateOwn(serverAuth, ek, [root]), ReasonIds.EkUsage);
        var (both, bothEk) = pki.Leaf(root, eku: ["1.3.6.1.5.5.7.3.1", EkCertificateValidator.EkCertificateEku]);
        Assert.True(ValidateOwn(both, bothEk, [root]).IsValid);
    }

    [Fact]
    public void UnknownCriticalExtensionFails()
    {
        using var pki = new EkTestPki();
        var root = pki.Ca("Test EK Root");
        var (leaf, ek) = pki.Leaf(root, extra: [new X509Extension("1.3.6.1.4.1.99999.1", [0x05, 0x00], true)]);
        var result = ValidateOwn(leaf, ek, [root]);
        Assert.Contains(result.Reasons, r => r.Id == ReasonIds.EkExtension && r.Message.Contains("1.3.6.1.4.1.99999.1"));
        Assert.False(result.IsValid);
        var (nonCritical, ek2) = pki.Leaf(root, extra: [new X509Extension("1.3.6.1.4.1.99999.1", [0x05, 0x00], false)]);
        Assert.True(ValidateOwn(nonCritical, ek2, [root]).IsValid);
    }

    [Fact]
    public void CriticalSubjectAltNameWithARepeatedAttributeFails()
    {
        using var pki = new EkTestPki();
        var root = pki.Ca("Test EK Root");
        var (leaf, ek) = pki.Leaf(root, subjectAltName: TpmSubjectAltName("id:54435430", "m", "v", repeatManufacturer: true));
        var result = ValidateOwn(leaf, ek, [root]);
        AssertOnly(result, ReasonIds.EkFormat);
        Assert.Null(result.Device);
    }

    [Fact]
    public void SelfSignedCaFromTheHostIsNotUsedEvenWithTheRightName()
    {
        using var pki = new EkTestPki();
        var root = pki.Ca("Test EK Root");
        var (leaf, ek) = pki.Leaf(root);
        var result = ValidateOwn(leaf, ek, [], host: [root.RawData]);
        AssertOnly(result, ReasonIds.EkChain, ReasonIds.EkAnchor);
    }
}
