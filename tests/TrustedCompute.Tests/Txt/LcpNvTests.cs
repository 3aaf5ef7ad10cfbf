using System.Text.RegularExpressions;
using TrustedCompute.Tests.Env;
using TrustedCompute.Txt;
using Xunit;
using static TrustedCompute.Tests.Txt.LcpInputs;

namespace TrustedCompute.Tests.Txt;

/// <summary>The NV definition and bytes for the PO index, on swtpm through tpm2-tools.</summary>
public sealed class LcpNvTests(SwtpmFixture tpm) : IClassFixture<SwtpmFixture>
{
    private static LcpPolicy MakePolicy(int seed)
    {
        var list = new LcpPolicyList { Elements = [new LcpMleElement { Hashes = [Random(32, seed)] }] };
        return LaunchControlPolicy.Create(new LcpPolicy(), [list]).Policy;
    }

    private uint Attributes(string index) =>
        Convert.ToUInt32(Regex.Match(tpm.Tpm2("tpm2_nvreadpublic", index), @"attributes:\s+friendly:.*\n\s+value:\s+0x([0-9A-Fa-f]+)").Groups[1].Value, 16);

    [SkippableFact]
    public void PlatformOwnerIndexHoldsOurPolicyBytesWithTheFieldAttributes()
    {
        tpm.Require();
        var nv = LcpNvDefinition.ForPlatformOwner(MakePolicy(1));
        Assert.Equal(0x01C10106u, nv.Index);
        Assert.Equal(38 + 32, nv.Size);
        string index = $"0x{nv.Index:X8}";
        // Defined with the attribute names the field uses, independent of our constant.
        tpm.Tpm2("tpm2_nvdefine", index, "-C", "o", "-s", nv.Size.ToString(), "-a", "ownerwrite|policywrite|authread|no_da");
        try
        {
            Assert.Equal(nv.Attributes, Attributes(index));
            using var scratch = new LcpScratch();
            tpm.Tpm2("tpm2_nvwrite", index, "-C", "o", "-i", scratch.Write("policy.bin", nv.Data));
            Assert.Equal(nv.Attributes | LcpNvIndex.Written, Attributes(index));
            tpm.Tpm2("tpm2_nvread", index, "-C", index, "-s", nv.Size.ToString(), "-o", scratch.Path("back.bin"));
            var back = scratch.Read("back.bin");
            Assert.Equal(nv.Data, back);
            Assert.Equal(nv.Data, LcpPolicy.Parse(back).ToBytes());
        }
        finally
        {
            tpm.Tpm2("tpm2_nvundefine", index, "-C", "o");
        }
    }

    [SkippableFact]
    public void LegacyIndexOnRequest()
    {
        tpm.Require();
        var nv = LcpNvDefinition.ForPlatformOwner(MakePolicy(2), legacyIndex: true);
        Assert.Equal(0x01400001u, nv.Index);
        string index = $"0x{nv.Index:X8}";
        tpm.Tpm2("tpm2_nvdefine", index, "-C", "o", "-s", nv.Size.ToString(), "-a", $"0x{nv.Attributes:X8}");
        try
        {
            Assert.Equal(nv.Attributes, Attributes(index));
        }
        finally
        {
            tpm.Tpm2("tpm2_nvundefine", index, "-C", "o");
        }
    }
}
