using System.Security.Cryptography;
using TrustedCompute.Enrollment;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Enrollment;

/// <summary>
/// Credential activation against a real TPM (swtpm), with tpm2-tools as the second implementation: our challenge
/// must open in tpm2_activatecredential and in our host side, tpm2_makecredential's in our host side, and nothing
/// else may open anywhere.
/// </summary>
public sealed class CredentialSwtpmTests(SwtpmFixture swtpm) : IClassFixture<SwtpmFixture>, IDisposable
{
    private static int s_nextHandle;
    private readonly string _work = Directory.CreateTempSubdirectory("tc-credential-").FullName;
    private readonly List<uint> _persistent = [];

    public void Dispose()
    {
        if (_persistent.Count > 0 && swtpm.Unavailable is null)
        {
            using var tpm = TpmClient.Open(swtpm.ConnectionString);
            foreach (uint handle in _persistent)
            {
                try { tpm.EvictControl(handle, handle); }
                catch (TpmException) { }
            }
        }
        Directory.Delete(_work, true);
    }

    [SkippableTheory]
    [InlineData(EndorsementKeyType.Rsa2048, AttestationKeyType.RsaSsa)]
    [InlineData(EndorsementKeyType.EccP256, AttestationKeyType.EcDsa)]
    public void Tpm2ActivatecredentialOpensOurChallenge(EndorsementKeyType ekType, AttestationKeyType akType)
    {
        swtpm.Require();
        var (ak, ek) = Setup(akType, ekType, persistEk: true, out uint ekHandle);
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        var challenge = CredentialMaker.Make(ek, ak.Name, secret);

        string file = WriteTpm2ToolsFile(challenge);
        string session = Path.Combine(_work, "session.ctx"), output = Path.Combine(_work, "certinfo");
        swtpm.Tpm2("tpm2_startauthsession", "--policy-session", "-S", session);
        swtpm.Tpm2("tpm2_policysecret", "-S", session, "-c", "e");
        swtpm.Tpm2("tpm2_activatecredential", "-c", Hex(ak.Handle), "-C", Hex(ekHandle), "-i", file, "-o", output,
            "-P", "session:" + session);

        Assert.Equal(KdfTests.Hex(secret), KdfTests.Hex(File.ReadAllBytes(output)));
    }

    [SkippableTheory]
    [InlineData(EndorsementKeyType.Rsa2048, AttestationKeyType.RsaSsa, 32)]
    [InlineData(EndorsementKeyType.Rsa2048, AttestationKeyType.EcDsa, 1)]
    [InlineData(EndorsementKeyType.EccP256, AttestationKeyType.EcDsa, 32)]
    [InlineData(EndorsementKeyType.EccP256, AttestationKeyType.RsaPss, 17)]
    [InlineData(EndorsementKeyType.Rsa2048High, AttestationKeyType.RsaSsa, 20)]
    [InlineData(EndorsementKeyType.EccP256High, AttestationKeyType.EcDsa, 32)]
    [InlineData(EndorsementKeyType.EccP384High, AttestationKeyType.EcDsa, 48)]
    public void OurActivationOpensOurChallenge(EndorsementKeyType ekType, AttestationKeyType akType, int secretSize)
    {
        swtpm.Require();
        var (ak, ek) = Setup(akType, ekType);
        byte[] secret = RandomNumberGenerator.GetBytes(secretSize);
        var challenge = CredentialMaker.Make(ek, ak.Name, secret);

        Assert.Equal(KdfTests.Hex(secret), KdfTests.Hex(Activate(ak.Handle, challenge, ekType)));
    }

    [SkippableTheory]
    [InlineData(EndorsementKeyType.Rsa2048)]
    [InlineData(EndorsementKeyType.EccP256)]
    [InlineData(EndorsementKeyType.EccP384High)]
    public void OurActivationOpensTpm2MakecredentialOutput(EndorsementKeyType ekType)
    {
        swtpm.Require();
        var (ak, ek) = Setup(AttestationKeyType.RsaSsa, ekType);
        byte[] secret = RandomNumberGenerator.GetBytes(TpmHash.DigestSize(ek.NameAlg));
        string ekFile = Path.Combine(_work, "ek.pub"), secretFile = Path.Combine(_work, "secret");
        string output = Path.Combine(_work, "cred");
        File.WriteAllBytes(ekFile, ek.ToTpm2BPublic());
        File.WriteAllBytes(secretFile, secret);
        SwtpmFixture.Run("tpm2_makecredential", "-T", "none", "-e", ekFile, "-s", secretFile,
            "-n", Convert.ToHexString(ak.Name), "-o", output);
        var challenge = ReadTpm2ToolsFile(output);

        Assert.Equal(KdfTests.Hex(secret), KdfTests.Hex(Activate(ak.Handle, challenge, ekType)));
        // And the same EK's and AK's challenge made by us has the same shape as tpm2-tools' one.
        var ours = CredentialMaker.Make(ek, ak.Name, secret);
        Assert.Equal(challenge.CredentialBlob.Length, ours.CredentialBlob.Length);
        Assert.Equal(challenge.EncryptedSecret.Length, ours.EncryptedSecret.Length);
    }

