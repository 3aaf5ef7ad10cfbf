using System.Security.Cryptography;
using TrustedCompute.Enrollment;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Enrollment;

/// <summary>
/// MakeCredential without a TPM: what it refuses to wrap for, the shape of what it makes, and its RSA-OAEP with a
/// label against OpenSSL. That a TPM opens it is <see cref="CredentialSwtpmTests"/>.
/// </summary>
public class CredentialMakerTests
{
    private static readonly RSA RsaEkKey = RSA.Create(2048);
    private static readonly TpmPublic RsaEk = TpmTemplates.EndorsementKey(EndorsementKeyType.Rsa2048) with
    {
        Unique = RsaEkKey.ExportParameters(false).Modulus!,
    };
    private static readonly TpmPublic EccEk = WithPoint(TpmTemplates.EndorsementKey(EndorsementKeyType.EccP256));
    private static readonly TpmPublic P384Ek = WithPoint(TpmTemplates.EndorsementKey(EndorsementKeyType.EccP384High));
    private static readonly byte[] AkName = TpmTemplates.AttestationKey(AttestationKeyType.EcDsa).Name();

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(32)]
    public void TheBlobIsTheHmacThenTheEncryptedSizedCredential(int secretSize)
    {
        var c = CredentialMaker.Make(RsaEk, AkName, RandomNumberGenerator.GetBytes(secretSize));
        Assert.Equal(new byte[] { 0, 32 }, c.CredentialBlob[..2]);
        Assert.Equal(2 + 32 + 2 + secretSize, c.CredentialBlob.Length);
        Assert.Equal(256, c.EncryptedSecret.Length);
    }

    [Fact]
    public void AnEccSecretIsAFreshPointOnTheEksCurve()
    {
        var first = CredentialMaker.Make(P384Ek, AkName, new byte[48]);
        var second = CredentialMaker.Make(P384Ek, AkName, new byte[48]);
        Assert.Equal(2 + 48 + 2 + 48, first.EncryptedSecret.Length);
        var r = new TpmReader(first.EncryptedSecret);
        var point = new ECPoint { X = r.ReadSized("x", 48), Y = r.ReadSized("y", 48) };
        r.ExpectEnd("TPMS_ECC_POINT");
        // Importing checks that the point is on the curve.
        using var onCurve = ECDiffieHellman.Create(
            new ECParameters { Curve = ECCurve.NamedCurves.nistP384, Q = point });
        Assert.NotEqual(first.EncryptedSecret, second.EncryptedSecret);
        Assert.NotEqual(first.CredentialBlob, second.CredentialBlob);
    }

    [Fact]
    public void TheSameSecretIsWrappedUnderAFreshSeedEachTime()
    {
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        var a = CredentialMaker.Make(RsaEk, AkName, secret);
        var b = CredentialMaker.Make(RsaEk, AkName, secret);
        Assert.NotEqual(a.EncryptedSecret, b.EncryptedSecret);
        Assert.NotEqual(a.CredentialBlob[2..], b.CredentialBlob[2..]);
        Assert.DoesNotContain(Convert.ToHexString(secret), Convert.ToHexString(a.CredentialBlob));
    }

    /// <summary>OpenSSL decrypts our OAEP with the label and hash the TPM uses; .NET's own OAEP with the empty
    /// label.</summary>
    [SkippableTheory]
    [InlineData(TpmAlgId.Sha256, "IDENTITY\0")]
    [InlineData(TpmAlgId.Sha384, "IDENTITY\0")]
    [InlineData(TpmAlgId.Sha1, "DUPLICATE\0")]
    [InlineData(TpmAlgId.Sha256, "")]
    public void OurOaepDecryptsInOpenssl(TpmAlgId hash, string label)
    {
        byte[] message = RandomNumberGenerator.GetBytes(TpmHash.DigestSize(hash));
        var parameters = RsaEkKey.ExportParameters(false);
        byte[] cipher = RsaOaep.Encrypt(hash, parameters.Modulus!, 65537, message, label);
        string dir = Directory.CreateTempSubdirectory("tc-oaep-").FullName;
        try
        {
            string keyFile = Path.Combine(dir, "key.pem"), input = Path.Combine(dir, "in");
            File.WriteAllText(keyFile, RsaEkKey.ExportPkcs8PrivateKeyPem());
            File.WriteAllBytes(input, cipher);
            string md = TpmHash.BankName(hash);
            var args = new List<string> { "pkeyutl", "-decrypt", "-inkey", keyFile, "-in", input,
                "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", $"rsa_oaep_md:{md}", "-pkeyopt", $"rsa_mgf1_md:{md}" };
            string labelHex = KdfTests.Hex(System.Text.Encoding.ASCII.GetBytes(label));
            if (label.Length > 0) args.AddRange(["-pkeyopt", $"rsa_oaep_label:{labelHex}"]);
            Assert.Equal(KdfTests.Hex(message), KdfTests.Hex(OpenSsl.Run([.. args])));
        }
        finally { Directory.Delete(dir, true); }
        if (label.Length == 0)
            Assert.Equal(message, RsaEkKey.Decrypt(cipher, RSAEncryptionPadding.CreateOaep(TpmHash.DotNetName(hash))));
    }

    public static TheoryData<string, TpmPublic> NotStorageKeys => new()
    {
        { "a signing key", RsaEk with { Attributes = RsaEk.Attributes | TpmObjectAttributes.Sign } },
        { "not restricted", RsaEk with { Attributes = RsaEk.Attributes & ~TpmObjectAttributes.Restricted } },
        { "not decrypt", EccEk with { Attributes = EccEk.Attributes & ~TpmObjectAttributes.Decrypt } },
        { "a scheme", RsaEk with { Scheme = TpmAlgId.Oaep, SchemeHash = TpmAlgId.Sha256 } },
        { "no symmetric", RsaEk with { Symmetric = TpmAlgId.Null, SymmetricKeyBits = 0 } },
        { "AES-CTR", RsaEk with { SymmetricMode = (TpmAlgId)0x0040 } },
        { "AES-100", EccEk with { SymmetricKeyBits = 100 } },
        { "an ECC KDF", EccEk with { Kdf = (TpmAlgId)0x0020, KdfHash = TpmAlgId.Sha256 } },
        { "a keyed hash", new TpmPublic { Type = TpmAlgId.KeyedHash, Attributes = RsaEk.Attributes, Unique = [1, 2] } },
        { "nameAlg SM3", RsaEk with { NameAlg = TpmAlgId.Sm3_256 } },
        { "RSA-1000", RsaEk with { KeyBits = 1000, Unique = RsaEk.Unique[..125] } },
        { "a modulus shorter than KeyBits", RsaEk with { Unique = RsaEk.Unique[..255] } },
        { "an even modulus", RsaEk with { Unique = [.. RsaEk.Unique[..^1], (byte)(RsaEk.Unique[^1] & 0xFE)] } },
        { "an even exponent", RsaEk with { Exponent = 65536 } },
        { "RSA-1024 with SHA-512 (the seed does not fit OAEP)", WithRsa1024(RsaEk with { NameAlg = TpmAlgId.Sha512 }) },
        { "the BN-256 curve", EccEk with { Curve = (TpmEccCurve)0x0010 } },
        { "an off-curve point", EccEk with { EccY = Flip(EccEk.EccY, 31) } },
        { "the point at zero", EccEk with { EccX = new byte[32], EccY = new byte[32] } },
        { "no point", EccEk with { EccX = [], EccY = [] } },
        { "an oversized coordinate", EccEk with { EccX = [0, .. EccEk.EccX] } },
    };

    [Theory]
    [MemberData(nameof(NotStorageKeys))]
    public void RefusesAnEkItCannotSafelyWrapFor(string what, TpmPublic ek)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => CredentialMaker.Make(ek, AkName, new byte[16]));
        Assert.False(string.IsNullOrEmpty(e.Message), what);
    }

    [Theory]
    [InlineData(0, 32)]
    [InlineData(33, 32)]
    [InlineData(49, 48)]
    public void RefusesASecretOutsideOneToTheDigestSize(int size, int digest)
    {
        var ek = digest == 32 ? EccEk : P384Ek;
        var e = Assert.Throws<ArgumentException>(() => CredentialMaker.Make(ek, AkName, new byte[size]));
        Assert.Equal("secret", e.ParamName);
        CredentialMaker.Make(ek, AkName, new byte[digest]);
    }

    public static TheoryData<string, byte[]> BadNames => new()
    {
        { "empty", [] },
        { "truncated", AkName[..^1] },
        { "too long", [.. AkName, 0] },
        { "not a hash", [0x00, 0x06, .. AkName[2..]] },
        { "a handle", [0x81, 0x00, 0x00, 0x01] },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public void RefusesAMalformedAkName(string what, byte[] name)
    {
        var e = Assert.Throws<ArgumentException>(() => CredentialMaker.Make(RsaEk, name, new byte[16]));
        Assert.True(e.ParamName == "attestationKeyName", what);
    }

    private static TpmPublic WithPoint(TpmPublic template)
    {
        using var key = ECDiffieHellman.Create(TpmPublic.DotNetCurve(template.Curve));
        var q = key.ExportParameters(false).Q;
        return template with { EccX = q.X!, EccY = q.Y! };
    }

    private static TpmPublic WithRsa1024(TpmPublic template)
    {
        using var rsa = RSA.Create(1024);
        return template with { KeyBits = 1024, Unique = rsa.ExportParameters(false).Modulus! };
    }

    private static byte[] Flip(byte[] bytes, int offset)
    {
        var copy = (byte[])bytes.Clone();
        copy[offset] ^= 0x01;
        return copy;
    }
}
