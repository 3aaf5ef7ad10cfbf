using System.Security.Cryptography;
using TrustedCompute.Attestation;
using TrustedCompute.Enrollment;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Enrollment;

/// <summary>
/// The AK checks before a challenge, where the host controls every byte of the public area and the name it
/// claims. A real AK read from swtpm passes in <see cref="CredentialSwtpmTests"/>.
/// </summary>
public class AttestationKeyCheckTests
{
    private static readonly TpmPublic Rsa = WithRealKey(TpmTemplates.AttestationKey(AttestationKeyType.RsaSsa));
    private static readonly TpmPublic Pss =
        WithRealKey(TpmTemplates.AttestationKey(AttestationKeyType.RsaPss, TpmAlgId.Sha384));
    private static readonly TpmPublic Ecc = WithRealKey(TpmTemplates.AttestationKey(AttestationKeyType.EcDsa));

    public static TheoryData<string> GoodKeys => new() { "rsa", "pss", "ecc" };

    [Theory]
    [MemberData(nameof(GoodKeys))]
    public void AWellFormedAkWithItsOwnNamePasses(string which)
    {
        var key = Key(which);
        Assert.Empty(AttestationKeyCheck.Check(key, key.Name()));
        // userWithAuth only says who may use the key: without it the key is still bound to its TPM.
        var policyOnly = key with { Attributes = key.Attributes & ~TpmObjectAttributes.UserWithAuth };
        Assert.Empty(AttestationKeyCheck.Check(policyOnly, policyOnly.Name()));
    }

    [Theory]
    [InlineData(TpmObjectAttributes.Restricted)]
    [InlineData(TpmObjectAttributes.Sign)]
    [InlineData(TpmObjectAttributes.FixedTpm)]
    [InlineData(TpmObjectAttributes.FixedParent)]
    [InlineData(TpmObjectAttributes.SensitiveDataOrigin)]
    public void AMissingAttributeIsAnAttributesFailure(TpmObjectAttributes missing)
    {
        var key = Rsa with { Attributes = Rsa.Attributes & ~missing };
        var reason = Assert.Single(AttestationKeyCheck.Check(key, key.Name()));
        Assert.Equal(ReasonIds.AkAttributes, reason.Id);
        Assert.Equal(ReasonSeverity.Failure, reason.Severity);
        Assert.Contains(missing.ToString(), reason.Message);
    }

    [Fact]
    public void DecryptIsAnAttributesFailureEvenWithEverythingElseRight()
    {
        var key = Ecc with { Attributes = Ecc.Attributes | TpmObjectAttributes.Decrypt };
        var reason = Assert.Single(AttestationKeyCheck.Check(key, key.Name()));
        Assert.Equal(ReasonIds.AkAttributes, reason.Id);
        Assert.Contains("decrypt", reason.Message);
    }

    /// <summary>
    /// The attacker's key is a plain software-importable one (no fixedTPM) but it sends the public area with the
    /// attribute set and the name the TPM gives the real object: the name no longer matches.
    /// </summary>
    [Fact]
    public void APublicAreaEditedToLookFixedNoLongerMatchesItsTpmName()
    {
        const TpmObjectAttributes fixedness = TpmObjectAttributes.FixedTpm | TpmObjectAttributes.FixedParent;
        var real = Rsa with { Attributes = Rsa.Attributes & ~fixedness };
        var claimed = real with { Attributes = Rsa.Attributes };
        var reason = Assert.Single(AttestationKeyCheck.Check(claimed, real.Name()));
        Assert.Equal(ReasonIds.AkName, reason.Id);
        Assert.Equal(Convert.ToHexString(claimed.Name()).ToLowerInvariant(), reason.Expected);
        Assert.Equal(Convert.ToHexString(real.Name()).ToLowerInvariant(), reason.Actual);
    }

