using System.Text.RegularExpressions;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tpm;
using TrustedCompute.Txt;
using Xunit;
using static TrustedCompute.Tests.Txt.LcpInputs;

namespace TrustedCompute.Tests.Txt;

/// <summary>
/// LcpNvStore over our TPM client on swtpm, checked with tpm2-tools. swtpm serves one connection at a time,
/// so each client is closed before a tpm2 tool runs.
/// </summary>
public sealed class LcpNvStoreTests(SwtpmFixture tpm) : IClassFixture<SwtpmFixture>
{
    private static LcpPolicy MakePolicy(int seed) =>
        LaunchControlPolicy.Create(new LcpPolicy(), [new LcpPolicyList { Elements = [new LcpMleElement { Hashes = [Random(32, seed)] }] }]).Policy;

    private uint Attributes(uint index) =>
        Convert.ToUInt32(Regex.Match(tpm.Tpm2("tpm2_nvreadpublic", $"0x{index:X8}"), @"attributes:\s+friendly:.*\n\s+value:\s+0x([0-9A-Fa-f]+)").Groups[1].Value, 16);

    private T WithClient<T>(Func<TpmClient, T> use)
    {
        using var client = TpmClient.Open(tpm.ConnectionString);
        return use(client);
    }

    [SkippableFact]
    public void DefineThenWriteGivesTheFieldAttributesAndOurBytes()
    {
        tpm.Require();
        var nv = LcpNvDefinition.ForPlatformOwner(MakePolicy(1));
        try
        {
            WithClient(c => { LcpNvStore.Define(c, nv, []); return 0; });
            Assert.Equal(LcpNvIndex.PlatformOwnerAttributes, Attributes(nv.Index));
            var result = WithClient(c => LcpNvStore.Write(c, nv, []));
            Assert.False(result.Defined);
            Assert.Equal(LcpNvIndex.PlatformOwnerAttributes | LcpNvIndex.Written, result.Attributes);
            using var s = new LcpScratch();
            tpm.Tpm2("tpm2_nvread", $"0x{nv.Index:X8}", "-C", $"0x{nv.Index:X8}", "-s", nv.Size.ToString(), "-o", s.Path("back.bin"));
            Assert.Equal(nv.Data, s.Read("back.bin"));
        }
        finally
        {
            tpm.Tpm2("tpm2_nvundefine", $"0x{nv.Index:X8}", "-C", "o");
        }
    }

    [SkippableFact]
    public void ReadsWhatTpm2NvwriteWrote()
    {
        tpm.Require();
        var bytes = MakePolicy(2).ToBytes();
        using var s = new LcpScratch();
        tpm.Tpm2("tpm2_nvdefine", "0x01C10106", "-C", "o", "-s", (bytes.Length + 6).ToString(), "-a", "ownerwrite|policywrite|authread|no_da");
        try
        {
            Assert.IsType<InvalidOperationException>(WithClient(c => Record.Exception(() => LcpNvStore.Read(c, LcpNvIndex.PlatformOwner))));
            tpm.Tpm2("tpm2_nvwrite", "0x01C10106", "-C", "o", "-i", s.Write("p.bin", [.. bytes, 0, 0, 0, 0, 0, 0]));
            var read = WithClient(c => LcpNvStore.Read(c, LcpNvIndex.PlatformOwner));
            Assert.Equal(bytes, read.Policy.ToBytes());
            Assert.Equal("nv:0x01C10106", read.Path);
            Assert.IsType<KeyNotFoundException>(WithClient(c => Record.Exception(() => LcpNvStore.Read(c, LcpNvIndex.LegacyPlatformOwner))));
        }
        finally
        {
            tpm.Tpm2("tpm2_nvundefine", "0x01C10106", "-C", "o");
        }
    }

    [SkippableFact]
    public void OwnerAuthorizationIsUsedAndSmallIndexesAreRefused()
    {
        tpm.Require();
        var nv = LcpNvDefinition.ForPlatformOwner(MakePolicy(3), legacyIndex: true);
        string index = $"0x{nv.Index:X8}";
        tpm.Tpm2("tpm2_changeauth", "-c", "o", "owner-secret");
        try
        {
            Assert.IsType<TpmException>(WithClient(c => Record.Exception(() => LcpNvStore.Write(c, nv, "wrong"u8.ToArray()))));
            tpm.Tpm2("tpm2_nvdefine", index, "-C", "o", "-P", "owner-secret", "-s", "16", "-a", "ownerwrite|policywrite|authread|no_da");
            Assert.IsType<InvalidOperationException>(WithClient(c => Record.Exception(() => LcpNvStore.Write(c, nv, "owner-secret"u8.ToArray()))));
            var result = WithClient(c => LcpNvStore.Write(c, nv, "owner-secret"u8.ToArray(), redefine: true));
            Assert.True(result.Defined);
            Assert.Equal(nv.Size, result.Size);
            Assert.Equal(nv.Data, WithClient(c => LcpNvStore.Read(c, nv.Index)).Policy.ToBytes());
        }
        finally
        {
            try { tpm.Tpm2("tpm2_nvundefine", index, "-C", "o", "-P", "owner-secret"); } catch (InvalidOperationException) { }
            tpm.Tpm2("tpm2_changeauth", "-c", "o", "-p", "owner-secret");
        }
    }
}
