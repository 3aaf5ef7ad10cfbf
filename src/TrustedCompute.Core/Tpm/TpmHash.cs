using System.Security.Cryptography;

namespace TrustedCompute.Tpm;

/// <summary>Hash algorithms by TPM id: sizes, names and one-shot hashing.</summary>
public static class TpmHash
{
    public static int DigestSize(TpmAlgId alg) => alg switch
    {
        TpmAlgId.Sha1 => 20,
        TpmAlgId.Sha256 or TpmAlgId.Sm3_256 => 32,
        TpmAlgId.Sha384 => 48,
        TpmAlgId.Sha512 => 64,
        _ => throw new TpmProtocolException($"Unknown hash algorithm 0x{(ushort)alg:X4}"),
    };

    public static bool IsHash(TpmAlgId alg) => alg is TpmAlgId.Sha1 or TpmAlgId.Sha256 or TpmAlgId.Sha384 or TpmAlgId.Sha512 or TpmAlgId.Sm3_256;

    /// <summary>The bank name users type: sha1, sha256, sha384, sha512, sm3_256.</summary>
    public static string BankName(TpmAlgId alg) => alg switch
    {
        TpmAlgId.Sha1 => "sha1",
        TpmAlgId.Sha256 => "sha256",
        TpmAlgId.Sha384 => "sha384",
        TpmAlgId.Sha512 => "sha512",
        TpmAlgId.Sm3_256 => "sm3_256",
        _ => $"0x{(ushort)alg:x4}",
    };

    public static TpmAlgId ParseBank(string name) => name.Trim().ToLowerInvariant() switch
    {
        "sha1" or "sha-1" => TpmAlgId.Sha1,
        "sha256" or "sha-256" => TpmAlgId.Sha256,
        "sha384" or "sha-384" => TpmAlgId.Sha384,
        "sha512" or "sha-512" => TpmAlgId.Sha512,
        "sm3_256" or "sm3" => TpmAlgId.Sm3_256,
        _ => throw new ArgumentException($"Unknown PCR bank '{name}'. Use sha1, sha256, sha384 or sha512."),
    };

    public static HashAlgorithmName DotNetName(TpmAlgId alg) => alg switch
    {
        TpmAlgId.Sha1 => HashAlgorithmName.SHA1,
        TpmAlgId.Sha256 => HashAlgorithmName.SHA256,
        TpmAlgId.Sha384 => HashAlgorithmName.SHA384,
        TpmAlgId.Sha512 => HashAlgorithmName.SHA512,
        _ => throw new NotSupportedException($"Hash algorithm {BankName(alg)} is not supported on this platform"),
    };

    public static byte[] Hash(TpmAlgId alg, ReadOnlySpan<byte> data) => alg switch
    {
        TpmAlgId.Sha1 => SHA1.HashData(data),
        TpmAlgId.Sha256 => SHA256.HashData(data),
        TpmAlgId.Sha384 => SHA384.HashData(data),
        TpmAlgId.Sha512 => SHA512.HashData(data),
        _ => throw new NotSupportedException($"Hash algorithm {BankName(alg)} is not supported on this platform"),
    };

    /// <summary>PCR extend: H(old || digest).</summary>
    public static byte[] Extend(TpmAlgId alg, ReadOnlySpan<byte> current, ReadOnlySpan<byte> digest)
    {
        Span<byte> buffer = stackalloc byte[current.Length + digest.Length];
        current.CopyTo(buffer);
        digest.CopyTo(buffer[current.Length..]);
        return Hash(alg, buffer);
    }
}
