using System.Security.Cryptography;

namespace TrustedCompute.Tpm;

[Flags]
public enum TpmObjectAttributes : uint
{
    None = 0,
    FixedTpm = 0x00000002,
    StClear = 0x00000004,
    FixedParent = 0x00000010,
    SensitiveDataOrigin = 0x00000020,
    UserWithAuth = 0x00000040,
    AdminWithPolicy = 0x00000080,
    NoDA = 0x00000400,
    EncryptedDuplication = 0x00000800,
    Restricted = 0x00010000,
    Decrypt = 0x00020000,
    Sign = 0x00040000,
}

/// <summary>
/// TPMT_PUBLIC for RSA, ECC, keyed-hash and symmetric objects. <see cref="Marshal"/> gives back the exact bytes the
/// TPM hashes for the object's Name.
/// </summary>
public sealed record TpmPublic
{
    public const int MaxSize = 1024;

    public TpmAlgId Type { get; init; }
    public TpmAlgId NameAlg { get; init; } = TpmAlgId.Sha256;
    public TpmObjectAttributes Attributes { get; init; }
    public byte[] AuthPolicy { get; init; } = [];
    /// <summary>Symmetric algorithm of a storage key (Null for signing keys).</summary>
    public TpmAlgId Symmetric { get; init; } = TpmAlgId.Null;
    public ushort SymmetricKeyBits { get; init; }
    public TpmAlgId SymmetricMode { get; init; } = TpmAlgId.Null;
    /// <summary>Signing or encryption scheme (RsaSsa, RsaPss, EcDsa, Hmac, ...; Null for none).</summary>
    public TpmAlgId Scheme { get; init; } = TpmAlgId.Null;
    public TpmAlgId SchemeHash { get; init; } = TpmAlgId.Null;
    public ushort EcDaaCount { get; init; }
    public ushort KeyBits { get; init; }
    public uint Exponent { get; init; }
    public TpmEccCurve Curve { get; init; }
    public TpmAlgId Kdf { get; init; } = TpmAlgId.Null;
    public TpmAlgId KdfHash { get; init; } = TpmAlgId.Null;
    /// <summary>RSA modulus, or keyed-hash/symmetric unique digest.</summary>
    public byte[] Unique { get; init; } = [];
    public byte[] EccX { get; init; } = [];
    public byte[] EccY { get; init; } = [];

    public byte[] Marshal()
    {
        var w = new TpmWriter();
        w.Alg(Type).Alg(NameAlg).UInt32((uint)Attributes).Sized(AuthPolicy);
        switch (Type)
        {
            case TpmAlgId.Rsa:
                WriteSymmetric(w);
                WriteScheme(w);
                w.UInt16(KeyBits).UInt32(Exponent).Sized(Unique);
                break;
            case TpmAlgId.Ecc:
                WriteSymmetric(w);
                WriteScheme(w);
                w.UInt16((ushort)Curve).Alg(Kdf);
                if (Kdf != TpmAlgId.Null) w.Alg(KdfHash);
                w.Sized(EccX).Sized(EccY);
                break;
            case TpmAlgId.KeyedHash:
                w.Alg(Scheme);
                if (Scheme == TpmAlgId.Hmac) w.Alg(SchemeHash);
                if (Scheme == TpmAlgId.Xor) w.Alg(SchemeHash).Alg(Kdf);
                w.Sized(Unique);
                break;
            case TpmAlgId.SymCipher:
                WriteSymmetric(w);
                w.Sized(Unique);
                break;
            default:
                throw new NotSupportedException($"Object type 0x{(ushort)Type:X4} cannot be marshalled");
        }
        return w.ToArray();
    }

    private void WriteSymmetric(TpmWriter w)
    {
        w.Alg(Symmetric);
        if (Symmetric != TpmAlgId.Null) w.UInt16(SymmetricKeyBits).Alg(SymmetricMode);
    }

    private void WriteScheme(TpmWriter w)
    {
        w.Alg(Scheme);
        if (Scheme == TpmAlgId.Null) return;
        w.Alg(SchemeHash);
        if (Scheme == TpmAlgId.EcDaa) w.UInt16(EcDaaCount);
    }

