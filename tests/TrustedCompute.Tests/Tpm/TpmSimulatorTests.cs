using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Tpm;

/// <summary>Our TPM client against swtpm, with tpm2-tools as the independent oracle (one connection at a time).</summary>
public sealed class TpmSimulatorTests(SwtpmFixture swtpm) : IClassFixture<SwtpmFixture>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("tc-tpmtest-").FullName;

    public void Dispose() => Directory.Delete(_work, true);

    private TpmClient Open()
    {
        swtpm.Require();
        return TpmClient.Open(swtpm.ConnectionString);
    }

    private string Tool(string tool, params string[] args)
    {
        string output = swtpm.Tpm2(tool, args);
        swtpm.Tpm2("tpm2_flushcontext", "-t");
        return output;
    }

    private string File(string name) => Path.Combine(_work, name);

    /// <summary>tpm2_pcrread's values, as "bank:index" -> hex.</summary>
    private Dictionary<string, string> ToolPcrs(string selection)
    {
        var result = new Dictionary<string, string>();
        string bank = "";
        foreach (var line in Tool("tpm2_pcrread", selection).Split('\n'))
        {
            var t = line.Trim();
            if (t.EndsWith(':') && !t.Contains(' ')) bank = t.TrimEnd(':');
            else if (t.Contains(": 0x")) result[$"{bank}:{int.Parse(t[..t.IndexOf(':')].Trim())}"] = t[(t.IndexOf("0x") + 2)..].ToLowerInvariant();
        }
        return result;
    }

    private static Dictionary<string, string> Ours(IEnumerable<TpmPcrValue> values) =>
        values.ToDictionary(v => $"{v.Bank}:{v.Index}", v => v.Hex);

    [SkippableFact]
    public void PcrReadEqualsTpm2PcrreadForEveryAllocatedPcr()
    {
        IReadOnlyList<TpmPcrValue> ours;
        using (var tpm = Open()) ours = TpmOperations.ReadPcrs(tpm, null, null);
        Assert.Equal(48, ours.Count); // sha1 and sha256, 24 PCRs each: more than 8 per call, so re-asking works
        Assert.Equal(ToolPcrs("sha1:all+sha256:all"), Ours(ours));
    }

    [SkippableFact]
    public void ExtendsAgreeBothWays()
    {
        using (var tpm = Open()) TpmOperations.ExtendPcr(tpm, 16, "ours"u8.ToArray(), null);
        var afterOurs = ToolPcrs("sha1:16+sha256:16");
        string expected256 = Convert.ToHexString(TpmHash.Extend(TpmAlgId.Sha256, new byte[32], SHA256.HashData("ours"u8))).ToLowerInvariant();
        Assert.Equal(expected256, afterOurs["sha256:16"]);

        Tool("tpm2_pcrextend", "16:sha256=" + Convert.ToHexString(SHA256.HashData("theirs"u8)));
        Dictionary<string, string> ours;
        using (var again = Open()) ours = Ours(TpmOperations.ReadPcrs(again, null, [16]));
        Assert.Equal(ToolPcrs("sha1:16+sha256:16"), ours);
        Assert.NotEqual(afterOurs["sha256:16"], ours["sha256:16"]);
        Assert.Equal(afterOurs["sha1:16"], ours["sha1:16"]);
    }

    [SkippableTheory]
    [InlineData("rsa", EndorsementKeyType.Rsa2048)]
    [InlineData("ecc", EndorsementKeyType.EccP256)]
    public void EndorsementKeyEqualsTpm2Createek(string alg, EndorsementKeyType type)
    {
        EndorsementKeyInfo ek;
        using (var tpm = Open()) ek = TpmOperations.GetEndorsementKey(tpm, type);
        Tool("tpm2_createek", "-G", alg, "-c", File("ek.ctx"), "-u", File("ek.pub"));
        Assert.Equal(Convert.ToHexString(System.IO.File.ReadAllBytes(File("ek.pub"))), Convert.ToHexString(ek.Public.ToTpm2BPublic()));
    }

    [SkippableTheory]
    [InlineData(EndorsementKeyType.Rsa2048)]
    [InlineData(EndorsementKeyType.EccP384High)]
    public void EndorsementCertificateMatchesKeyAndChainsToLocalCa(EndorsementKeyType type)
    {
        using var tpm = Open();
        var ek = TpmOperations.GetEndorsementKey(tpm, type);
        Assert.NotNull(ek.Certificate);
        Assert.True(ek.CertificateMatchesKey);

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreWrongUsage;
        chain.ChainPolicy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(System.IO.File.ReadAllText(Path.Combine(swtpm.CaDirectory, "swtpm-localca-rootca-cert.pem"))));
        chain.ChainPolicy.ExtraStore.Add(X509Certificate2.CreateFromPem(System.IO.File.ReadAllText(Path.Combine(swtpm.CaDirectory, "issuercert.pem"))));
        bool built = chain.Build(ek.Certificate!);
        Assert.True(built, string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(3, chain.ChainElements.Count);

        // The other template's key does not match this certificate.
        var other = TpmOperations.GetEndorsementKey(tpm, type == EndorsementKeyType.Rsa2048 ? EndorsementKeyType.Rsa2048High : EndorsementKeyType.EccP256High);
        Assert.False(TpmOperations.SamePublicKey(ek.Certificate!, other.Public));
    }

    [SkippableTheory]
    [InlineData(AttestationKeyType.RsaSsa, 0x81010010u)]
    [InlineData(AttestationKeyType.EcDsa, 0x81010011u)]
    public void OurQuotesVerifyWithTpm2Checkquote(AttestationKeyType type, uint handle)
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        var selection = new[] { PcrSelection.Create(TpmAlgId.Sha256, Enumerable.Range(0, 8)) };
        var twoBanks = new[] { PcrSelection.Create(TpmAlgId.Sha1, [0, 1, 7]), PcrSelection.Create(TpmAlgId.Sha256, [0, 1, 2, 7, 16]) };
        TpmQuote one, two;
        AttestationKeyInfo ak;
        using (var tpm = Open())
        {
            try { TpmOperations.RemoveAttestationKey(tpm, handle); } catch (TpmException) { }
            ak = TpmOperations.CreateAttestationKey(tpm, type, handle);
            one = TpmOperations.Quote(tpm, handle, nonce, selection);
            two = TpmOperations.Quote(tpm, handle, nonce, twoBanks);
        }
        Assert.Equal(nonce, one.Parsed.ExtraData);
        System.IO.File.WriteAllBytes(File("ak.pub"), ak.Public.ToTpm2BPublic());
        CheckQuote(one, "sha256:0,1,2,3,4,5,6,7");
        CheckQuote(two, "sha1:0,1,7+sha256:0,1,2,7,16");

        // A flipped bit in the quoted message fails the oracle too: the check above is not vacuous.
        one.Attest[^1] ^= 1;
        Assert.Throws<InvalidOperationException>(() => CheckQuote(one, "sha256:0,1,2,3,4,5,6,7"));
    }

    private void CheckQuote(TpmQuote quote, string list)
    {
        System.IO.File.WriteAllBytes(File("q.msg"), quote.Attest);
        System.IO.File.WriteAllBytes(File("q.sig"), quote.Signature.Marshal());
        System.IO.File.WriteAllBytes(File("q.pcrs"), SerializedPcrs(quote));
        SwtpmFixture.Run("tpm2_checkquote", "-u", File("ak.pub"), "-m", File("q.msg"), "-s", File("q.sig"),
            "-f", File("q.pcrs"), "-g", "sha256", "-q", Convert.ToHexString(quote.Nonce));
    }

    /// <summary>
    /// tpm2-tools' "serialized" PCR file (its C structs, little-endian): TPML_PCR_SELECTION (u32 count, 16 x
    /// {u16 hash, u8 size, u8[4] select, pad}), u32 list count, then TPML_DIGESTs of 8 x {u16 size, u8[64]}.
    /// (tpm2_checkquote 5.4 fails on "-F values" files with 8 PCRs in one bank, so the serialized form is used.)
    /// </summary>
    private static byte[] SerializedPcrs(TpmQuote quote)
    {
        var bytes = new List<byte>();
        void U16(int v) => bytes.AddRange(BitConverter.GetBytes((ushort)v));
        void U32(int v) => bytes.AddRange(BitConverter.GetBytes((uint)v));
        U32(quote.Selections.Count);
        for (int i = 0; i < 16; i++)
        {
            var s = i < quote.Selections.Count ? quote.Selections[i] : null;
            U16(s is null ? 0 : (int)s.Bank);
            bytes.Add((byte)(s is null ? 0 : 3));
            var select = new byte[4];
            foreach (int index in s?.Indexes ?? []) select[index / 8] |= (byte)(1 << (index % 8));
            bytes.AddRange(select);
            bytes.Add(0);
        }
        var chunks = quote.PcrValues.Chunk(8).ToList();
        U32(chunks.Count);
        foreach (var chunk in chunks)
        {
            U32(chunk.Length);
            for (int i = 0; i < 8; i++)
            {
                var value = i < chunk.Length ? chunk[i].Value : [];
                U16(value.Length);
                var buffer = new byte[64];
                value.CopyTo(buffer, 0);
                bytes.AddRange(buffer);
            }
        }
        return [.. bytes];
    }

    [SkippableFact]
    public void AttestationKeyFromTpm2CreateakIsReadableAndQuotesVerify()
    {
        swtpm.Require();
        const uint handle = 0x81010020;
        try { Tool("tpm2_evictcontrol", "-C", "o", "-c", $"0x{handle:X8}"); } catch (InvalidOperationException) { }
        Tool("tpm2_createek", "-G", "rsa", "-c", File("ek.ctx"));
        // tpm2_createak loads the key into the simulator; no resource manager, so persist it in the same session.
        swtpm.Tpm2("tpm2_createak", "-C", File("ek.ctx"), "-c", File("ak.ctx"), "-G", "rsa", "-g", "sha256", "-s", "rsassa", "-u", File("ak.pub"), "-n", File("ak.name"));
        Tool("tpm2_evictcontrol", "-C", "o", "-c", File("ak.ctx"), $"0x{handle:X8}");

        byte[] nonce = RandomNumberGenerator.GetBytes(20);
        TpmQuote quote;
        using (var tpm = Open())
        {
            var keys = TpmOperations.GetAttestationKeys(tpm);
            var ak = Assert.Single(keys, k => k.Handle == handle);
            Assert.Equal(System.IO.File.ReadAllBytes(File("ak.name")), ak.Name);
            Assert.Equal(System.IO.File.ReadAllBytes(File("ak.pub")), ak.Public.ToTpm2BPublic());
            quote = TpmOperations.Quote(tpm, handle, nonce, [PcrSelection.Create(TpmAlgId.Sha256, [0, 1, 2, 3, 7])]);
            TpmOperations.RemoveAttestationKey(tpm, handle);
            Assert.DoesNotContain(TpmOperations.GetAttestationKeys(tpm), k => k.Handle == handle);
        }
        CheckQuote(quote, "sha256:0,1,2,3,7");
    }

    [SkippableFact]
    public void NvRoundTripsWithTpm2Tools()
    {
        const uint ours = 0x01500010, theirs = 0x01500011;
        byte[] data = RandomNumberGenerator.GetBytes(2048); // twice the TPM's max NV buffer
        foreach (var i in new[] { ours, theirs })
        {
            try { Tool("tpm2_nvundefine", $"0x{i:X8}", "-C", "o"); } catch (InvalidOperationException) { }
        }
        using (var tpm = Open())
        {
            Assert.True(tpm.GetProperties(TpmPt.NvBufferMax, 1).Single().Value < data.Length);
            var def = new TpmNvPublic(ours, TpmAlgId.Sha256, TpmNvAttributes.OwnerWrite | TpmNvAttributes.OwnerRead | TpmNvAttributes.AuthRead | TpmNvAttributes.AuthWrite | TpmNvAttributes.NoDA, [], (ushort)data.Length);
            tpm.NvDefineSpace(def, [], TpmHandles.Owner, TpmAuth.Empty);
            tpm.NvWrite(ours, 0, data, TpmHandles.Owner, TpmAuth.Empty);
        }
        Tool("tpm2_nvread", $"0x{ours:X8}", "-C", "o", "-o", File("nv.bin"));
        Assert.Equal(data, System.IO.File.ReadAllBytes(File("nv.bin")));

        byte[] theirData = RandomNumberGenerator.GetBytes(1500);
        System.IO.File.WriteAllBytes(File("in.bin"), theirData);
        Tool("tpm2_nvdefine", $"0x{theirs:X8}", "-C", "o", "-s", theirData.Length.ToString(), "-a", "ownerread|ownerwrite|authread|authwrite");
        Tool("tpm2_nvwrite", $"0x{theirs:X8}", "-C", "o", "-i", File("in.bin"));
        using (var tpm = Open())
        {
            var pub = tpm.NvReadPublic(theirs).Public;
            Assert.Equal(theirData.Length, pub.DataSize);
            Assert.Equal(theirData, TpmOperations.ReadNvIndex(tpm, pub, 0, pub.DataSize));
            Assert.Equal(theirData.AsSpan(700, 700).ToArray(), TpmOperations.ReadNvIndex(tpm, pub, 700, 700));
            tpm.NvUndefineSpace(ours, TpmHandles.Owner, TpmAuth.Empty);
            tpm.NvUndefineSpace(theirs, TpmHandles.Owner, TpmAuth.Empty);
            var ex = Assert.Throws<TpmException>(() => tpm.NvReadPublic(ours));
            Assert.Equal("TPM_RC_HANDLE", ex.ResponseName);
        }
    }

    [SkippableFact]
    public void DeviceInfoDescribesTheSimulator()
    {
        using var tpm = Open();
        var info = TpmOperations.GetDeviceInfo(tpm);
        Assert.Equal("IBM", info.Manufacturer);
        Assert.Equal(["sha1", "sha256"], info.Banks);
        Assert.Equal(24, info.PcrCount);
        Assert.StartsWith("2.0", info.SpecVersion);
        Assert.Equal(swtpm.ConnectionString, info.Transport);
        Assert.Equal(16, tpm.GetRandom(16).Length);
    }
}
