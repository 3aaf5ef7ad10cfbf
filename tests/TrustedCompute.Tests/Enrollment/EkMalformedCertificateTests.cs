using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TrustedCompute.Attestation;
using TrustedCompute.Enrollment;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Enrollment;

/// <summary>
/// Certificates that load but hold a field that does not decode (what the ek-cert-chain fuzz target found): the
/// reader rejects them with InvalidDataException and the validator reports ek.format; neither lets a
/// CryptographicException or PlatformNotSupportedException out of a check.
/// </summary>
public sealed class EkMalformedCertificateTests : IDisposable
{
    private static readonly DateTime At = new(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);
    // A BOOLEAN of two bytes inside the SEQUENCE: DER allows one.
    private static readonly byte[] BadBasicConstraints = [0x30, 0x04, 0x01, 0x02, 0xFF, 0xFF];
    // An extended key usage that is an INTEGER, not a SEQUENCE OF OBJECT IDENTIFIER.
    private static readonly byte[] BadEnhancedKeyUsage = [0x02, 0x01, 0x05];

    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _ekKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly TempFolder _anchorFolder = new();
    private readonly EkTrustAnchors _anchors;

    public EkMalformedCertificateTests()
    {
        File.WriteAllBytes(_anchorFolder.File("root.der"), Ca("CN=Root", _rootKey, "CN=Root", _rootKey));
        _anchors = EkTrustAnchors.Load([_anchorFolder.Path]);
        Assert.Single(_anchors.Roots);
    }

    private TpmPublic EndorsementKey
    {
        get
        {
            var q = _ekKey.ExportParameters(false).Q;
            return TpmTemplates.EndorsementKey(EndorsementKeyType.EccP256) with { EccX = q.X!, EccY = q.Y! };
        }
    }

    private static byte[] Ca(string subject, ECDsa key, string issuer, ECDsa issuerKey, byte[]? basicConstraints = null)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(basicConstraints is null
            ? new X509BasicConstraintsExtension(true, false, 0, true)
            : new X509Extension("2.5.29.19", basicConstraints, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return Sign(request, issuer, issuerKey, 1);
    }

    private byte[] Leaf(byte[]? enhancedKeyUsage = null)
    {
        var request = new CertificateRequest("", _ekKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(enhancedKeyUsage is null
            ? new X509EnhancedKeyUsageExtension([new Oid(EkCertificateValidator.EkCertificateEku)], false)
            : new X509Extension("2.5.29.37", enhancedKeyUsage, false));
        return Sign(request, "CN=Intermediate", _intermediateKey, 2);
    }

    private static byte[] Sign(CertificateRequest request, string issuer, ECDsa issuerKey, byte serial)
    {
        var from = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var certificate = request.Create(new X500DistinguishedName(issuer),
            X509SignatureGenerator.CreateForECDsa(issuerKey), from, from.AddYears(20), [serial]);
        return certificate.RawData;
    }

    private byte[] Intermediate(byte[]? basicConstraints = null) =>
        Ca("CN=Intermediate", _intermediateKey, "CN=Root", _rootKey, basicConstraints);

    private EkValidationResult Validate(byte[] leaf, params byte[][] host) =>
        EkCertificateValidator.Validate(leaf, host, EndorsementKey, _anchors, At);

    [Fact]
    public void TheWellFormedChainIsValid()
    {
        var result = Validate(Leaf(), Intermediate());
        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void LeafWithAnUndecodableExtendedKeyUsageIsRejectedNotThrown()
    {
        byte[] leaf = Leaf(BadEnhancedKeyUsage);
        var e = Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(leaf).Dispose());
        Assert.Contains("malformed field", e.Message);
        var result = Validate(leaf, Intermediate());
        Assert.False(result.IsValid);
        Assert.Contains(result.Reasons, r => r.Id == ReasonIds.EkFormat);
    }

    [Fact]
    public void HostIntermediateWithUndecodableBasicConstraintsIsReportedNotThrown()
    {
        var result = Validate(Leaf(), Intermediate(BadBasicConstraints));
        Assert.False(result.IsValid);
        Assert.Contains(result.Reasons, r => r.Id == ReasonIds.EkFormat && r.Message.Contains("Host certificate 1"));
        Assert.Contains(result.Reasons, r => r.Id == ReasonIds.EkChain);
    }

    [Fact]
    public void AnchorFileWithUndecodableBasicConstraintsIsAProblemNotARoot()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("bad.der"), Ca("CN=Bad Root", _rootKey, "CN=Bad Root", _rootKey, BadBasicConstraints));
        using var anchors = EkTrustAnchors.Load([folder.Path]);
        Assert.Empty(anchors.Roots);
        Assert.Contains(anchors.Problems, p => p.Contains("malformed field"));
    }

    [Fact]
    public void LeafOnACurveThePlatformDoesNotKnowIsRejectedNotThrown()
    {
        byte[] leaf = Leaf();
        // prime256v1 (1.2.840.10045.3.1.7) becomes 1.2.840.10045.33.1.7, as the fuzzer made it: same length.
        byte[] p256 = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
        int at = leaf.AsSpan().IndexOf(p256);
        Assert.True(at > 0);
        leaf[at + 5] = 0x21;
        Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(leaf).Dispose());
        var result = Validate(leaf, Intermediate());
        Assert.False(result.IsValid);
        Assert.Contains(result.Reasons, r => r.Id == ReasonIds.EkFormat);
    }

    public void Dispose()
    {
        _anchors.Dispose();
        _anchorFolder.Dispose();
        _rootKey.Dispose();
        _intermediateKey.Dispose();
        _ekKey.Dispose();
    }
}