    [SkippableTheory]
    [InlineData(EndorsementKeyType.Rsa2048)]
    [InlineData(EndorsementKeyType.EccP256)]
    public void AChallengeForAnotherAkNameIsRefused(EndorsementKeyType ekType)
    {
        swtpm.Require();
        var (ak, ek) = Setup(AttestationKeyType.RsaSsa, ekType);
        var (other, _) = Setup(AttestationKeyType.RsaSsa, ekType);
        var challenge = CredentialMaker.Make(ek, other.Name, RandomNumberGenerator.GetBytes(32));

        // The attacker asks for a challenge for a key it holds elsewhere and opens it with an AK of this TPM.
        Assert.Equal("TPM_RC_INTEGRITY", Refusal(ak.Handle, challenge, ekType));
        Assert.NotEmpty(Activate(other.Handle, challenge, ekType));
    }

    /// <summary>
    /// A challenge for another TPM's EK (a key of the same type and template that is not this TPM's). An RSA seed that
    /// does not OAEP-decode: libtpms answers TPM_RC_FAILURE (the reference code TPM_RC_VALUE) without entering
    /// failure mode, as the genuine challenge opened afterwards shows. An ECC one derives another seed: the HMAC fails.
    /// </summary>
    [SkippableTheory]
    [InlineData(EndorsementKeyType.Rsa2048, "TPM_RC_FAILURE")]
    [InlineData(EndorsementKeyType.EccP256, "TPM_RC_INTEGRITY")]
    public void AChallengeForAnotherEkIsRefused(EndorsementKeyType ekType, string expected)
    {
        swtpm.Require();
        var (ak, ek) = Setup(AttestationKeyType.RsaSsa, ekType);
        var otherEk = AnotherKeyLike(ek);
        var challenge = CredentialMaker.Make(otherEk, ak.Name, RandomNumberGenerator.GetBytes(32));
        Assert.Equal(expected, Refusal(ak.Handle, challenge, ekType));

        // Nor does one made for this TPM's RSA EK open with its ECC EK, or the other way round (the secret's size
        // is not the other key's).
        var crossType = ekType == EndorsementKeyType.Rsa2048 ? EndorsementKeyType.EccP256 : EndorsementKeyType.Rsa2048;
        var mine = CredentialMaker.Make(ek, ak.Name, RandomNumberGenerator.GetBytes(32));
        Assert.Equal("TPM_RC_SIZE", Refusal(ak.Handle, mine, crossType));
        Assert.Null(Refusal(ak.Handle, mine, ekType));
    }

    [SkippableTheory]
    [InlineData(EndorsementKeyType.Rsa2048)]
    [InlineData(EndorsementKeyType.EccP256)]
    public void AFlippedByteAnywhereInTheBlobIsRefused(EndorsementKeyType ekType)
    {
        swtpm.Require();
        var (ak, ek) = Setup(AttestationKeyType.RsaSsa, ekType);
        var challenge = CredentialMaker.Make(ek, ak.Name, RandomNumberGenerator.GetBytes(32));
        int length = challenge.CredentialBlob.Length;
        var refusals = new List<string>();
        // The HMAC's size field, the HMAC's first and last byte, encIdentity's first (size) bytes and its last byte:
        // the outer HMAC is checked before anything is decrypted, so each is an integrity failure.
        int[] offsets = [1, 2, 2 + 31, 34, 35, length - 1];
        foreach (int offset in offsets)
        {
            byte[] blob = (byte[])challenge.CredentialBlob.Clone();
            blob[offset] ^= 0x01;
            string? refusal = Refusal(ak.Handle, challenge with { CredentialBlob = blob }, ekType);
            refusals.Add($"{offset}:{refusal ?? "accepted"}");
        }
        Assert.Equal(string.Join(" ", offsets.Select(o => $"{o}:TPM_RC_INTEGRITY")), string.Join(" ", refusals));
        var truncated = challenge with { CredentialBlob = challenge.CredentialBlob[..^1] };
        Assert.Equal("TPM_RC_INTEGRITY", Refusal(ak.Handle, truncated, ekType));
        Assert.Equal("TPM_RC_INSUFFICIENT", Refusal(ak.Handle, challenge with { CredentialBlob = [] }, ekType));
    }

