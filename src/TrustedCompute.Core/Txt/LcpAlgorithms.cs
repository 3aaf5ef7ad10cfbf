using System.Security.Cryptography;
using TrustedCompute.Tpm;

namespace TrustedCompute.Txt;

/// <summary>TPM_ALG_ID values LCP uses for hashes.</summary>
public enum LcpHashAlgorithm : ushort
{
    Sha1 = 0x0004,
    Sha256 = 0x000B,
    Sha384 = 0x000C,
    Sha512 = 0x000D,
    Null = 0x0010,
    Sm3_256 = 0x0012,
}

/// <summary>LcpHashAlgMask / AuxHashAlgMask bits.</summary>
[Flags]
public enum LcpHashAlgorithmMask : ushort
{
    None = 0,
    Sha1 = 0x0001,
    Sha256 = 0x0008,
    Sm3_256 = 0x0020,
    Sha384 = 0x0040,
    Sha512 = 0x0080,
}

/// <summary>LcpSignAlgMask bits.</summary>
[Flags]
public enum LcpSignAlgorithmMask : uint
{
    None = 0,
    Rsa2048Sha1 = 0x0004,
    Rsa2048Sha256 = 0x0008,
    Rsa3072Sha256 = 0x0040,
    Rsa3072Sha384 = 0x0080,
    EcdsaP256 = 0x1000,
    EcdsaP384 = 0x2000,
    Sm2 = 0x10000,
}

/// <summary>PolicyControl bits of LCP_POLICY2 (other bits are kept as given).</summary>
[Flags]
public enum LcpPolicyControl : uint
{
    None = 0,
    NpwAllowed = 0x2,
    SinitCapabilitiesInPcr17 = 0x4,
    OwnerEnforced = 0x8,
}

public enum LcpPolicyType : byte
{
    List = 0,
    Any = 1,
}

/// <summary>TPM_ALG_ID of a list signature scheme.</summary>
public enum LcpSignatureScheme : ushort
{
    RsaSsa = 0x0014,
    RsaPss = 0x0016,
    Ecdsa = 0x0018,
    Sm2 = 0x001B,
}

public enum LcpKeyAlgorithm : ushort
{
    Rsa = 0x0001,
    Ecc = 0x0023,
}

public static class LcpHash
{
    public static int DigestSize(LcpHashAlgorithm algorithm) => algorithm switch
    {
        LcpHashAlgorithm.Sha1 => 20,
        LcpHashAlgorithm.Sha256 or LcpHashAlgorithm.Sm3_256 => 32,
        LcpHashAlgorithm.Sha384 => 48,
        LcpHashAlgorithm.Sha512 => 64,
        _ => throw new NotSupportedException($"Hash algorithm 0x{(ushort)algorithm:X4} is not supported."),
    };

    internal static bool IsKnown(ushort value) => value is 0x4 or 0xB or 0xC or 0xD or 0x12;

    public static byte[] Compute(LcpHashAlgorithm algorithm, ReadOnlySpan<byte> data) => algorithm is LcpHashAlgorithm.Null or LcpHashAlgorithm.Sm3_256
        ? throw new NotSupportedException($"Computing {algorithm} hashes is not supported.")
        : TpmHash.Hash((TpmAlgId)algorithm, data);

    internal static HashAlgorithmName Name(LcpHashAlgorithm algorithm) => algorithm is LcpHashAlgorithm.Null or LcpHashAlgorithm.Sm3_256
        ? throw new NotSupportedException($"{algorithm} cannot be used for list signatures.")
        : TpmHash.DotNetName((TpmAlgId)algorithm);

    public static LcpHashAlgorithmMask MaskOf(LcpHashAlgorithm algorithm) => algorithm switch
    {
        LcpHashAlgorithm.Sha1 => LcpHashAlgorithmMask.Sha1,
        LcpHashAlgorithm.Sha256 => LcpHashAlgorithmMask.Sha256,
        LcpHashAlgorithm.Sha384 => LcpHashAlgorithmMask.Sha384,
        LcpHashAlgorithm.Sha512 => LcpHashAlgorithmMask.Sha512,
        LcpHashAlgorithm.Sm3_256 => LcpHashAlgorithmMask.Sm3_256,
        _ => LcpHashAlgorithmMask.None,
    };

    /// <summary>Parses hex with optional spaces/colons/0x (the format lcp2_mlehash prints).</summary>
    public static byte[] ParseHex(string text)
    {
        string clean = text.Trim();
        if (clean.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) clean = clean[2..];
        clean = new string(clean.Where(c => !char.IsWhiteSpace(c) && c != ':' && c != '-').ToArray());
        try
        {
            return Convert.FromHexString(clean);
        }
        catch (FormatException)
        {
            throw new FormatException("Not a hexadecimal digest: '" + (text.Length > 40 ? text[..40] + "…" : text) + "'.");
        }
    }
}

/// <summary>NV indexes and attributes for TXT launch control policies.</summary>
public static class LcpNvIndex
{
    public const uint PlatformOwner = 0x01C10106;
    public const uint PlatformSupplier = 0x01C10103;
    public const uint Auxiliary = 0x01C10102;
    public const uint LegacyPlatformOwner = 0x01400001;

    /// <summary>TPMA_NV_OWNERWRITE | POLICYWRITE | AUTHREAD | NO_DA (ordinary index).</summary>
    public const uint PlatformOwnerAttributes = 0x0204000A;

    /// <summary>TPMA_NV_WRITTEN, set by the TPM after the first write.</summary>
    public const uint Written = 0x20000000;
}
