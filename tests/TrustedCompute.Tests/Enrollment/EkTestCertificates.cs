using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tpm;

namespace TrustedCompute.Tests.Enrollment;

/// <summary>The real EK certificates in ../shared/testdata/ek-certs and admin trust folders made from them.</summary>
internal static class EkTestCertificates
{
    public const string RsaLeaf = "ek_stm_st33htph_rsa2048_padded.der";
    public const string EccLeaf = "ek_stm_st33htph_eccp256.der";
    public const string RsaIntermediate = "keylime_STM_RSA_05I.pem";
    public const string RsaStmRoot = "keylime_STM_RSA_RT.pem";
    public const string RsaGlobalSignRoot = "keylime_GS_TPM_RT.pem";
    public const string EccIntermediate = "keylime_STM_ECC_01I.pem";
    public const string EccStmRoot = "keylime_STM_ECC_01RT.pem";
    public const string EccGlobalSignRoot = "tpmcacerts_GlobalSign_TPM_ECC_Root_CA.pem";

    /// <summary>Inside the validity of every real certificate used here (the STM leaves: 2018..2028).</summary>
    public static readonly DateTime During = new(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);

    public static byte[] Bytes(string name) => File.ReadAllBytes(TestPaths.Shared("ek-certs", name));

    /// <summary>DER of a PEM or DER file in ek-certs.</summary>
    public static byte[] Der(string name)
    {
        byte[] bytes = Bytes(name);
        if (bytes[0] == 0x30) return bytes;
        using var c = X509Certificate2.CreateFromPem(File.ReadAllText(TestPaths.Shared("ek-certs", name)));
        return c.RawData;
    }

    /// <summary>
    /// The EK public area a TPM would report for a certificate. The real TPMs behind the shared certificates are
    /// not available, so the positive cases take the key from the certificate itself; the mismatch cases use
    /// another key.
    /// </summary>
    public static TpmPublic PublicFromCertificate(byte[] der)
    {
        using var c = X509CertificateLoader.LoadCertificate(der);
        using var rsa = c.GetRSAPublicKey();
        if (rsa is not null) return RsaPublic(rsa.ExportParameters(false));
        // .NET gives no ECDsa key for a keyAgreement-only certificate (the ECC EKs): take it as ECDH.
        using var ecdh = c.GetECDiffieHellmanPublicKey();
        if (ecdh is not null) return EccPublic(ecdh.ExportParameters(false));
        using var ecdsa = c.GetECDsaPublicKey() ?? throw new InvalidOperationException("neither RSA nor ECC");
        return EccPublic(ecdsa.ExportParameters(false));
    }

    public static TpmPublic RsaPublic(RSAParameters p)
    {
        uint exponent = p.Exponent!.Aggregate(0u, (e, b) => (e << 8) | b);
        return TpmTemplates.EndorsementKey(EndorsementKeyType.Rsa2048) with
        {
            KeyBits = (ushort)(p.Modulus!.Length * 8),
            Exponent = exponent == 65537 ? 0 : exponent,
            Unique = p.Modulus,
        };
    }

    public static TpmPublic EccPublic(ECParameters p) => TpmTemplates.EndorsementKey(EndorsementKeyType.EccP256) with
    {
        Curve = p.Q.X!.Length switch { 32 => TpmEccCurve.NistP256, 48 => TpmEccCurve.NistP384, _ => TpmEccCurve.NistP521 },
        EccX = p.Q.X,
        EccY = p.Q.Y!,
    };

    /// <summary>A temporary folder holding the named ek-certs files: the admin's EK trust folder.</summary>
    public static TempFolder AnchorFolder(params string[] names)
    {
        var folder = new TempFolder();
        foreach (string name in names) File.Copy(TestPaths.Shared("ek-certs", name), Path.Combine(folder.Path, name));
        return folder;
    }

    /// <summary>The SubjectAltName TPMs carry: one directoryName with TPM manufacturer, model and version.</summary>
    public static X509Extension TpmSubjectAltName(string manufacturer, string model, string version, bool critical = true,
        bool repeatManufacturer = false)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, true)))
        using (w.PushSequence())
        {
            var attributes = new List<(string, string)>
            {
                ("2.23.133.2.1", manufacturer), ("2.23.133.2.2", model), ("2.23.133.2.3", version),
            };
            if (repeatManufacturer) attributes.Add(("2.23.133.2.1", "id:41414141"));
            foreach (var (oid, value) in attributes)
            {
                using (w.PushSetOf())
                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier(oid);
                    w.WriteCharacterString(UniversalTagNumber.UTF8String, value);
                }
            }
        }
        return new X509Extension("2.5.29.17", w.Encode(), critical);
    }
}

/// <summary>A temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("tc-ek-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { }
    }
}

/// <summary>A small CA hierarchy of our own, for the rules the real certificates cannot break.</summary>
internal sealed class EkTestPki : IDisposable
{
    private readonly List<X509Certificate2> _made = [];

    public static readonly DateTimeOffset NotBefore = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset NotAfter = new(2040, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public X509Certificate2 Ca(string name, X509Certificate2? issuer = null, bool ca = true, int? pathLength = null,
        X509KeyUsageFlags usage = X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var constraints = new X509BasicConstraintsExtension(ca, pathLength is not null, pathLength ?? 0, true);
        request.CertificateExtensions.Add(constraints);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return Issue(request, key, issuer);
    }

    /// <summary>An EK certificate (no CA, critical TPM SubjectAltName, EK EKU unless given others), new RSA key.</summary>
    public (X509Certificate2 Certificate, TpmPublic Public) Leaf(X509Certificate2 issuer, string[]? eku = null,
        X509Extension? subjectAltName = null, IEnumerable<X509Extension>? extra = null, bool selfSigned = false)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment, true));
        var usages = new OidCollection();
        foreach (string oid in eku ?? ["2.23.133.8.1"]) usages.Add(new Oid(oid));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        subjectAltName ??= EkTestCertificates.TpmSubjectAltName("id:54435430", "test", "id:00010002");
        request.CertificateExtensions.Add(subjectAltName);
        foreach (var e in extra ?? []) request.CertificateExtensions.Add(e);
        var certificate = selfSigned ? Track(request.CreateSelfSigned(NotBefore, NotAfter)) : Issue(request, null, issuer);
        return (certificate, EkTestCertificates.RsaPublic(key.ExportParameters(false)));
    }

    private X509Certificate2 Issue(CertificateRequest request, ECDsa? ownKey, X509Certificate2? issuer)
    {
        if (issuer is null) return Track(request.CreateSelfSigned(NotBefore, NotAfter));
        byte[] serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var signer = issuer.GetECDsaPrivateKey()!;
        var generator = X509SignatureGenerator.CreateForECDsa(signer);
        var issued = request.Create(issuer.SubjectName, generator, NotBefore, NotAfter, serial);
        if (ownKey is null) return Track(issued);
        var withKey = issued.CopyWithPrivateKey(ownKey);
        issued.Dispose();
        return Track(withKey);
    }

    public X509Certificate2 Track(X509Certificate2 c)
    {
        _made.Add(c);
        return c;
    }

    /// <summary>Writes certificates as PEM files into a new admin trust folder.</summary>
    public static TempFolder Folder(params X509Certificate2[] certificates)
    {
        var folder = new TempFolder();
        for (int i = 0; i < certificates.Length; i++)
            System.IO.File.WriteAllText(folder.File($"ca{i}.pem"), certificates[i].ExportCertificatePem());
        return folder;
    }

    public void Dispose()
    {
        foreach (var c in _made) c.Dispose();
    }
}
