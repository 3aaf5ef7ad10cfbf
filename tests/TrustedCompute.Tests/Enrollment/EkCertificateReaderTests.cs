using System.Security.Cryptography.X509Certificates;
using TrustedCompute.Enrollment;
using TrustedCompute.Tpm;
using Xunit;
using static TrustedCompute.Tests.Enrollment.EkTestCertificates;

namespace TrustedCompute.Tests.Enrollment;

/// <summary>What real EK NV indexes hold, read leniently; everything else rejected with a clear error.</summary>
public sealed class EkCertificateReaderTests
{
    private const int StmRsaDerLength = 1169;

    private static byte[] StmRsaDer() => Bytes(RsaLeaf)[..StmRsaDerLength];

    /// <summary>The TCG PC Client NV header: tag 0x1001, certType 0, u16 size of (tag 0x1002 + DER), tag 0x1002.</summary>
    private static byte[] WithNvHeader(byte[] der, int? sizeField = null)
    {
        int size = sizeField ?? der.Length + 2;
        return [0x10, 0x01, 0x00, (byte)(size >> 8), (byte)size, 0x10, 0x02, .. der];
    }

    [SkippableFact]
    public void RealStmCertificateWithItsFfPaddingReadsAsTheBareDer()
    {
        byte[] nv = Bytes(RsaLeaf);
        Assert.Equal(1600, nv.Length);
        Assert.All(nv[StmRsaDerLength..], b => Assert.Equal(0xFF, b));
        using var certificate = EkCertificateReader.Parse(nv);
        Assert.Equal(StmRsaDer(), certificate.RawData);
        Assert.Contains("STM TPM EK Intermediate CA 05", certificate.Issuer);
    }

    [SkippableFact]
    public void CleanDerAndZeroPaddingRead()
    {
        byte[] der = Der(EccLeaf);
        using (var clean = EkCertificateReader.Parse(der)) Assert.Equal(der, clean.RawData);
        using (var zeros = EkCertificateReader.Parse([.. der, .. new byte[300]])) Assert.Equal(der, zeros.RawData);
    }

    [SkippableFact]
    public void TcgNvHeaderIsRemoved()
    {
        byte[] der = StmRsaDer();
        using (var c = EkCertificateReader.Parse(WithNvHeader(der))) Assert.Equal(der, c.RawData);
        using (var padded = EkCertificateReader.Parse([.. WithNvHeader(der), .. Enumerable.Repeat((byte)0xFF, 64)]))
            Assert.Equal(der, padded.RawData);
    }

