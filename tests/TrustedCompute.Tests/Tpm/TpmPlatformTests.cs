using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tpm;
using TrustedCompute.Tpm.Transport;
using Xunit;

namespace TrustedCompute.Tests.Tpm;

#pragma warning disable CA1416 // TBS marshalling is checked here; the P/Invoke calls themselves run only on Windows.
public class TbsMarshallingTests
{
    [Fact]
    public void ContextParametersAreTbsContextParams2ForTpm20()
    {
        var p = TbsTransport.ContextParams.ForTpm20();
        Assert.Equal(8, Marshal.SizeOf<TbsTransport.ContextParams>());
        Assert.Equal(2u, p.Version);
        Assert.Equal(0b100u, p.Flags); // includeTpm20 is bit 2; requestRaw and includeTpm12 stay clear
        var bytes = new byte[8];
        MemoryMarshal.Write(bytes, in p);
        Assert.Equal(new byte[] { 2, 0, 0, 0, 4, 0, 0, 0 }, bytes);
    }

    [Theory]
    [InlineData(0x8028400Fu, "TBS_E_TPM_NOT_FOUND")]
    [InlineData(0x80284012u, "TBS_E_ACCESS_DENIED")]
    [InlineData(0x80284008u, "TBS_E_SERVICE_NOT_RUNNING")]
    [InlineData(0x80289999u, "TBS error 0x80289999")]
    public void TbsResultsAreNamed(uint rc, string expected) => Assert.StartsWith(expected, TbsTransport.DescribeTbsResult(rc));
}
#pragma warning restore CA1416

public sealed class SysfsPcrReaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("tc-sysfs-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void ReadsBanksAndIndexesFromSysfsFiles()
    {
        var sha256 = Directory.CreateDirectory(Path.Combine(_root, "pcr-sha256")).FullName;
        var sha1 = Directory.CreateDirectory(Path.Combine(_root, "pcr-sha1")).FullName;
        byte[] seven = SHA256.HashData("seven"u8);
        File.WriteAllText(Path.Combine(sha256, "7"), Convert.ToHexString(seven) + "\n");
        File.WriteAllText(Path.Combine(sha256, "0"), new string('0', 64));
        File.WriteAllText(Path.Combine(sha1, "7"), new string('F', 40));

        var values = SysfsPcrReader.Read([TpmAlgId.Sha256], [7, 9], _root);
        var v = Assert.Single(values);
        Assert.Equal((7, "sha256"), (v.Index, v.Bank));
        Assert.Equal(seven, v.Value);
        Assert.Equal(3, SysfsPcrReader.Read(null, null, _root).Count);
    }

    [Fact]
    public void RejectsAValueOfTheWrongSize()
    {
        var sha256 = Directory.CreateDirectory(Path.Combine(_root, "pcr-sha256")).FullName;
        File.WriteAllText(Path.Combine(sha256, "3"), "abcd");
        Assert.Throws<InvalidDataException>(() => SysfsPcrReader.Read([TpmAlgId.Sha256], [3], _root));
    }
}

/// <summary>Credential activation: tpm2_makecredential (offline, the verifier's side) and our ActivateCredential.</summary>
public sealed class CredentialActivationTests(SwtpmFixture swtpm) : IClassFixture<SwtpmFixture>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("tc-cred-").FullName;

    public void Dispose() => Directory.Delete(_work, true);

    [SkippableFact]
    public void ReleasesTheSecretOnlyForTheRightAk()
    {
        swtpm.Require();
        const uint ak = 0x81010060, other = 0x81010061;
        AttestationKeyInfo key, otherKey;
        EndorsementKeyInfo ek;
        using (var tpm = TpmClient.Open(swtpm.ConnectionString))
        {
            foreach (var h in new[] { ak, other }) { try { TpmOperations.RemoveAttestationKey(tpm, h); } catch (TpmException) { } }
            key = TpmOperations.CreateAttestationKey(tpm, AttestationKeyType.RsaSsa, ak);
            otherKey = TpmOperations.CreateAttestationKey(tpm, AttestationKeyType.EcDsa, other);
            ek = TpmOperations.GetEndorsementKey(tpm, EndorsementKeyType.Rsa2048);
        }
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        File.WriteAllBytes(Path.Combine(_work, "ek.pub"), ek.Public.ToTpm2BPublic());
        File.WriteAllBytes(Path.Combine(_work, "secret"), secret);
        SwtpmFixture.Run("tpm2_makecredential", "-T", "none", "-e", Path.Combine(_work, "ek.pub"), "-s", Path.Combine(_work, "secret"),
            "-n", Convert.ToHexString(key.Name), "-o", Path.Combine(_work, "cred"));

        // tpm2-tools' file: u32 0xBADCC0DE, u32 version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET.
        var r = new TpmReader(File.ReadAllBytes(Path.Combine(_work, "cred")));
        Assert.Equal(0xBADCC0DEu, r.ReadUInt32("magic"));
        Assert.Equal(1u, r.ReadUInt32("version"));
        byte[] blob = r.ReadSized("credentialBlob", 1024), encrypted = r.ReadSized("secret", 1024);

        using var client = TpmClient.Open(swtpm.ConnectionString);
        Assert.Equal(secret, TpmOperations.ActivateCredential(client, ak, blob, encrypted));
        var wrong = Assert.Throws<TpmException>(() => TpmOperations.ActivateCredential(client, other, blob, encrypted));
        Assert.Equal("TPM_RC_INTEGRITY", wrong.ResponseName);
        TpmOperations.RemoveAttestationKey(client, ak);
        TpmOperations.RemoveAttestationKey(client, other);
    }
}

public class TpmPublicKeyTests
{
    [Fact]
    public void EccCoordinatesWithoutLeadingZerosStillMakeTheKey()
    {
        // A real point whose X starts with a zero byte (about 1 key in 256), as a TPM may send it: 31 bytes.
        System.Security.Cryptography.ECPoint q;
        do
        {
            using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            q = ec.ExportParameters(false).Q;
        }
        while (q.X![0] != 0);
        var pub = TpmTemplates.AttestationKey(AttestationKeyType.EcDsa) with { EccX = q.X[1..], EccY = q.Y! };
        using var key = (System.Security.Cryptography.ECDsa)pub.CreatePublicKey();
        Assert.Equal(q.X, key.ExportParameters(false).Q.X);
    }
}
