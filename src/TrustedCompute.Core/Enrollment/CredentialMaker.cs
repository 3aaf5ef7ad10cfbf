using System.Security.Cryptography;
using TrustedCompute.Tpm;

namespace TrustedCompute.Enrollment;

/// <summary>
/// The verifier's side of credential activation (TPM2_MakeCredential done in software, TPM 2.0 Part 1 24 and
/// Annex B.10 / C.6): a secret that only the TPM holding both the EK and an object of the given name can recover.
/// </summary>
public static class CredentialMaker
{
    private const string IdentityLabel = "IDENTITY";

    /// <summary>
    /// Wraps <paramref name="secret"/> (1 to the EK nameAlg's digest size) for the AK named
    /// <paramref name="attestationKeyName"/> (nameAlg || digest) under <paramref name="endorsementKey"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The EK is not a restricted decryption storage key, uses an algorithm not
    /// supported here, the name is malformed, or the secret's size is out of range.</exception>
    public static CredentialChallenge Make(TpmPublic endorsementKey, ReadOnlySpan<byte> attestationKeyName,
        ReadOnlySpan<byte> secret)
    {
        ArgumentNullException.ThrowIfNull(endorsementKey);
        var ek = endorsementKey;
        CheckStorageKey(ek);
        int digestSize = TpmHash.DigestSize(ek.NameAlg);
        if (secret.Length < 1 || secret.Length > digestSize)
            throw new ArgumentException(
                $"The secret must be 1 to {digestSize} bytes for an EK with nameAlg {TpmHash.BankName(ek.NameAlg)}",
                nameof(secret));
        CheckName(attestationKeyName);

        var (seed, encryptedSecret) = ek.Type == TpmAlgId.Rsa ? RsaSeed(ek, digestSize) : EccSeed(ek, digestSize);
        try
        {
            return new CredentialChallenge(Protect(ek, seed, attestationKeyName, secret), encryptedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>encIdentity = AES-CFB(STORAGE key, zero IV, TPM2B credential), then HMAC(INTEGRITY key,
    /// encIdentity || name).</summary>
    private static byte[] Protect(TpmPublic ek, byte[] seed, ReadOnlySpan<byte> name, ReadOnlySpan<byte> secret)
    {
        byte[] symmetricKey = Kdf.Kdfa(ek.NameAlg, seed, "STORAGE", name, [], ek.SymmetricKeyBits);
        byte[] hmacKey = Kdf.Kdfa(ek.NameAlg, seed, "INTEGRITY", [], [], TpmHash.DigestSize(ek.NameAlg) * 8);
        int plainLength = 2 + secret.Length;
        byte[] plain = new byte[(plainLength + 15) / 16 * 16];
        try
        {
            plain[0] = (byte)(secret.Length >> 8);
            plain[1] = (byte)secret.Length;
            secret.CopyTo(plain.AsSpan(2));
            byte[] encIdentity;
            using (var aes = Aes.Create())
            {
                aes.Key = symmetricKey;
                // CFB-128 of whole blocks, cut to the credential's length: the TPM's CFB of a partial last block.
                encIdentity = aes.EncryptCfb(plain, new byte[16], PaddingMode.None, 128)[..plainLength];
            }
            byte[] hmac;
            using (var mac = IncrementalHash.CreateHMAC(TpmHash.DotNetName(ek.NameAlg), hmacKey))
            {
                mac.AppendData(encIdentity);
                mac.AppendData(name);
                hmac = mac.GetHashAndReset();
            }
            return new TpmWriter().Sized(hmac).Bytes(encIdentity).ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
            CryptographicOperations.ZeroMemory(symmetricKey);
            CryptographicOperations.ZeroMemory(hmacKey);
        }
    }

    /// <summary>A random seed, RSA-OAEP encrypted with the EK's nameAlg and the label "IDENTITY\0".</summary>
    private static (byte[] Seed, byte[] Encrypted) RsaSeed(TpmPublic ek, int digestSize)
    {
        byte[] modulus = ek.Unique;
        if (ek.KeyBits is not (1024 or 2048 or 3072 or 4096) || modulus.Length * 8 != ek.KeyBits || modulus[0] == 0
            || (modulus[^1] & 1) == 0)
            throw new ArgumentException($"The EK's RSA modulus ({modulus.Length} bytes, {ek.KeyBits} bits) is bad");
        uint exponent = ek.Exponent == 0 ? 65537u : ek.Exponent;
        if (exponent < 3 || (exponent & 1) == 0)
            throw new ArgumentException($"The EK's RSA exponent {exponent} is invalid");
        byte[] seed = RandomNumberGenerator.GetBytes(digestSize);
        return (seed, RsaOaep.Encrypt(ek.NameAlg, modulus, exponent, seed, IdentityLabel + "\0"));
    }

    /// <summary>An ephemeral ECDH key on the EK's curve; seed = KDFe(Z.x, "IDENTITY", ephemeral.x, EK.x).</summary>
    private static (byte[] Seed, byte[] Encrypted) EccSeed(TpmPublic ek, int digestSize)
    {
        var curve = CurveOf(ek);
        int size = CoordinateSize(ek.Curve);
        if (ek.EccX.Length is 0 || ek.EccX.Length > size || ek.EccY.Length is 0 || ek.EccY.Length > size)
            throw new ArgumentException($"The EK's ECC point does not fit its curve ({size}-byte coordinates)");
        using var ekKey = ImportPoint(curve, Pad(ek.EccX, size), Pad(ek.EccY, size));
        using var ephemeral = ECDiffieHellman.Create(curve);
        var q = ephemeral.ExportParameters(false).Q;
        byte[] z = ephemeral.DeriveRawSecretAgreement(ekKey.PublicKey);
        try
        {
            byte[] seed = Kdf.Kdfe(ek.NameAlg, z, IdentityLabel, q.X, ek.EccX, digestSize * 8);
            return (seed, new TpmWriter().Sized(q.X).Sized(q.Y).ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(z);
        }
    }

    private static ECDiffieHellman ImportPoint(ECCurve curve, byte[] x, byte[] y)
    {
        try
        {
            return ECDiffieHellman.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = x, Y = y } });
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"The EK's ECC point is not a valid public key on its curve: {e.Message}", e);
        }
    }

    private static void CheckStorageKey(TpmPublic ek)
    {
        if (ek.Type is not (TpmAlgId.Rsa or TpmAlgId.Ecc))
            throw new ArgumentException($"The EK's type {ek.Type} is not RSA or ECC");
        var a = ek.Attributes;
        if (!a.HasFlag(TpmObjectAttributes.Restricted) || !a.HasFlag(TpmObjectAttributes.Decrypt)
            || a.HasFlag(TpmObjectAttributes.Sign) || ek.Scheme != TpmAlgId.Null)
            throw new ArgumentException(
                $"The EK is not a restricted decryption storage key (attributes {a}, scheme {ek.Scheme})");
        if (ek.NameAlg is not (TpmAlgId.Sha1 or TpmAlgId.Sha256 or TpmAlgId.Sha384 or TpmAlgId.Sha512))
            throw new ArgumentException($"The EK's nameAlg 0x{(ushort)ek.NameAlg:X4} is not supported");
        if (ek.Symmetric != TpmAlgId.Aes || ek.SymmetricMode != TpmAlgId.Cfb
            || ek.SymmetricKeyBits is not (128 or 192 or 256))
            throw new ArgumentException(
                $"The EK's symmetric ({ek.Symmetric}-{ek.SymmetricKeyBits} {ek.SymmetricMode}) is not AES-CFB");
        if (ek.Type == TpmAlgId.Ecc && ek.Kdf != TpmAlgId.Null)
            throw new ArgumentException($"The ECC EK names a KDF ({ek.Kdf}): not a storage key");
    }

    private static void CheckName(ReadOnlySpan<byte> name)
    {
        var alg = name.Length >= 2 ? (TpmAlgId)(name[0] << 8 | name[1]) : TpmAlgId.Null;
        if (!TpmHash.IsHash(alg) || name.Length != 2 + TpmHash.DigestSize(alg))
            throw new ArgumentException("The attestation key name is not nameAlg || digest of that algorithm",
                "attestationKeyName");
    }

    private static ECCurve CurveOf(TpmPublic ek) => ek.Curve switch
    {
        TpmEccCurve.NistP256 or TpmEccCurve.NistP384 or TpmEccCurve.NistP521 => TpmPublic.DotNetCurve(ek.Curve),
        _ => throw new ArgumentException($"The EK's ECC curve 0x{(ushort)ek.Curve:X4} is not supported"),
    };

    private static int CoordinateSize(TpmEccCurve curve) => curve switch
    {
        TpmEccCurve.NistP256 => 32,
        TpmEccCurve.NistP384 => 48,
        _ => 66,
    };

    private static byte[] Pad(byte[] value, int size)
    {
        if (value.Length == size) return value;
        var padded = new byte[size];
        value.CopyTo(padded, size - value.Length);
        return padded;
    }
}
