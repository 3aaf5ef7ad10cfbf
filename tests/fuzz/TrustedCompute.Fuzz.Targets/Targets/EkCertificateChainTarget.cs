using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TrustedCompute.Attestation;
using TrustedCompute.Enrollment;
using TrustedCompute.Tpm;

namespace TrustedCompute.Fuzz.Targets;

/// <summary>
/// EK certificate NV contents as the host sends them: <see cref="EkCertificateReader.Parse"/> (documented:
/// InvalidDataException), then <see cref="EkCertificateValidator.Validate"/> with the host's chain-index blobs
/// against one fixed root (never throws: every failure is a reason). Input: u16-big-endian-length-prefixed NV
/// blobs, the EK certificate first, then up to <see cref="MaxHostBlobs"/> chain indexes (a short last blob is cut).
/// "Valid" must mean the path ends at the admin's root and the certificate reads.
/// </summary>
public sealed class EkCertificateChainTarget : FuzzTarget
{
    private const int MaxHostBlobs = 4;
    private static readonly DateTime At = new(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly Lazy<Pki> Fixed = new(() => new Pki());

    public override string Name => "ek-cert-chain";
    public override string Description => "EkCertificateReader.Parse, EkCertificateValidator.Validate with host chain blobs";

    public override bool IsDocumented(Exception exception) => exception is InvalidDataException;

    public override IReadOnlyList<string> SharedSeeds => ["ek-certs/*.der"];

    public override byte[] InputFromSharedFile(string path) => Join([File.ReadAllBytes(path)]);

    public override IEnumerable<(string Name, byte[] Bytes)> GeneratedSeeds()
    {
        var pki = Fixed.Value;
        byte[] leaf = pki.Leaf, intermediate = pki.Intermediate, root = pki.Root;
        yield return ("valid-host-intermediate.bin", Join([leaf, intermediate]));
        yield return ("leaf-ff-padded.bin", Join([[.. leaf, .. Enumerable.Repeat((byte)0xFF, 48)], intermediate]));
        yield return ("leaf-nv-header.bin", Join([NvHeader(leaf), intermediate]));
        yield return ("chain-index-two-certs.bin", Join([leaf, [.. intermediate, .. root, 0, 0, 0]]));
        yield return ("host-offers-own-root.bin", Join([leaf, intermediate, pki.HostRoot]));
        yield return ("leaf-alone.bin", Join([leaf]));
    }

    public override void Run(byte[] input)
    {
        var blobs = Split(input);
        var pki = Fixed.Value;
        var result = EkCertificateValidator.Validate(blobs[0], blobs.Skip(1).ToList(), pki.EndorsementKey, pki.Anchors, At);
        _ = result.ToString();
        _ = result.Device?.Manufacturer;
        if (result.IsValid && (result.Chain.Length == 0 || !result.Chain[^1].AsSpan().SequenceEqual(pki.Root)))
            throw new InvalidOperationException("Validate said valid for a path that does not end at the admin's root");

        X509Certificate2 read;
        try
        {
            read = EkCertificateReader.Parse(blobs[0]);
        }
        catch (InvalidDataException e) when (result.IsValid || !result.Reasons.Any(r => r.Id == ReasonIds.EkFormat))
        {
            throw new InvalidOperationException($"Validate did not say ek.format for an unreadable certificate: {e.Message}", e);
        }
        using var certificate = read;
        _ = certificate.Subject;
        _ = certificate.Issuer;
        _ = certificate.SerialNumber;
        foreach (var extension in certificate.Extensions) _ = extension.Oid?.Value;
    }

    /// <summary>The blobs of an input; the first (the EK certificate) may be empty.</summary>
    private static List<byte[]> Split(byte[] input)
    {
        var blobs = new List<byte[]>();
        int offset = 0;
        while (blobs.Count <= MaxHostBlobs && (offset < input.Length || blobs.Count == 0))
        {
            int length = offset + 2 <= input.Length ? BinaryPrimitives.ReadUInt16BigEndian(input.AsSpan(offset)) : 0;
            offset = Math.Min(offset + 2, input.Length);
            length = Math.Min(length, input.Length - offset);
            blobs.Add(input.AsSpan(offset, length).ToArray());
            offset += length;
        }
        return blobs;
    }

    private static byte[] Join(IEnumerable<byte[]> blobs)
    {
        var bytes = new List<byte>();
        foreach (byte[] blob in blobs)
        {
            bytes.Add((byte)(blob.Length >> 8));
            bytes.Add((byte)blob.Length);
            bytes.AddRange(blob);
        }
        return [.. bytes];
    }

    /// <summary>The 7-byte TCG PC Client NV header (stored cert tag, full cert type, size, full cert tag).</summary>
    private static byte[] NvHeader(byte[] der)
    {
        int size = der.Length + 2;
        return [0x10, 0x01, 0x00, (byte)(size >> 8), (byte)size, 0x10, 0x02, .. der];
    }

    /// <summary>
    /// A root (the only anchor), an intermediate the host supplies, an ECC EK certificate, and a host's own root.
    /// Keys come from fixed labels, so saved inputs verify the same way in every run.
    /// </summary>
    private sealed class Pki
    {
        private static readonly DateTimeOffset NotBefore = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        private static readonly DateTimeOffset NotAfter = new(2040, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public byte[] Root { get; }
        public byte[] Intermediate { get; }
        public byte[] Leaf { get; }
        public byte[] HostRoot { get; }
        public TpmPublic EndorsementKey { get; }
        public EkTrustAnchors Anchors { get; }

        public Pki()
        {
            using ECDsa rootKey = Key("root"), intermediateKey = Key("intermediate"), ekKey = Key("ek"),
                hostKey = Key("host root");
            Root = Ca("CN=Fuzz EK Root, O=TrustedCompute", rootKey, null, rootKey, 1);
            Intermediate = Ca("CN=Fuzz EK Intermediate, O=TrustedCompute", intermediateKey, "CN=Fuzz EK Root, O=TrustedCompute",
                rootKey, 2);
            HostRoot = Ca("CN=Fuzz EK Root, O=TrustedCompute", hostKey, null, hostKey, 3);
            Leaf = EkLeaf(ekKey, intermediateKey);
            var q = ekKey.ExportParameters(false).Q;
            EndorsementKey = TpmTemplates.EndorsementKey(EndorsementKeyType.EccP256) with { EccX = q.X!, EccY = q.Y! };
            Anchors = LoadAnchors(Root);
        }

        private static ECDsa Key(string label) => ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("TrustedCompute fuzz EK PKI " + label)),
        });