    /// <summary>Parses a TPMT_PUBLIC that fills <paramref name="r"/> to its end.</summary>
    public static TpmPublic Parse(TpmReader r)
    {
        var type = r.ReadAlg("TPMT_PUBLIC.type");
        var nameAlg = r.ReadAlg("TPMT_PUBLIC.nameAlg");
        if (nameAlg != TpmAlgId.Null && !TpmHash.IsHash(nameAlg))
            throw new TpmProtocolException($"TPMT_PUBLIC.nameAlg 0x{(ushort)nameAlg:X4} is not a hash algorithm");
        var p = new TpmPublic
        {
            Type = type,
            NameAlg = nameAlg,
            Attributes = (TpmObjectAttributes)r.ReadUInt32("TPMT_PUBLIC.objectAttributes"),
            AuthPolicy = r.ReadSized("TPMT_PUBLIC.authPolicy", 64),
        };
        switch (type)
        {
            case TpmAlgId.Rsa:
            {
                p = ReadSymmetric(r, p);
                p = ReadScheme(r, p);
                p = p with { KeyBits = r.ReadUInt16("TPMS_RSA_PARMS.keyBits"), Exponent = r.ReadUInt32("TPMS_RSA_PARMS.exponent") };
                return p with { Unique = r.ReadSized("TPM2B_PUBLIC_KEY_RSA", 512) };
            }
            case TpmAlgId.Ecc:
            {
                p = ReadSymmetric(r, p);
                p = ReadScheme(r, p);
                p = p with { Curve = (TpmEccCurve)r.ReadUInt16("TPMS_ECC_PARMS.curveID"), Kdf = r.ReadAlg("TPMS_ECC_PARMS.kdf") };
                if (p.Kdf != TpmAlgId.Null) p = p with { KdfHash = r.ReadAlg("TPMS_ECC_PARMS.kdf.hashAlg") };
                return p with { EccX = r.ReadSized("TPMS_ECC_POINT.x", 128), EccY = r.ReadSized("TPMS_ECC_POINT.y", 128) };
            }
            case TpmAlgId.KeyedHash:
            {
                p = p with { Scheme = r.ReadAlg("TPMT_KEYEDHASH_SCHEME.scheme") };
                if (p.Scheme == TpmAlgId.Hmac) p = p with { SchemeHash = r.ReadAlg("TPMS_SCHEME_HMAC.hashAlg") };
                else if (p.Scheme == TpmAlgId.Xor) p = p with { SchemeHash = r.ReadAlg("TPMS_SCHEME_XOR.hashAlg"), Kdf = r.ReadAlg("TPMS_SCHEME_XOR.kdf") };
                else if (p.Scheme != TpmAlgId.Null) throw new TpmProtocolException($"Unknown keyed-hash scheme 0x{(ushort)p.Scheme:X4}");
                return p with { Unique = r.ReadSized("TPM2B_DIGEST unique", 64) };
            }
            case TpmAlgId.SymCipher:
                p = ReadSymmetric(r, p);
                return p with { Unique = r.ReadSized("TPM2B_DIGEST unique", 64) };
            default:
                throw new TpmProtocolException($"Unknown TPMT_PUBLIC.type 0x{(ushort)type:X4}");
        }
    }

    private static TpmPublic ReadSymmetric(TpmReader r, TpmPublic p)
    {
        var alg = r.ReadAlg("TPMT_SYM_DEF_OBJECT.algorithm");
        if (alg == TpmAlgId.Null) return p with { Symmetric = alg };
        if (alg is not (TpmAlgId.Aes or TpmAlgId.Xor or (TpmAlgId)0x0026 or (TpmAlgId)0x0013))
            throw new TpmProtocolException($"Unknown symmetric algorithm 0x{(ushort)alg:X4}");
        return p with { Symmetric = alg, SymmetricKeyBits = r.ReadUInt16("TPMT_SYM_DEF_OBJECT.keyBits"), SymmetricMode = r.ReadAlg("TPMT_SYM_DEF_OBJECT.mode") };
    }

    private static TpmPublic ReadScheme(TpmReader r, TpmPublic p)
    {
        var scheme = r.ReadAlg("scheme");
        if (scheme == TpmAlgId.Null) return p with { Scheme = scheme };
        if (scheme is not (TpmAlgId.RsaSsa or TpmAlgId.RsaPss or TpmAlgId.RsaEs or TpmAlgId.Oaep or TpmAlgId.EcDsa or TpmAlgId.EcDh or TpmAlgId.EcDaa or (TpmAlgId)0x001B or (TpmAlgId)0x001C or (TpmAlgId)0x0020))
            throw new TpmProtocolException($"Unknown asymmetric scheme 0x{(ushort)scheme:X4}");
        p = p with { Scheme = scheme };
        if (scheme == TpmAlgId.RsaEs) return p;
        p = p with { SchemeHash = r.ReadAlg("scheme.hashAlg") };
        return scheme == TpmAlgId.EcDaa ? p with { EcDaaCount = r.ReadUInt16("scheme.count") } : p;
    }

