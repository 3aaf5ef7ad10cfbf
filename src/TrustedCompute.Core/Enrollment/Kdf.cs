using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using TrustedCompute.Tpm;

namespace TrustedCompute.Enrollment;

/// <summary>
/// The two key derivation functions of TPM 2.0 Part 1 (11.4.10): KDFa, SP800-108 counter mode with HMAC, and KDFe,
/// the SP800-56A concatenation KDF over an ECDH shared value. The label gets its terminating zero byte unless it
/// already ends in one. A bit count that is not a multiple of 8 masks off the unused top bits of the first byte.
/// </summary>
public static class Kdf
{
    private const int MaxBits = 64 * 1024 * 8;

    /// <summary>KDFa: HMAC(key, [i]32 || label || 0 || contextU || contextV || [bits]32) for i = 1, 2, ...</summary>
    public static byte[] Kdfa(TpmAlgId hash, ReadOnlySpan<byte> key, string label, ReadOnlySpan<byte> contextU,
        ReadOnlySpan<byte> contextV, int bits)
    {
        CheckBits(bits);
        var name = HashName(hash);
        byte[] labelBytes = LabelBytes(label);
        byte[] input = new byte[4 + labelBytes.Length + contextU.Length + contextV.Length + 4];
        var tail = input.AsSpan(4);
        labelBytes.CopyTo(tail);
        contextU.CopyTo(tail[labelBytes.Length..]);
        contextV.CopyTo(tail[(labelBytes.Length + contextU.Length)..]);
        BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(input.Length - 4), (uint)bits);
        using var hmac = IncrementalHash.CreateHMAC(name, key);
        return Expand(hmac, input, bits);
    }

    /// <summary>KDFe: H([i]32 || z || label || 0 || partyU || partyV) for i = 1, 2, ...</summary>
    public static byte[] Kdfe(TpmAlgId hash, ReadOnlySpan<byte> z, string label, ReadOnlySpan<byte> partyU,
        ReadOnlySpan<byte> partyV, int bits)
    {
        CheckBits(bits);
        var name = HashName(hash);
        byte[] labelBytes = LabelBytes(label);
        byte[] input = new byte[4 + z.Length + labelBytes.Length + partyU.Length + partyV.Length];
        var tail = input.AsSpan(4);
        z.CopyTo(tail);
        labelBytes.CopyTo(tail[z.Length..]);
        partyU.CopyTo(tail[(z.Length + labelBytes.Length)..]);
        partyV.CopyTo(tail[(z.Length + labelBytes.Length + partyU.Length)..]);
        using var digest = IncrementalHash.CreateHash(name);
        try { return Expand(digest, input, bits); }
        finally { CryptographicOperations.ZeroMemory(input); }
    }

    /// <summary>The PRF over <paramref name="input"/> (counter in its first 4 bytes) until the bits are out.</summary>
    private static byte[] Expand(IncrementalHash prf, byte[] input, int bits)
    {
        int bytes = (bits + 7) / 8;
        var output = new byte[bytes];
        Span<byte> block = stackalloc byte[prf.HashLengthInBytes];
        for (uint counter = 1, done = 0; done < bytes; counter++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(input, counter);
            prf.AppendData(input);
            prf.GetHashAndReset(block);
            int take = Math.Min(block.Length, bytes - (int)done);
            block[..take].CopyTo(output.AsSpan((int)done));
            done += (uint)take;
        }
        CryptographicOperations.ZeroMemory(block);
        if (bits % 8 != 0) output[0] &= (byte)(0xFF >> (8 - bits % 8));
        return output;
    }

    private static byte[] LabelBytes(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (label.Any(c => c > 0x7F)) throw new ArgumentException("A KDF label is ASCII", nameof(label));
        return label.EndsWith('\0') ? Encoding.ASCII.GetBytes(label) : Encoding.ASCII.GetBytes(label + "\0");
    }

    private static void CheckBits(int bits)
    {
        if (bits <= 0 || bits > MaxBits)
            throw new ArgumentOutOfRangeException(nameof(bits), bits, $"A KDF output is 1 to {MaxBits} bits");
    }

    private static HashAlgorithmName HashName(TpmAlgId hash) => hash switch
    {
        TpmAlgId.Sha1 or TpmAlgId.Sha256 or TpmAlgId.Sha384 or TpmAlgId.Sha512 => TpmHash.DotNetName(hash),
        _ => throw new ArgumentException($"KDF hash 0x{(ushort)hash:X4} is not supported", nameof(hash)),
    };
}
