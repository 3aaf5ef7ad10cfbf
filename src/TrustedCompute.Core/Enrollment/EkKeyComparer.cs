using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TrustedCompute.Tpm;

namespace TrustedCompute.Enrollment;

/// <summary>
/// Whether a certificate's public key is the TPM's EK: RSA modulus and exponent, or ECC curve and point, compared
/// as numbers (the certificate may say rsaEncryption or RSAES-OAEP; coordinates may lose leading zero bytes).
/// </summary>
internal static class EkKeyComparer
{
    private const string RsaEncryption = "1.2.840.113549.1.1.1";
    private const string RsaesOaep = "1.2.840.113549.1.1.7";
    private const string EcPublicKey = "1.2.840.10045.2.1";

    public static bool Matches(X509Certificate2 certificate, TpmPublic ek, out string why)
    {
        try
        {
            string oid = certificate.PublicKey.Oid.Value ?? "";
            byte[] key = certificate.PublicKey.EncodedKeyValue.RawData;
            return oid switch
            {
                RsaEncryption or RsaesOaep => MatchesRsa(key, ek, out why),
                EcPublicKey => MatchesEcc(certificate.PublicKey.EncodedParameters.RawData, key, ek, out why),
                _ => Fail($"the certificate's key algorithm {oid} is not RSA or ECC", out why),
            };
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return Fail($"the certificate's public key cannot be decoded: {e.Message}", out why);
        }
    }

    private static bool MatchesRsa(byte[] key, TpmPublic ek, out string why)
    {
        if (ek.Type != TpmAlgId.Rsa) return Fail($"the certificate holds an RSA key, the EK is {ek.Describe()}", out why);
        var sequence = new AsnReader(key, AsnEncodingRules.DER).ReadSequence();
        var modulus = Unsigned(sequence.ReadIntegerBytes().Span);
        var exponent = Unsigned(sequence.ReadIntegerBytes().Span);
        sequence.ThrowIfNotEmpty();
        uint ekExponent = ek.Exponent == 0 ? 65537u : ek.Exponent;
        var ekExponentBytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ekExponentBytes, ekExponent);
        if (!modulus.SequenceEqual(Unsigned(ek.Unique)))
            return Fail($"RSA modulus differs (certificate {Fingerprint(modulus)}, EK {Fingerprint(ek.Unique)})", out why);
        if (!exponent.SequenceEqual(Unsigned(ekExponentBytes)))
            return Fail($"RSA exponent differs (certificate 0x{Convert.ToHexString(exponent)}, EK {ekExponent})",
                out why);
        why = "";
        return true;
    }

    private static bool MatchesEcc(byte[] parameters, byte[] point, TpmPublic ek, out string why)
    {
        if (ek.Type != TpmAlgId.Ecc) return Fail($"the certificate holds an ECC key, the EK is {ek.Describe()}", out why);
        string curve = new AsnReader(parameters, AsnEncodingRules.DER).ReadObjectIdentifier();
        (TpmEccCurve tpmCurve, int size) = curve switch
        {
            "1.2.840.10045.3.1.7" => (TpmEccCurve.NistP256, 32),
            "1.3.132.0.34" => (TpmEccCurve.NistP384, 48),
            "1.3.132.0.35" => (TpmEccCurve.NistP521, 66),
            _ => ((TpmEccCurve)0, 0),
        };
        if (size == 0) return Fail($"the certificate's curve {curve} is not supported", out why);
        if (ek.Curve != tpmCurve) return Fail($"the certificate's curve is {tpmCurve}, the EK's {ek.Curve}", out why);
        if (point.Length != 1 + 2 * size || point[0] != 0x04)
            return Fail("the certificate's EC point is not an uncompressed point of its curve", out why);
        var x = Unsigned(point.AsSpan(1, size));
        var y = Unsigned(point.AsSpan(1 + size, size));
        if (!x.SequenceEqual(Unsigned(ek.EccX)) || !y.SequenceEqual(Unsigned(ek.EccY)))
            return Fail($"EC point differs (certificate {Fingerprint(point)}, EK {Fingerprint([.. ek.EccX, .. ek.EccY])})",
                out why);
        why = "";
        return true;
    }

    private static ReadOnlySpan<byte> Unsigned(ReadOnlySpan<byte> value)
    {
        int zeros = value.IndexOfAnyExcept((byte)0);
        return zeros < 0 ? [] : value[zeros..];
    }

    private static string Fingerprint(ReadOnlySpan<byte> value) =>
        "SHA-256 " + Convert.ToHexString(SHA256.HashData(value))[..16];

    private static bool Fail(string message, out string why)
    {
        why = message;
        return false;
    }
}