        private static byte[] Ca(string subject, ECDsa key, string? issuer, ECDsa issuerKey, byte serial)
        {
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(
                X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            var issuerName = new X500DistinguishedName(issuer ?? subject);
            using var certificate = request.Create(issuerName, X509SignatureGenerator.CreateForECDsa(issuerKey),
                NotBefore, NotAfter, [serial]);
            return certificate.RawData;
        }

        private static byte[] EkLeaf(ECDsa ekKey, ECDsa issuerKey)
        {
            var request = new CertificateRequest("", ekKey, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyAgreement, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                [new Oid(EkCertificateValidator.EkCertificateEku)], false));
            request.CertificateExtensions.Add(new X509Extension(EkSubjectAltName.Oid, SubjectAltName(), true));
            using var certificate = request.Create(new X500DistinguishedName("CN=Fuzz EK Intermediate, O=TrustedCompute"),
                X509SignatureGenerator.CreateForECDsa(issuerKey), NotBefore, NotAfter, [0x10, 0x20]);
            return certificate.RawData;
        }

        /// <summary>directoryName with TPM manufacturer, model and version (TCG EK Credential Profile).</summary>
        private static byte[] SubjectAltName()
        {
            var w = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
            using (w.PushSequence())
            using (w.PushSequence(new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 4, true)))
            using (w.PushSequence())
            {
                foreach (var (oid, value) in new[] { ("2.23.133.2.1", "id:54435430"), ("2.23.133.2.2", "fuzz"),
                    ("2.23.133.2.3", "id:00010002") })
                {
                    using (w.PushSetOf())
                    using (w.PushSequence())
                    {
                        w.WriteObjectIdentifier(oid);
                        w.WriteCharacterString(System.Formats.Asn1.UniversalTagNumber.UTF8String, value);
                    }
                }
            }
            return w.Encode();
        }

        private static EkTrustAnchors LoadAnchors(byte[] root)
        {
            var folder = Directory.CreateTempSubdirectory("tc-fuzz-ek-");
            try
            {
                File.WriteAllBytes(Path.Combine(folder.FullName, "root.der"), root);
                var anchors = EkTrustAnchors.Load([folder.FullName]);
                if (anchors.Roots.Count != 1) throw new InvalidOperationException("The fixed EK root did not load");
                return anchors;
            }
            finally
            {
                folder.Delete(recursive: true);
            }
        }
    }
}
