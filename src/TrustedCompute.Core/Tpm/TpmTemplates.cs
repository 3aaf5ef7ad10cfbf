namespace TrustedCompute.Tpm;

/// <summary>Which EK template of the TCG EK Credential Profile (2.0, rev 14+).</summary>
public enum EndorsementKeyType
{
    /// <summary>Low range L-1: RSA-2048, certificate at 0x01C00002.</summary>
    Rsa2048,
    /// <summary>Low range L-2: ECC NIST P-256, certificate at 0x01C0000A.</summary>
    EccP256,
    /// <summary>High range H-1: RSA-2048, certificate at 0x01C00012.</summary>
    Rsa2048High,
    /// <summary>High range H-2: ECC NIST P-256, certificate at 0x01C00014.</summary>
    EccP256High,
    /// <summary>High range H-3: ECC NIST P-384, certificate at 0x01C00016.</summary>
    EccP384High,
    /// <summary>High range H-6: RSA-3072 (SHA-384 name, AES-256), certificate at 0x01C0001C.</summary>
    Rsa3072High,
}

public enum AttestationKeyType
{
    RsaSsa,
    RsaPss,
    EcDsa,
}

/// <summary>Key templates: the TCG EK templates (so the key matches the EK certificate) and our AK templates.</summary>
public static class TpmTemplates
{
    private const TpmObjectAttributes EkLow = TpmObjectAttributes.FixedTpm | TpmObjectAttributes.FixedParent |
        TpmObjectAttributes.SensitiveDataOrigin | TpmObjectAttributes.AdminWithPolicy | TpmObjectAttributes.Restricted | TpmObjectAttributes.Decrypt;
    private const TpmObjectAttributes EkHigh = EkLow | TpmObjectAttributes.UserWithAuth;

    /// <summary>PolicySecret(TPM_RH_ENDORSEMENT), SHA-256 (policy A of the profile).</summary>
    public static readonly byte[] PolicyA256 = Convert.FromHexString("837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA");
    /// <summary>PolicyOR of policy A and policy C, SHA-256 (policy B of the high-range templates).</summary>
    public static readonly byte[] PolicyB256 = Convert.FromHexString("CA3D0A99A2B93906F7A3342414EFCFB3A385D44CD1FD459089D19B5071C0B7A0");
    public static readonly byte[] PolicyB384 = Convert.FromHexString("B26E7D28D11A50BC53D882BCF5FD3A1A074148BB35D3B4E4CB1C0AD9BDE419CACB47BA09699646150F9FC000F3F80E12");

    public static TpmPublic EndorsementKey(EndorsementKeyType type) => type switch
    {
        EndorsementKeyType.Rsa2048 => RsaEk(EkLow, PolicyA256, new byte[256]),
        EndorsementKeyType.Rsa2048High => RsaEk(EkHigh, PolicyB256, []),
        EndorsementKeyType.Rsa3072High => RsaEk(EkHigh, PolicyB384, []) with
        {
            NameAlg = TpmAlgId.Sha384, SymmetricKeyBits = 256, KeyBits = 3072,
        },
        EndorsementKeyType.EccP256 => EccEk(EkLow, TpmAlgId.Sha256, PolicyA256, 128, TpmEccCurve.NistP256, new byte[32]),
        EndorsementKeyType.EccP256High => EccEk(EkHigh, TpmAlgId.Sha256, PolicyB256, 128, TpmEccCurve.NistP256, []),
        EndorsementKeyType.EccP384High => EccEk(EkHigh, TpmAlgId.Sha384, PolicyB384, 256, TpmEccCurve.NistP384, []),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static uint CertificateIndex(EndorsementKeyType type) => type switch
    {
        EndorsementKeyType.Rsa2048 => TpmHandles.EkCertRsa2048,
        EndorsementKeyType.EccP256 => TpmHandles.EkCertEccP256,
        EndorsementKeyType.Rsa2048High => TpmHandles.EkCertRsa2048High,
        EndorsementKeyType.EccP256High => TpmHandles.EkCertEccP256High,
        EndorsementKeyType.EccP384High => TpmHandles.EkCertEccP384High,
        EndorsementKeyType.Rsa3072High => TpmHandles.EkCertRsa3072High,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Whether the EK's USER role needs PolicySecret(endorsement) (low range: no userWithAuth).</summary>
    public static bool NeedsPolicySession(TpmPublic ek) => !ek.Attributes.HasFlag(TpmObjectAttributes.UserWithAuth);

    private static TpmPublic RsaEk(TpmObjectAttributes attributes, byte[] policy, byte[] unique) => new()
    {
        Type = TpmAlgId.Rsa, NameAlg = TpmAlgId.Sha256, Attributes = attributes, AuthPolicy = policy,
        Symmetric = TpmAlgId.Aes, SymmetricKeyBits = 128, SymmetricMode = TpmAlgId.Cfb,
        KeyBits = 2048, Exponent = 0, Unique = unique,
    };

    private static TpmPublic EccEk(TpmObjectAttributes attributes, TpmAlgId nameAlg, byte[] policy, ushort aesBits, TpmEccCurve curve, byte[] unique) => new()
    {
        Type = TpmAlgId.Ecc, NameAlg = nameAlg, Attributes = attributes, AuthPolicy = policy,
        Symmetric = TpmAlgId.Aes, SymmetricKeyBits = aesBits, SymmetricMode = TpmAlgId.Cfb,
        Curve = curve, EccX = unique, EccY = unique,
    };

    /// <summary>A restricted signing key, fixed to this TPM, for quotes (as tpm2_createak makes it).</summary>
    public static TpmPublic AttestationKey(AttestationKeyType type, TpmAlgId hash = TpmAlgId.Sha256)
    {
        const TpmObjectAttributes attributes = TpmObjectAttributes.FixedTpm | TpmObjectAttributes.FixedParent |
            TpmObjectAttributes.SensitiveDataOrigin | TpmObjectAttributes.UserWithAuth | TpmObjectAttributes.Restricted | TpmObjectAttributes.Sign;
        return type switch
        {
            AttestationKeyType.RsaSsa or AttestationKeyType.RsaPss => new TpmPublic
            {
                Type = TpmAlgId.Rsa, NameAlg = TpmAlgId.Sha256, Attributes = attributes,
                Scheme = type == AttestationKeyType.RsaSsa ? TpmAlgId.RsaSsa : TpmAlgId.RsaPss, SchemeHash = hash, KeyBits = 2048,
            },
            AttestationKeyType.EcDsa => new TpmPublic
            {
                Type = TpmAlgId.Ecc, NameAlg = TpmAlgId.Sha256, Attributes = attributes,
                Scheme = TpmAlgId.EcDsa, SchemeHash = hash, Curve = TpmEccCurve.NistP256,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
    }
}