    /// <summary>RSA: the seed no longer OAEP-decodes (libtpms: TPM_RC_FAILURE, see above); ECC: the point is off its
    /// curve.</summary>
    [SkippableTheory]
    [InlineData(EndorsementKeyType.Rsa2048, 0, "TPM_RC_FAILURE", "TPM_RC_SIZE")]
    [InlineData(EndorsementKeyType.Rsa2048, 200, "TPM_RC_FAILURE", "TPM_RC_SIZE")]
    [InlineData(EndorsementKeyType.EccP256, 2 + 5, "TPM_RC_ECC_POINT", "TPM_RC_INSUFFICIENT")]
    [InlineData(EndorsementKeyType.EccP256, 2 + 32 + 2 + 31, "TPM_RC_ECC_POINT", "TPM_RC_INSUFFICIENT")]
    public void AFlippedByteInTheSecretIsRefused(EndorsementKeyType ekType, int offset, string flipped,
        string truncated)
    {
        swtpm.Require();
        var (ak, ek) = Setup(AttestationKeyType.RsaSsa, ekType);
        var challenge = CredentialMaker.Make(ek, ak.Name, RandomNumberGenerator.GetBytes(32));
        byte[] secret = (byte[])challenge.EncryptedSecret.Clone();
        secret[offset] ^= 0x01;
        Assert.Equal(flipped, Refusal(ak.Handle, challenge with { EncryptedSecret = secret }, ekType));
        var shorter = challenge with { EncryptedSecret = challenge.EncryptedSecret[..^1] };
        Assert.Equal(truncated, Refusal(ak.Handle, shorter, ekType));
        Assert.Null(Refusal(ak.Handle, challenge, ekType));
    }

    [SkippableFact]
    public void TheCheckPassesARealAkWithItsTpmNameAndFailsItWithAnother()
    {
        swtpm.Require();
        var (rsa, _) = Setup(AttestationKeyType.RsaPss, EndorsementKeyType.Rsa2048);
        var (ecc, _) = Setup(AttestationKeyType.EcDsa, EndorsementKeyType.Rsa2048);
        Assert.Empty(AttestationKeyCheck.Check(rsa.Public, rsa.Name));
        Assert.Empty(AttestationKeyCheck.Check(ecc.Public, ecc.Name));
        var swapped = Assert.Single(AttestationKeyCheck.Check(rsa.Public, ecc.Name));
        Assert.Equal("ak.name", swapped.Id);
    }

    /// <summary>
    /// Activation does not look at the AK's attributes: the TPM releases the secret for a restricted signing key that
    /// may leave it (fixedTPM and fixedParent clear). Only the check before the challenge stops it.
    /// </summary>
    [SkippableFact]
    public void AKeyThatMayLeaveTheTpmActivatesButFailsTheCheck()
    {
        swtpm.Require();
        const TpmObjectAttributes movable = TpmObjectAttributes.FixedTpm | TpmObjectAttributes.FixedParent;
        var template = TpmTemplates.AttestationKey(AttestationKeyType.RsaSsa);
        template = template with { Attributes = template.Attributes & ~movable };
        uint handle = NewHandle();
        TpmPublic ek;
        using (var tpm = TpmClient.Open(swtpm.ConnectionString))
        {
            ek = TpmOperations.GetEndorsementKey(tpm, EndorsementKeyType.Rsa2048).Public;
            var ekTemplate = TpmTemplates.EndorsementKey(EndorsementKeyType.Rsa2048);
            var parent = tpm.CreatePrimary(TpmHandles.Endorsement, ekTemplate, TpmAuth.Empty);
            try
            {
                var created = tpm.Create(parent.Handle, TpmAuth.Policy(tpm.StartEndorsementPolicySession()), template);
                var loaded = tpm.Load(parent.Handle, TpmAuth.Policy(tpm.StartEndorsementPolicySession()), created);
                try { tpm.EvictControl(loaded.Handle, handle); }
                finally { tpm.TryFlush(loaded.Handle); }
                _persistent.Add(handle);
            }
            finally { tpm.TryFlush(parent.Handle); }
        }
        AttestationKeyInfo key;
        using (var tpm = TpmClient.Open(swtpm.ConnectionString)) key = TpmOperations.ReadAttestationKey(tpm, handle);

        byte[] secret = RandomNumberGenerator.GetBytes(32);
        var challenge = CredentialMaker.Make(ek, key.Name, secret);
        Assert.Equal(KdfTests.Hex(secret), KdfTests.Hex(Activate(handle, challenge, EndorsementKeyType.Rsa2048)));
        var reason = Assert.Single(AttestationKeyCheck.Check(key.Public, key.Name));
        Assert.Equal("ak.attributes", reason.Id);
        Assert.Contains("FixedTpm", reason.Message);
    }

