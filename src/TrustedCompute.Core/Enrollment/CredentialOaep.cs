using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using TrustedCompute.Tpm;

namespace TrustedCompute.Enrollment;

/// <summary>
/// EME-OAEP encoding (RFC 8017 7.1.1) with MGF1 and a label. .NET's RSA-OAEP takes no label, and the TPM's
/// secret sharing needs one ("IDENTITY\0", "DUPLICATE\0", ...), so the verifier encodes and applies the public key.
/// </summary>
internal static class RsaOaep
{
    /// <summary>RSA-OAEP encryption with the public key (modulus, exponent) and a label.</summary>
    public static byte[] Encrypt(TpmAlgId hash, byte[] modulus, uint exponent, ReadOnlySpan<byte> message, string label)
    {
        byte[] encoded = Encode(hash, modulus.Length, message, label);
        try
        {
            var m = new BigInteger(encoded, isUnsigned: true, isBigEndian: true);
            var c = BigInteger.ModPow(m, exponent, new BigInteger(modulus, isUnsigned: true, isBigEndian: true));
            var encrypted = new byte[modulus.Length];
            int length = c.GetByteCount(isUnsigned: true);
            c.TryWriteBytes(encrypted.AsSpan(modulus.Length - length), out _, isUnsigned: true, isBigEndian: true);
            return encrypted;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(encoded);
        }
    }

    /// <summary>EM = 0x00 || maskedSeed || maskedDB, <paramref name="modulusLength"/> bytes.</summary>
    public static byte[] Encode(TpmAlgId hash, int modulusLength, ReadOnlySpan<byte> message, string label)
    {
        int hLen = TpmHash.DigestSize(hash);
        if (message.Length > modulusLength - 2 * hLen - 2)
            throw new ArgumentException(
                $"{message.Length} bytes do not fit RSA-OAEP/{TpmHash.BankName(hash)}, {modulusLength * 8}-bit key");
        byte[] em = new byte[modulusLength];
        var seed = em.AsSpan(1, hLen);
        var db = em.AsSpan(1 + hLen);
        TpmHash.Hash(hash, Encoding.ASCII.GetBytes(label)).CopyTo(db);
        db[db.Length - message.Length - 1] = 0x01;
        message.CopyTo(db[^message.Length..]);
        RandomNumberGenerator.Fill(seed);
        Mgf1Xor(hash, seed, db);
        Mgf1Xor(hash, db, seed);
        return em;
    }

    /// <summary>target ^= MGF1(hash, mgfSeed), as long as target.</summary>
    private static void Mgf1Xor(TpmAlgId hash, ReadOnlySpan<byte> mgfSeed, Span<byte> target)
    {
        using var h = IncrementalHash.CreateHash(TpmHash.DotNetName(hash));
        Span<byte> counter = stackalloc byte[4];
        Span<byte> block = stackalloc byte[h.HashLengthInBytes];
        for (int done = 0, i = 0; done < target.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(counter, i);
            h.AppendData(mgfSeed);
            h.AppendData(counter);
            h.GetHashAndReset(block);
            int take = Math.Min(block.Length, target.Length - done);
            for (int j = 0; j < take; j++) target[done + j] ^= block[j];
            done += take;
        }
        CryptographicOperations.ZeroMemory(block);
    }
}
