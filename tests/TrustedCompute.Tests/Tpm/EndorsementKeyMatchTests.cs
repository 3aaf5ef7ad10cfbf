using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Tpm;

/// <summary>An EK the TPM returns is compared with its certificate; a key that is no usable key never matches (found by tpm-response).</summary>
public sealed class EndorsementKeyMatchTests
{
    private static (X509Certificate2 Certificate, TpmPublic Key) CertifiedRsaKey(uint exponent)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=ek", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var key = new TpmPublic
        {
            Type = TpmAlgId.Rsa, NameAlg = TpmAlgId.Sha256, KeyBits = 2048, Exponent = exponent,
            Unique = rsa.ExportParameters(false).Modulus!,
        };
        return (certificate, key);
    }

    [Fact]
    public void The_certified_key_matches()
    {
        var (certificate, key) = CertifiedRsaKey(0); // 0: the default exponent, 65537
        using (certificate) Assert.True(TpmOperations.SamePublicKey(certificate, key));
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(2u)]
    public void The_same_modulus_with_an_exponent_no_RSA_key_has_is_no_match_and_no_crash(uint exponent)
    {
        var (certificate, key) = CertifiedRsaKey(exponent);
        using (certificate) Assert.False(TpmOperations.SamePublicKey(certificate, key));
    }
}