    public static TheoryData<string, Func<byte[], byte[]>> BadNames => new()
    {
        { "a flipped digest byte", n => Flip(n, n.Length - 1) },
        { "a flipped algorithm byte", n => Flip(n, 1) },
        { "empty", _ => [] },
        { "truncated", n => n[..^1] },
        { "one byte more", n => [.. n, 0] },
        { "only the digest", n => n[2..] },
        { "the SHA-384 name of the same area", _ => [0x00, 0x0C, .. SHA384.HashData(Rsa.Marshal())] },
        { "another key's name", _ => Ecc.Name() },
        { "oversized", _ => new byte[4096] },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public void AClaimedNameThatIsNotTheComputedOneIsANameFailure(string what, Func<byte[], byte[]> edit)
    {
        var reasons = AttestationKeyCheck.Check(Rsa, edit(Rsa.Name()));
        var reason = Assert.Single(reasons);
        Assert.True(reason.Id == ReasonIds.AkName, what);
        Assert.True(reason.Actual!.Length < 200, "the claimed name is shown bounded");
    }

    public static TheoryData<string, TpmPublic> BadAlgorithms => new()
    {
        { "SHA-1 signing", Rsa with { SchemeHash = TpmAlgId.Sha1 } },
        { "SHA-1 nameAlg", Rsa with { NameAlg = TpmAlgId.Sha1 } },
        { "RSA-1024", WithRealKey(Rsa with { KeyBits = 1024 }) },
        { "modulus not of KeyBits", Rsa with { Unique = Rsa.Unique[..128] } },
        { "no scheme", Rsa with { Scheme = TpmAlgId.Null, SchemeHash = TpmAlgId.Null } },
        { "RSAES", Rsa with { Scheme = TpmAlgId.RsaEs, SchemeHash = TpmAlgId.Null } },
        { "OAEP", Rsa with { Scheme = TpmAlgId.Oaep } },
        { "ECDAA", Ecc with { Scheme = TpmAlgId.EcDaa, EcDaaCount = 1 } },
        { "BN-256 curve", Ecc with { Curve = (TpmEccCurve)0x0010 } },
        { "a KDF", Ecc with { Kdf = (TpmAlgId)0x0020, KdfHash = TpmAlgId.Sha256 } },
        { "an off-curve point", Ecc with { EccY = Flip(Ecc.EccY, 31) } },
        {
            "a symmetric key", Rsa with
            {
                Symmetric = TpmAlgId.Aes, SymmetricKeyBits = 128, SymmetricMode = TpmAlgId.Cfb,
            }
        },
        {
            "keyed hash", new TpmPublic
            {
                Type = TpmAlgId.KeyedHash, Attributes = Rsa.Attributes, Scheme = TpmAlgId.Hmac,
                SchemeHash = TpmAlgId.Sha256, Unique = new byte[32],
            }
        },
    };

    [Theory]
    [MemberData(nameof(BadAlgorithms))]
    public void AKeyThatCannotQuoteSafelyIsAnAlgorithmFailure(string what, TpmPublic key)
    {
        var reasons = AttestationKeyCheck.Check(key, key.Name());
        var reason = Assert.Single(reasons);
        Assert.True(reason.Id == ReasonIds.AkAlgorithm, $"{what}: {reason}");
        Assert.Equal(ReasonSeverity.Failure, reason.Severity);
    }

    [Fact]
    public void EveryProblemIsListed()
    {
        var key = Rsa with
        {
            Attributes = TpmObjectAttributes.Sign | TpmObjectAttributes.Decrypt, SchemeHash = TpmAlgId.Sha1,
        };
        var ids = AttestationKeyCheck.Check(key, Rsa.Name()).Select(r => r.Id).ToArray();
        Assert.Equal([ReasonIds.AkAttributes, ReasonIds.AkAlgorithm, ReasonIds.AkName], ids);
    }

    [Fact]
    public void AnAreaWhoseNameCannotBeComputedFailsWithoutThrowing()
    {
        var key = Rsa with { NameAlg = TpmAlgId.Null };
        var ids = AttestationKeyCheck.Check(key, [0x00, 0x10]).Select(r => r.Id).ToArray();
        Assert.Contains(ReasonIds.AkAlgorithm, ids);
        Assert.Contains(ReasonIds.AkName, ids);
    }

    private static TpmPublic Key(string which) => which switch { "rsa" => Rsa, "pss" => Pss, _ => Ecc };

    private static TpmPublic WithRealKey(TpmPublic template)
    {
        if (template.Type == TpmAlgId.Rsa)
        {
            using var rsa = RSA.Create(template.KeyBits);
            return template with { Unique = rsa.ExportParameters(false).Modulus! };
        }
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = ecdsa.ExportParameters(false).Q;
        return template with { EccX = q.X!, EccY = q.Y! };
    }

    private static byte[] Flip(byte[] bytes, int offset)
    {
        var copy = (byte[])bytes.Clone();
        copy[offset] ^= 0x01;
        return copy;
    }
}