    /// <summary>The TPM's response name when it refuses the challenge; null when it released a secret.</summary>
    private string? Refusal(uint akHandle, CredentialChallenge challenge, EndorsementKeyType ekType)
    {
        try
        {
            Activate(akHandle, challenge, ekType);
            return null;
        }
        catch (TpmException e)
        {
            return e.ResponseName;
        }
    }

    private byte[] Activate(uint akHandle, CredentialChallenge challenge, EndorsementKeyType ekType)
    {
        using var tpm = TpmClient.Open(swtpm.ConnectionString);
        var (blob, secret) = (challenge.CredentialBlob, challenge.EncryptedSecret);
        return TpmOperations.ActivateCredential(tpm, akHandle, blob, secret, ekType);
    }

    private (AttestationKeyInfo Ak, TpmPublic Ek) Setup(AttestationKeyType akType, EndorsementKeyType ekType) =>
        Setup(akType, ekType, false, out _);

    private (AttestationKeyInfo Ak, TpmPublic Ek) Setup(AttestationKeyType akType, EndorsementKeyType ekType,
        bool persistEk, out uint ekHandle)
    {
        using var tpm = TpmClient.Open(swtpm.ConnectionString);
        uint akHandle = NewHandle();
        var ak = TpmOperations.CreateAttestationKey(tpm, akType, akHandle);
        _persistent.Add(akHandle);
        var ek = TpmOperations.GetEndorsementKey(tpm, ekType).Public;
        ekHandle = 0;
        if (persistEk)
        {
            ekHandle = NewHandle();
            var template = TpmTemplates.EndorsementKey(ekType);
            var transient = tpm.CreatePrimary(TpmHandles.Endorsement, template, TpmAuth.Empty);
            try { tpm.EvictControl(transient.Handle, ekHandle); }
            finally { tpm.TryFlush(transient.Handle); }
            _persistent.Add(ekHandle);
        }
        return (ak, ek);
    }

    private static uint NewHandle() => 0x81018000u + (uint)Interlocked.Increment(ref s_nextHandle);

    private static string Hex(uint handle) => $"0x{handle:X8}";

    /// <summary>The same template with another key in it: the EK of another TPM.</summary>
    private static TpmPublic AnotherKeyLike(TpmPublic ek)
    {
        if (ek.Type == TpmAlgId.Rsa)
        {
            using var rsa = RSA.Create(ek.KeyBits);
            return ek with { Unique = rsa.ExportParameters(false).Modulus! };
        }
        using var ecc = ECDiffieHellman.Create(TpmPublic.DotNetCurve(ek.Curve));
        var q = ecc.ExportParameters(false).Q;
        return ek with { EccX = q.X!, EccY = q.Y! };
    }

    /// <summary>tpm2-tools' credential file: u32 0xBADCC0DE, u32 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET.</summary>
    private string WriteTpm2ToolsFile(CredentialChallenge challenge)
    {
        string path = Path.Combine(_work, "cred.ours");
        File.WriteAllBytes(path, new TpmWriter().UInt32(0xBADCC0DE).UInt32(1)
            .Sized(challenge.CredentialBlob).Sized(challenge.EncryptedSecret).ToArray());
        return path;
    }

    private static CredentialChallenge ReadTpm2ToolsFile(string path)
    {
        var r = new TpmReader(File.ReadAllBytes(path));
        Assert.Equal(0xBADCC0DEu, r.ReadUInt32("magic"));
        Assert.Equal(1u, r.ReadUInt32("version"));
        var challenge = new CredentialChallenge(r.ReadSized("TPM2B_ID_OBJECT", 1024),
            r.ReadSized("TPM2B_ENCRYPTED_SECRET", 1024));
        r.ExpectEnd("credential file");
        return challenge;
    }
}