    /// <summary>Parses a TPM2B_PUBLIC (u16 size + TPMT_PUBLIC).</summary>
    public static TpmPublic ParseSized(TpmReader r) => r.ReadSizedStructure("TPM2B_PUBLIC", MaxSize, Parse);

    public static TpmPublic FromTpm2BPublic(byte[] bytes)
    {
        var r = new TpmReader(bytes);
        var p = ParseSized(r);
        r.ExpectEnd("TPM2B_PUBLIC");
        return p;
    }

    public byte[] ToTpm2BPublic() => new TpmWriter().Sized(Marshal()).ToArray();

    /// <summary>The object's Name: nameAlg || H_nameAlg(TPMT_PUBLIC).</summary>
    public byte[] Name()
    {
        var w = new TpmWriter().Alg(NameAlg);
        return w.Bytes(TpmHash.Hash(NameAlg, Marshal())).ToArray();
    }

    public bool IsRestrictedSigningKey =>
        Attributes.HasFlag(TpmObjectAttributes.Restricted) && Attributes.HasFlag(TpmObjectAttributes.Sign);

    /// <summary>The public key as a .NET key (RSA or ECDsa); the caller disposes it.</summary>
    public AsymmetricAlgorithm CreatePublicKey() => Type switch
    {
        TpmAlgId.Rsa => RSA.Create(new RSAParameters { Modulus = Unique, Exponent = ExponentBytes() }),
        TpmAlgId.Ecc => ECDsa.Create(new ECParameters { Curve = DotNetCurve(Curve), Q = new ECPoint { X = PadCoordinate(EccX), Y = PadCoordinate(EccY) } }),
        _ => throw new NotSupportedException($"Object type {Type} has no public key"),
    };

    /// <summary>DER SubjectPublicKeyInfo of the public key.</summary>
    public byte[] ExportSubjectPublicKeyInfo()
    {
        using var key = CreatePublicKey();
        return key.ExportSubjectPublicKeyInfo();
    }

    /// <summary>Some TPMs return coordinates without leading zero bytes; .NET wants both at the curve's size.</summary>
    private byte[] PadCoordinate(byte[] value)
    {
        int size = Curve switch { TpmEccCurve.NistP256 => 32, TpmEccCurve.NistP384 => 48, TpmEccCurve.NistP521 => 66, _ => value.Length };
        if (value.Length >= size) return value;
        var padded = new byte[size];
        value.CopyTo(padded, size - value.Length);
        return padded;
    }

    private byte[] ExponentBytes()
    {
        uint e = Exponent == 0 ? 65537u : Exponent;
        var bytes = BitConverter.GetBytes(e);
        if (BitConverter.IsLittleEndian) Array.Reverse(bytes);
        return bytes.SkipWhile(b => b == 0).ToArray();
    }

    public static ECCurve DotNetCurve(TpmEccCurve curve) => curve switch
    {
        TpmEccCurve.NistP256 => ECCurve.NamedCurves.nistP256,
        TpmEccCurve.NistP384 => ECCurve.NamedCurves.nistP384,
        TpmEccCurve.NistP521 => ECCurve.NamedCurves.nistP521,
        _ => throw new NotSupportedException($"ECC curve 0x{(ushort)curve:X4} is not supported"),
    };

    /// <summary>Short text such as "RSA-2048 RSASSA/SHA256" or "ECC-P256 ECDSA/SHA256".</summary>
    public override string ToString() => Describe();

    public string Describe()
    {
        string key = Type switch
        {
            TpmAlgId.Rsa => $"RSA-{KeyBits}",
            TpmAlgId.Ecc => $"ECC-{Curve switch { TpmEccCurve.NistP256 => "P256", TpmEccCurve.NistP384 => "P384", TpmEccCurve.NistP521 => "P521", _ => ((ushort)Curve).ToString("X4") }}",
            _ => Type.ToString(),
        };
        return Scheme == TpmAlgId.Null ? key : $"{key} {Scheme.ToString().ToUpperInvariant()}/{TpmHash.BankName(SchemeHash).ToUpperInvariant()}";
    }
}
