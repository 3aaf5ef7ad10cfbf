using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TrustedCompute.Enrollment;

/// <summary>Our own check that a certificate's signature verifies with another's public key (RSA PKCS#1, ECDSA).</summary>
internal static class EkCertificateSignature
{
    public static bool IsSignedBy(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        if (!certificate.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData)) return false;
        try
        {
            var outer = new AsnReader(certificate.RawData, AsnEncodingRules.DER).ReadSequence();
            var tbs = outer.ReadEncodedValue();
            var algorithm = outer.ReadSequence();
            string oid = algorithm.ReadObjectIdentifier();
            byte[] signature = outer.ReadBitString(out int unused);
            if (unused != 0) return false;
            return Verify(oid, tbs.Span, signature, issuer);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return false;
        }
    }

    private static bool Verify(string oid, ReadOnlySpan<byte> tbs, byte[] signature, X509Certificate2 issuer)
    {
        switch (oid)
        {
            case "1.2.840.113549.1.1.5": return VerifyRsa(tbs, signature, issuer, HashAlgorithmName.SHA1);
            case "1.2.840.113549.1.1.11": return VerifyRsa(tbs, signature, issuer, HashAlgorithmName.SHA256);
            case "1.2.840.113549.1.1.12": return VerifyRsa(tbs, signature, issuer, HashAlgorithmName.SHA384);
            case "1.2.840.113549.1.1.13": return VerifyRsa(tbs, signature, issuer, HashAlgorithmName.SHA512);
            case "1.2.840.10045.4.1": return VerifyEcdsa(tbs, signature, issuer, HashAlgorithmName.SHA1);
            case "1.2.840.10045.4.3.2": return VerifyEcdsa(tbs, signature, issuer, HashAlgorithmName.SHA256);
            case "1.2.840.10045.4.3.3": return VerifyEcdsa(tbs, signature, issuer, HashAlgorithmName.SHA384);
            case "1.2.840.10045.4.3.4": return VerifyEcdsa(tbs, signature, issuer, HashAlgorithmName.SHA512);
            default: return false;
        }
    }

    private static bool VerifyRsa(ReadOnlySpan<byte> tbs, byte[] signature, X509Certificate2 issuer,
        HashAlgorithmName hash)
    {
        using var key = issuer.GetRSAPublicKey();
        return key is not null && key.VerifyData(tbs, signature, hash, RSASignaturePadding.Pkcs1);
    }

    private static bool VerifyEcdsa(ReadOnlySpan<byte> tbs, byte[] signature, X509Certificate2 issuer,
        HashAlgorithmName hash)
    {
        using var key = issuer.GetECDsaPublicKey();
        return key is not null && key.VerifyData(tbs, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
    }
}
