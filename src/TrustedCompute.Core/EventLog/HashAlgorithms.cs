using System.Security.Cryptography;
using TrustedCompute.Tpm;

namespace TrustedCompute.EventLog;

/// <summary>The PCR bank hash algorithms we can compute: names, sizes and one-shot hashing.</summary>
public static class PcrBanks
{
    public static readonly IReadOnlyList<TpmAlgId> Supported = [TpmAlgId.Sha1, TpmAlgId.Sha256, TpmAlgId.Sha384, TpmAlgId.Sha512];

    public static bool IsSupported(TpmAlgId alg) => DigestSize(alg) > 0;

    /// <summary>Digest size in bytes; 0 for an algorithm we cannot compute.</summary>
    public static int DigestSize(TpmAlgId alg) => alg switch
    {
        TpmAlgId.Sha1 => 20,
        TpmAlgId.Sha256 => 32,
        TpmAlgId.Sha384 => 48,
        TpmAlgId.Sha512 => 64,
        _ => 0,
    };

    public static string Name(TpmAlgId alg) => TpmHash.BankName(alg);

    /// <summary>Parses "sha256", "SHA-256", "Sha256" or a number.</summary>
    public static TpmAlgId Parse(string name)
    {
        switch (name)
        {
            case "sha1": return TpmAlgId.Sha1;
            case "sha256": return TpmAlgId.Sha256;
            case "sha384": return TpmAlgId.Sha384;
            case "sha512": return TpmAlgId.Sha512;
        }
        string n = name.Trim().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        return n switch
        {
            "sha1" => TpmAlgId.Sha1,
            "sha256" => TpmAlgId.Sha256,
            "sha384" => TpmAlgId.Sha384,
            "sha512" => TpmAlgId.Sha512,
            "sm3256" => TpmAlgId.Sm3_256,
            _ when n.StartsWith("0x", StringComparison.Ordinal) && ushort.TryParse(n[2..], System.Globalization.NumberStyles.HexNumber, null, out ushort v) => (TpmAlgId)v,
            _ => throw new ArgumentException($"Unknown PCR bank '{name}' (expected sha1, sha256, sha384 or sha512)", nameof(name)),
        };
    }

    public static int Hash(TpmAlgId alg, ReadOnlySpan<byte> data, Span<byte> destination) => alg switch
    {
        TpmAlgId.Sha1 => SHA1.HashData(data, destination),
        TpmAlgId.Sha256 => SHA256.HashData(data, destination),
        TpmAlgId.Sha384 => SHA384.HashData(data, destination),
        TpmAlgId.Sha512 => SHA512.HashData(data, destination),
        _ => throw new NotSupportedException($"PCR bank {Name(alg)} is not supported"),
    };

    public static byte[] Hash(TpmAlgId alg, ReadOnlySpan<byte> data) => TpmHash.Hash(alg, data);
}

internal static class HexText
{
    public static string Lower(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}

/// <summary>
/// One reusable hash context per bank: one-shot hashing pays a context set-up per call, which dominates small inputs.
/// <see cref="ForThisThread"/> keeps one per thread, so parsing and replaying many logs creates no contexts.
/// </summary>
internal sealed class BankHasher
{
    [ThreadStatic] private static BankHasher? t_current;
    private readonly IncrementalHash?[] _hashes = new IncrementalHash?[4];

    public static BankHasher ForThisThread => t_current ??= new BankHasher();

    public int Hash(TpmAlgId alg, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        int slot = alg switch
        {
            TpmAlgId.Sha1 => 0,
            TpmAlgId.Sha256 => 1,
            TpmAlgId.Sha384 => 2,
            TpmAlgId.Sha512 => 3,
            _ => throw new NotSupportedException($"PCR bank {PcrBanks.Name(alg)} is not supported"),
        };
        var hash = _hashes[slot] ??= IncrementalHash.CreateHash(TpmHash.DotNetName(alg));
        hash.AppendData(data);
        return hash.GetHashAndReset(destination);
    }
}
