using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TrustedCompute.Enrollment;

/// <summary>
/// Reads the certificate out of what an EK-certificate NV index holds: clean DER, DER followed by 0xFF or 0x00
/// padding (fixed-size indexes), or DER behind the 7-byte TCG PC Client NV header of TPM 1.2-era certificates.
/// Everything else is rejected with <see cref="InvalidDataException"/>.
/// </summary>
public static class EkCertificateReader
{
    /// <summary>Largest NV content we accept; real EK certificates are 0.5-2 KiB.</summary>
    public const int MaxSize = 8192;

    // TCG_PCCLIENT_STORED_CERT { u16 tag 0x1001, u8 certType 0 (full), u16 certSize } then
    // TCG_FULL_CERT { u16 tag 0x1002, cert }: certSize counts the 0x1002 tag and the DER.
    private const ushort StoredCertTag = 0x1001;
    private const ushort FullCertTag = 0x1002;
    private const int NvHeaderSize = 7;

    public static X509Certificate2 Parse(ReadOnlySpan<byte> nvContents)
    {
        byte[] der = ExtractDer(nvContents);
        return Load(der);
    }

    /// <summary>The DER certificate inside NV contents (header and padding removed), checked for X.509 shape.</summary>
    internal static byte[] ExtractDer(ReadOnlySpan<byte> nvContents)
    {
        if (nvContents.IsEmpty) throw new InvalidDataException("The EK certificate is empty");
        if (nvContents.Length > MaxSize)
            throw new InvalidDataException($"The EK certificate is {nvContents.Length} bytes; at most {MaxSize} are read");
        if (nvContents.Length >= 2 && BinaryPrimitives.ReadUInt16BigEndian(nvContents) == StoredCertTag)
            return FromNvHeader(nvContents);
        int length = ElementLength(nvContents, 0);
        RequirePadding(nvContents[length..], length);
        byte[] der = nvContents[..length].ToArray();
        CheckCertificateShape(der);
        return der;
    }

    private static byte[] FromNvHeader(ReadOnlySpan<byte> nv)
    {
        if (nv.Length < NvHeaderSize) throw new InvalidDataException($"TCG NV header truncated: {nv.Length} of 7 bytes");
        if (nv[2] != 0)
            throw new InvalidDataException($"TCG NV header certType is {nv[2]}; only 0 (full certificate) is supported");
        int certSize = BinaryPrimitives.ReadUInt16BigEndian(nv[3..]);
        ushort tag = BinaryPrimitives.ReadUInt16BigEndian(nv[5..]);
        if (tag != FullCertTag) throw new InvalidDataException($"TCG NV header: tag 0x{tag:X4} at offset 5, expected 0x1002");
        var body = nv[NvHeaderSize..];
        int length = ElementLength(body, NvHeaderSize);
        if (certSize != length + 2)
            throw new InvalidDataException(
                $"TCG NV header says {certSize} bytes (tag + certificate); the certificate is {length} + 2");
        RequirePadding(body[length..], NvHeaderSize + length);
        byte[] der = body[..length].ToArray();
        CheckCertificateShape(der);
        return der;
    }

    /// <summary>Length of the DER element at the start of <paramref name="data"/> (tag, length and content).</summary>
    private static int ElementLength(ReadOnlySpan<byte> data, int offset)
    {
        if (data.IsEmpty) throw new InvalidDataException($"No certificate at offset {offset}");
        if (data[0] != 0x30)
            throw new InvalidDataException($"Offset {offset}: tag 0x{data[0]:X2}; a certificate starts with a SEQUENCE (0x30)");
        try
        {
            AsnDecoder.ReadEncodedValue(data, AsnEncodingRules.DER, out _, out _, out int consumed);
            return consumed;
        }
        catch (AsnContentException e)
        {
            throw new InvalidDataException($"Offset {offset}: the certificate is truncated or not DER: {e.Message}", e);
        }
    }