    [SkippableTheory]
    [InlineData(-1, "says")]
    [InlineData(+1, "says")]
    [InlineData(-2, "says")]
    public void TcgNvHeaderWithAWrongSizeIsRejected(int delta, string expected)
    {
        byte[] der = StmRsaDer();
        byte[] nv = WithNvHeader(der, der.Length + 2 + delta);
        var e = Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(nv));
        Assert.Contains(expected, e.Message);
    }

    [SkippableFact]
    public void TcgNvHeaderMustBeComplete()
    {
        byte[] header = WithNvHeader(StmRsaDer());
        var cut = Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(header[..5]));
        Assert.Contains("truncated", cut.Message);
        byte[] partial = [.. header];
        partial[2] = 1; // TCG_PARTIAL_SMALL_CERT: not a full certificate
        Assert.Contains("certType", Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(partial)).Message);
        byte[] badTag = [.. header];
        badTag[6] = 0x03;
        Assert.Contains("0x1003", Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(badTag)).Message);
        Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(header[..(header.Length - 1)]));
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(StmRsaDerLength / 2)]
    [InlineData(StmRsaDerLength - 1)]
    public void TruncatedCertificateIsRejected(int length)
    {
        var e = Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(StmRsaDer()[..length]));
        Assert.Contains("truncated", e.Message);
    }

    [SkippableFact]
    public void TruncatedCertificateFollowedByPaddingIsRejected()
    {
        // The padding would have to count as the rest of the TBS: the fields no longer line up. (Padding that stands
        // in for the tail of the signature value is caught by the signature check: see the validator tests.)
        byte[] der = StmRsaDer();
        byte[] nv = [.. der[..500], .. Enumerable.Repeat((byte)0xFF, 1100)];
        Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(nv));
    }

    [SkippableTheory]
    [InlineData(new byte[] { 0x41 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0x00 })]
    [InlineData(new byte[] { 0x00, 0x00, 0xFF })]
    [InlineData(new byte[] { 0x30, 0x00 })]
    public void GarbageAfterTheCertificateIsRejected(byte[] tail)
    {
        var e = Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse([.. StmRsaDer(), .. tail]));
        Assert.Contains("not padding", e.Message);
    }

    [SkippableFact]
    public void OversizedContentsAreRejectedEvenWhenOnlyPadding()
    {
        byte[] nv = [.. StmRsaDer(), .. Enumerable.Repeat((byte)0xFF, EkCertificateReader.MaxSize - StmRsaDerLength + 1)];
        Assert.Contains("at most", Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(nv)).Message);
        byte[] justFits = nv[..EkCertificateReader.MaxSize];
        using var c = EkCertificateReader.Parse(justFits);
        Assert.Equal(StmRsaDer(), c.RawData);
    }

    [Fact]
    public void EmptyAndAllPaddingAreRejected()
    {
        Assert.Contains("empty", Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse([])).Message);
        Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(Enumerable.Repeat((byte)0xFF, 1024).ToArray()));
        Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(new byte[1024]));
    }

    [Fact]
    public void DerThatIsNotACertificateIsRejected()
    {
        // SEQUENCE { INTEGER 3, SEQUENCE {} }: the shape of a PKCS#12 PFX, which X509Certificate2 would otherwise try.
        byte[] pfxShape = [0x30, 0x05, 0x02, 0x01, 0x03, 0x30, 0x00];
        Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(pfxShape));
        // Right shape, nonsense inside.
        byte[] hollow = [0x30, 0x08, 0x30, 0x00, 0x30, 0x00, 0x03, 0x02, 0x00, 0x00];
        Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(hollow));
    }

    [SkippableFact]
    public void IndefiniteOrNonMinimalLengthIsRejected()
    {
        byte[] der = StmRsaDer();
        // 30 82 04 8D -> 30 83 00 04 8D: same length, not minimally encoded (BER, not DER).
        Assert.Equal(0x82, der[1]);
        byte[] longForm = [0x30, 0x83, 0x00, der[2], der[3], .. der[4..]];
        Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(longForm));
        byte[] indefinite = [0x30, 0x80, .. der[4..], 0x00, 0x00];
        Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(indefinite));
    }

    [SkippableFact]
    public void PemTextIsNotWhatAnNvIndexHolds()
    {
        byte[] pem = Bytes(RsaIntermediate);
        Assert.Throws<InvalidDataException>(() => EkCertificateReader.Parse(pem));
    }

    [SkippableFact]
    public void TpmOperationsParsesNvContentsWithTheLenientReader()
    {
        using var c = TpmOperations.ParseDerCertificate(WithNvHeader(StmRsaDer()), TpmHandles.EkCertRsa2048);
        Assert.Equal(StmRsaDer(), c.RawData);
        var e = Assert.Throws<InvalidDataException>(() =>
            TpmOperations.ParseDerCertificate([.. StmRsaDer(), 0x01], TpmHandles.EkCertRsa2048));
        Assert.Contains("0x01C00002", e.Message);
    }

    [SkippableFact]
    public void EveryFlippedHeaderByteIsRejected()
    {
        byte[] nv = WithNvHeader(StmRsaDer());
        for (int i = 0; i < 7 + 4; i++)
        {
            byte[] copy = [.. nv];
            copy[i] ^= 0x01;
            try
            {
                using X509Certificate2 c = EkCertificateReader.Parse(copy);
                Assert.Fail($"byte {i} flipped still read as a certificate ({c.RawData.Length} bytes)");
            }
            catch (InvalidDataException)
            {
            }
        }
    }
}
