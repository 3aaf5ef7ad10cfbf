namespace TrustedCompute.Txt;

/// <summary>
/// The key and signature of a signed list. Key and signature bytes are kept as stored (little-endian
/// modulus, Qx|Qy, signature, R|S).
/// </summary>
public sealed class LcpListSignature
{
    public ushort RevocationCounter { get; set; }
    public LcpSignatureScheme Scheme { get; set; }

    /// <summary>Stored in 0x300 lists; for 0x100/0x200 lists it is implied (RSA: by the signature, Null here).</summary>
    public LcpHashAlgorithm HashAlgorithm { get; set; }

    public LcpKeyAlgorithm KeyAlgorithm => Scheme is LcpSignatureScheme.Ecdsa or LcpSignatureScheme.Sm2 ? LcpKeyAlgorithm.Ecc : LcpKeyAlgorithm.Rsa;

    public int KeySize { get; set; }
    public uint Exponent { get; set; } = 65537;
    public byte[] PublicKey { get; set; } = [];
    public byte[] Value { get; set; } = [];
}

/// <summary>A policy list: LCP_POLICY_LIST (0x100), LCP_POLICY_LIST2 (0x200/0x201) or LCP_POLICY_LIST2_1 (0x300).</summary>
public sealed class LcpPolicyList
{
    public const ushort Version100 = 0x0100;
    public const ushort Version200 = 0x0200;
    public const ushort Version201 = 0x0201;
    public const ushort Version300 = 0x0300;

    private const byte SignatureVersion = 0x10;

    public ushort Version { get; set; } = Version300;
    public List<LcpElement> Elements { get; set; } = [];
    public LcpListSignature? Signature { get; set; }
    public bool IsSigned => Signature is not null;

    public byte[] ToBytes()
    {
        var elements = new LcpWriter();
        foreach (var element in Elements)
        {
            if (Version == Version100 && !IsLegacyElement(element))
            {
                throw new ArgumentException($"A 0x100 (TPM 1.2) list holds legacy MLE and PCONF elements only, not {element.Type}.");
            }
            elements.Bytes(element.ToBytes());
        }
        var w = new LcpWriter();
        w.U16(Version);
        switch (Version)
        {
            case Version100:
                w.U8(0);
                w.U8((byte)(Signature is null ? 0 : 1));
                w.U32((uint)elements.Length);
                w.Bytes(elements.ToArray());
                if (Signature is not null) WriteV2Signature(w, Signature);
                break;
            case Version200 or Version201:
                w.U16(Signature is null ? (ushort)LcpHashAlgorithm.Null : (ushort)Signature.Scheme);
                w.U32((uint)elements.Length);
                w.Bytes(elements.ToArray());
                if (Signature is not null) WriteV2Signature(w, Signature);
                break;
            case Version300:
                w.U16(Signature is null ? (ushort)0 : checked((ushort)(8 + elements.Length + 2)));
                w.U32((uint)elements.Length);
                w.Bytes(elements.ToArray());
                if (Signature is not null) WriteV3Signature(w, Signature);
                break;
            default:
                throw new ArgumentException($"List version 0x{Version:X4} is not supported (0x100, 0x200, 0x201, 0x300).");
        }
        return w.ToArray();
    }