    private static void RequirePadding(ReadOnlySpan<byte> rest, int offset)
    {
        if (rest.IsEmpty) return;
        byte pad = rest[0];
        int bad = pad is 0xFF or 0x00 ? rest.IndexOfAnyExcept(pad) : 0;
        if (bad >= 0)
            throw new InvalidDataException($"{rest.Length} bytes after the certificate (offset {offset}) are not padding: " +
                $"0x{rest[bad]:X2} at offset {offset + bad}");
    }

    /// <summary>Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm SEQUENCE, signature BIT STRING }.</summary>
    private static void CheckCertificateShape(byte[] der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            outer.ReadSequence();
            outer.ReadSequence();
            outer.ReadBitString(out _);
            if (outer.HasData) throw new InvalidDataException("The certificate has more than three top-level fields");
        }
        catch (AsnContentException e)
        {
            throw new InvalidDataException($"Not an X.509 certificate: {e.Message}", e);
        }
    }

    private static X509Certificate2 Load(byte[] der)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = new X509Certificate2(der);
        }
        catch (CryptographicException e)
        {
            throw new InvalidDataException($"Not an X.509 certificate: {e.Message}", e);
        }
        if (certificate.HasPrivateKey || !certificate.RawData.AsSpan().SequenceEqual(der))
        {
            certificate.Dispose();
            throw new InvalidDataException("Not a plain X.509 certificate");
        }
        try
        {
            CheckFieldsDecode(certificate);
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException or PlatformNotSupportedException)
        {
            // PlatformNotSupportedException: an EC curve this platform's crypto library does not know.
            certificate.Dispose();
            throw new InvalidDataException($"The certificate has a malformed field: {e.Message}", e);
        }
        return certificate;
    }

    /// <summary>
    /// Decodes now what the validator and callers read later, lazily (names, validity, an RSA or EC key, the
    /// extensions acted on), so a malformed field is rejected here and never throws in the middle of a check.
    /// </summary>
    private static void CheckFieldsDecode(X509Certificate2 certificate)
    {
        _ = certificate.Subject;
        _ = certificate.Issuer;
        _ = certificate.NotBefore;
        _ = certificate.NotAfter;
        using (AsymmetricAlgorithm? key = certificate.PublicKey.GetRSAPublicKey() ?? (AsymmetricAlgorithm?)
            certificate.PublicKey.GetECDsaPublicKey())
        {
        }
        foreach (var extension in certificate.Extensions)
        {
            switch (extension)
            {
                case X509BasicConstraintsExtension basic:
                    _ = basic.CertificateAuthority;
                    _ = basic.PathLengthConstraint;
                    break;
                case X509KeyUsageExtension usage:
                    _ = usage.KeyUsages;
                    break;
                case X509EnhancedKeyUsageExtension enhanced:
                    _ = enhanced.EnhancedKeyUsages;
                    break;
            }
        }
    }

    /// <summary>
    /// Every certificate in an EK-chain NV index: one or more DER certificates back to back, then padding.
    /// </summary>
    internal static List<byte[]> ExtractAll(ReadOnlySpan<byte> nvContents)
    {
        if (nvContents.IsEmpty) throw new InvalidDataException("The certificate chain index is empty");
        if (nvContents.Length > MaxSize * 4)
            throw new InvalidDataException($"The certificate chain index is {nvContents.Length} bytes; at most {MaxSize * 4}");
        var result = new List<byte[]>();
        int offset = 0;
        while (offset < nvContents.Length && nvContents[offset] == 0x30)
        {
            int length = ElementLength(nvContents[offset..], offset);
            if (length > MaxSize)
                throw new InvalidDataException($"Certificate at offset {offset} is {length} bytes; at most {MaxSize}");
            byte[] der = nvContents.Slice(offset, length).ToArray();
            CheckCertificateShape(der);
            result.Add(der);
            offset += length;
        }
        if (result.Count == 0) throw new InvalidDataException($"Offset 0: tag 0x{nvContents[0]:X2} is not a certificate");
        RequirePadding(nvContents[offset..], offset);
        return result;
    }

    internal static X509Certificate2 LoadDer(byte[] der) => Load(der);
}