    /// <summary>The bytes the signature covers.</summary>
    public byte[] SignedBytes()
    {
        if (Signature is null) throw new InvalidOperationException("The list is not signed.");
        var bytes = ToBytes();
        int elementsEnd = 8 + (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4));
        int length = Version == Version300 ? elementsEnd + 2
            : bytes.Length - Signature.Value.Length;
        return bytes[..length];
    }

    /// <summary>The list's contribution to PolicyHash: H(public key as stored) when signed, else H(list).</summary>
    public byte[] ComputeHash(LcpHashAlgorithm algorithm) =>
        LcpHash.Compute(algorithm, Signature is null ? ToBytes() : Signature.PublicKey);

    public static LcpPolicyList Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var reader = new LcpReader(bytes, "List");
        var list = Read(reader);
        reader.End("PolicyElementsSize");
        return list;
    }

    internal static LcpPolicyList Read(LcpReader r)
    {
        var list = new LcpPolicyList { Version = r.U16("Version") };
        switch (list.Version)
        {
            case Version100:
            {
                r.U8("Reserved");
                byte sigAlg = r.U8("SigAlgorithm");
                r.Expect(sigAlg <= 1, "SigAlgorithm", $"unknown legacy signature algorithm {sigAlg}");
                ReadElements(r, list);
                var modern = list.Elements.FirstOrDefault(e => !IsLegacyElement(e));
                r.Expect(modern is null, "Elements", $"a 0x100 (TPM 1.2) list holds legacy MLE and PCONF elements only, not {modern?.Type}");
                if (sigAlg == 1) list.Signature = ReadV2Signature(r, LcpSignatureScheme.RsaSsa);
                break;
            }
            case Version200 or Version201:
            {
                ushort sigAlg = r.U16("SigAlgorithm");
                r.Expect(sigAlg is 0x10 or 0x14 or 0x18 or 0x1B, "SigAlgorithm", $"unknown signature algorithm 0x{sigAlg:X4}");
                ReadElements(r, list);
                if (sigAlg != 0x10) list.Signature = ReadV2Signature(r, (LcpSignatureScheme)sigAlg);
                break;
            }
            case Version300:
            {
                ushort offset = r.U16("KeySignatureOffset");
                uint size = ReadElements(r, list);
                if (offset != 0)
                {
                    r.Expect(offset == 8 + size + 2, "KeySignatureOffset", $"{offset} does not point after the elements and RevocationCounter ({8 + size + 2})");
                    list.Signature = ReadV3Signature(r);
                }
                break;
            }
            default:
                throw r.Error("Version", $"unsupported list version 0x{list.Version:X4} (0x100, 0x200, 0x201, 0x300)");
        }
        return list;
    }

    private static bool IsLegacyElement(LcpElement element) =>
        element.Type is LcpElementType.Mle or LcpElementType.Pconf || element is LcpUnknownElement;

    private static uint ReadElements(LcpReader r, LcpPolicyList list)
    {
        uint size = r.U32("PolicyElementsSize");
        var elements = r.Sub(size, "PolicyElementsSize", "Elements");
        for (int i = 0; elements.Remaining > 0; i++)
        {
            list.Elements.Add(LcpElement.Read(elements, $"Element[{i}]."));
        }
        return size;
    }

    private static LcpListSignature ReadV2Signature(LcpReader r, LcpSignatureScheme scheme)
    {
        var sig = new LcpListSignature { Scheme = scheme, RevocationCounter = r.U16("RevocationCounter"), HashAlgorithm = LcpHashAlgorithm.Null };
        int keySize = r.U16("PubkeySize");
        if (sig.KeyAlgorithm == LcpKeyAlgorithm.Rsa)
        {
            r.Expect(keySize is 128 or 256 or 384 or 512, "PubkeySize", $"{keySize} bytes is not an RSA key size (128, 256, 384, 512)");
            sig.PublicKey = r.Bytes(keySize, "PubkeyValue");
            sig.Value = r.Bytes(keySize, "SigBlock");
        }
        else
        {
            r.Expect(keySize is 32 or 48, "PubkeySize", $"{keySize} bytes is not an ECC key size (32, 48)");
            r.U32("Reserved");
            sig.PublicKey = r.Bytes(2 * keySize, "QxQy");
            sig.Value = r.Bytes(2 * keySize, "RS");
            sig.HashAlgorithm = keySize == 32 ? LcpHashAlgorithm.Sha256 : LcpHashAlgorithm.Sha384;
        }
        sig.KeySize = keySize * 8;
        return sig;
    }

    private static void WriteV2Signature(LcpWriter w, LcpListSignature sig)
    {
        w.U16(sig.RevocationCounter);
        if (sig.KeyAlgorithm == LcpKeyAlgorithm.Rsa)
        {
            w.U16((ushort)sig.PublicKey.Length);
            w.Bytes(sig.PublicKey);
            w.Bytes(sig.Value);
        }
        else
        {
            w.U16((ushort)(sig.PublicKey.Length / 2));
            w.U32(0);
            w.Bytes(sig.PublicKey);
            w.Bytes(sig.Value);
        }
    }

    private static LcpListSignature ReadV3Signature(LcpReader r)
    {
        var sig = new LcpListSignature { RevocationCounter = r.U16("RevocationCounter") };
        r.Expect(r.U8("KeyAndSignature.Version") == SignatureVersion, "KeyAndSignature.Version", "must be 0x10");
        ushort keyAlg = r.U16("KeyAndSignature.KeyAlg");
        r.Expect(keyAlg is 0x0001 or 0x0023, "KeyAndSignature.KeyAlg", $"unknown key algorithm 0x{keyAlg:X4} (RSA 0x0001, ECC 0x0023)");
        r.Expect(r.U8("Key.Version") == SignatureVersion, "Key.Version", "must be 0x10");
        sig.KeySize = r.U16("Key.KeySize");
        int bytes = sig.KeySize / 8;
        if (keyAlg == 0x0001)
        {
            r.Expect(sig.KeySize is 2048 or 3072, "Key.KeySize", $"{sig.KeySize} bits is not a supported RSA key size (2048, 3072)");
            sig.Exponent = r.U32("Key.Exponent");
            sig.PublicKey = r.Bytes(bytes, "Key.Modulus");
        }
        else
        {
            r.Expect(sig.KeySize is 256 or 384, "Key.KeySize", $"{sig.KeySize} bits is not a supported ECC key size (256, 384)");
            sig.PublicKey = r.Bytes(2 * bytes, "Key.QxQy");
        }
        ushort scheme = r.U16("SigScheme");
        bool schemeOk = keyAlg == 0x0001 ? scheme is 0x14 or 0x16 : scheme is 0x18 or 0x1B;
        r.Expect(schemeOk, "SigScheme", $"scheme 0x{scheme:X4} does not fit key algorithm 0x{keyAlg:X4}");
        sig.Scheme = (LcpSignatureScheme)scheme;
        r.Expect(r.U8("Signature.Version") == SignatureVersion, "Signature.Version", "must be 0x10");
        ushort sigKeySize = r.U16("Signature.KeySize");
        r.Expect(sigKeySize == sig.KeySize, "Signature.KeySize", $"{sigKeySize} differs from the key's {sig.KeySize}");
        sig.HashAlgorithm = LcpElement.ReadHashAlgorithm(r, "Signature.HashAlg");
        sig.Value = r.Bytes(keyAlg == 0x0001 ? bytes : 2 * bytes, "Signature.Value");
        return sig;
    }

    private static void WriteV3Signature(LcpWriter w, LcpListSignature sig)
    {
        bool rsa = sig.KeyAlgorithm == LcpKeyAlgorithm.Rsa;
        w.U16(sig.RevocationCounter);
        w.U8(SignatureVersion);
        w.U16((ushort)sig.KeyAlgorithm);
        w.U8(SignatureVersion);
        w.U16((ushort)sig.KeySize);
        if (rsa) w.U32(sig.Exponent);
        w.Bytes(sig.PublicKey);
        w.U16((ushort)sig.Scheme);
        w.U8(SignatureVersion);
        w.U16((ushort)sig.KeySize);
        w.U16((ushort)sig.HashAlgorithm);
        w.Bytes(sig.Value);
    }
}
