using System.Text.RegularExpressions;
using TrustedCompute.Txt;
using Xunit;
using static TrustedCompute.Tests.Txt.LcpInputs;

namespace TrustedCompute.Tests.Txt;

/// <summary>Every file tboot 1.10.5 made in ../shared/testdata/lcp/out, checked against the independent parse dumps.</summary>
public sealed class LcpSampleTests
{
    public static TheoryData<string> ElementFiles => new() { "mle_legacy_sha1.elt", "mle2_sha256.elt", "pconf_legacy_sha1.elt", "pconf2_sha256.elt", "pconf2_sha256_pcr0-3.elt", "custom_tboot_vlp.elt" };
    public static TheoryData<string> ListFiles => new() { "list_v100_unsigned.lst", "list_v200_unsigned.lst", "list_v300_unsigned.lst", "list_v300_rsapss.lst", "list_v300_ecdsa.lst" };

    [SkippableTheory]
    [MemberData(nameof(ElementFiles))]
    public void ElementsParseRoundTripAndMatchTheDump(string name)
    {
        var bytes = File.ReadAllBytes(SharedOut(name));
        var element = LcpElement.Parse(bytes);
        Assert.Equal(bytes, element.ToBytes());
        var dump = SharedShow(name + ".parse.txt");
        var header = Regex.Match(dump, @"element size=(\d+) type=0x([0-9a-f]+)");
        Assert.Equal(int.Parse(header.Groups[1].Value), element.Size);
        Assert.Equal(Convert.ToUInt32(header.Groups[2].Value, 16), (uint)element.Type);
        AssertElementMatchesDump(element, dump);
    }

    [SkippableTheory]
    [MemberData(nameof(ListFiles))]
    public void ListsParseRoundTripAndMatchTheDump(string name)
    {
        var bytes = File.ReadAllBytes(SharedOut(name));
        var list = LcpPolicyList.Parse(bytes);
        Assert.Equal(bytes, list.ToBytes());
        var dump = SharedShow(name + ".parse.txt");
        Assert.Equal(Convert.ToUInt16(Regex.Match(dump, @"version=0x([0-9a-f]+)").Groups[1].Value, 16), list.Version);
        var sizes = Regex.Matches(dump, @"element size=(\d+) type=0x([0-9a-f]+)");
        Assert.Equal(sizes.Select(m => Convert.ToUInt32(m.Groups[2].Value, 16)), list.Elements.Select(e => (uint)e.Type));
        Assert.Equal(sizes.Select(m => int.Parse(m.Groups[1].Value)), list.Elements.Select(e => e.Size));
        var rev = Regex.Match(dump, @"RevocationCounter=(\d+)");
        Assert.Equal(rev.Success, list.IsSigned);
        if (rev.Success) Assert.Equal(ushort.Parse(rev.Groups[1].Value), list.Signature!.RevocationCounter);
        foreach (var element in list.Elements) AssertElementMatchesDump(element, dump);
    }

    [SkippableFact]
    public void TbootSignedListsVerifyAndTamperedOnesDoNot()
    {
        var pss = LcpPolicyList.Parse(File.ReadAllBytes(SharedOut("list_v300_rsapss.lst")));
        Assert.Equal(LcpSignatureScheme.RsaPss, pss.Signature!.Scheme);
        Assert.Equal(3072, pss.Signature.KeySize);
        Assert.True(LcpSigning.Verify(pss));
        var ecdsa = LcpPolicyList.Parse(File.ReadAllBytes(SharedOut("list_v300_ecdsa.lst")));
        Assert.Equal(LcpSignatureScheme.Ecdsa, ecdsa.Signature!.Scheme);
        Assert.True(LcpSigning.Verify(ecdsa));

        ((LcpMleElement)pss.Elements[2]).Hashes[0][0] ^= 1;
        Assert.False(LcpSigning.Verify(pss));
        ecdsa.Signature.Value[5] ^= 1;
        Assert.False(LcpSigning.Verify(ecdsa));
    }

    [SkippableFact]
    public void StoredKeysAreThePemKeys()
    {
        using var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(Env.TestPaths.Shared("lcp", "inputs", "lcp_rsa3072_pub.pem")));
        var pss = LcpPolicyList.Parse(File.ReadAllBytes(SharedOut("list_v300_rsapss.lst")));
        Assert.Equal(rsa.ExportParameters(false).Modulus!.Reverse(), pss.Signature!.PublicKey);
        using var ec = System.Security.Cryptography.ECDsa.Create();
        ec.ImportFromPem(File.ReadAllText(Env.TestPaths.Shared("lcp", "inputs", "lcp_ecp256_pub.pem")));
        var q = ec.ExportParameters(false).Q;
        var list = LcpPolicyList.Parse(File.ReadAllBytes(SharedOut("list_v300_ecdsa.lst")));
        Assert.Equal(q.X!.Reverse().Concat(q.Y!.Reverse()), list.Signature!.PublicKey);
    }

    [SkippableTheory]
    [InlineData("po_v32_list")]
    [InlineData("po_v31_list")]
    public void PoliciesAndDataMatchTheDumpsAndTheirHashes(string name)
    {
        var polBytes = File.ReadAllBytes(SharedOut(name + ".pol"));
        var dataBytes = File.ReadAllBytes(SharedOut(name + ".data"));
        var policy = LcpPolicy.Parse(polBytes);
        var data = LcpPolicyData.Parse(dataBytes);
        Assert.Equal(polBytes, policy.ToBytes());
        Assert.Equal(dataBytes, data.ToBytes());
        AssertPolicyMatchesDump(policy, SharedShow(name + ".pol.parse.txt"));
        Assert.Equal(int.Parse(Regex.Match(SharedShow(name + ".data.parse.txt"), @"num_lists=(\d+)").Groups[1].Value), data.Lists.Count);
        Assert.Equal(policy.PolicyHash, data.ComputePolicyHash(policy.HashAlgorithm));
        var result = LcpPolicyTester.Test(policy, data);
        Assert.True(result.IsValid, string.Join("; ", result.Findings));
    }

    [SkippableFact]
    public void PolicyHashOfSignedListIsTheHashOfItsStoredKey()
    {
        var data = LcpPolicyData.Parse(File.ReadAllBytes(SharedOut("po_v32_list.data")));
        var signed = data.Lists[0];
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(signed.Signature!.PublicKey), signed.ComputeHash(LcpHashAlgorithm.Sha256));
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(data.Lists[1].ToBytes()), data.Lists[1].ComputeHash(LcpHashAlgorithm.Sha256));
    }

    [SkippableFact]
    public void AnyPolicyMatchesTheDump()
    {
        var bytes = File.ReadAllBytes(SharedOut("po_v32_any.pol"));
        var policy = LcpPolicy.Parse(bytes);
        Assert.Equal(bytes, policy.ToBytes());
        Assert.Equal(LcpPolicyType.Any, policy.PolicyType);
        AssertPolicyMatchesDump(policy, SharedShow("po_v32_any.pol.parse.txt"));
        Assert.True(LcpPolicyTester.Test(policy, null, mleMeasurement: new byte[32]).MleAllowed);
    }

    [SkippableFact]
    public void NvReadBackIsThePolicy()
    {
        var readBack = File.ReadAllBytes(SharedOut("nv_readback_po.bin"));
        Assert.Equal(File.ReadAllBytes(SharedOut("po_v32_list.pol")), LcpPolicy.Parse(readBack).ToBytes());
    }

    private static void AssertPolicyMatchesDump(LcpPolicy policy, string dump)
    {
        Assert.Equal(Convert.ToUInt16(Regex.Match(dump, @"version=0x([0-9a-f]+)").Groups[1].Value, 16), policy.Version);
        Assert.Equal(Regex.Match(dump, @"type=(\w+)").Groups[1].Value, policy.PolicyType.ToString().ToUpperInvariant());
        Assert.Equal(Convert.ToUInt16(Regex.Match(dump, @"lcpHashAlgMask=0x([0-9a-f]+)").Groups[1].Value, 16), (ushort)policy.LcpHashAlgorithmMask);
        Assert.Equal(Convert.ToUInt32(Regex.Match(dump, @"lcpSignAlgMask=0x([0-9a-f]+)").Groups[1].Value, 16), (uint)policy.LcpSignAlgorithmMask);
        Assert.Equal(Convert.ToByte(Regex.Match(dump, @"maxSinitMinVer=0x([0-9a-f]+)").Groups[1].Value, 16), policy.MaxSinitMinVersion);
        Assert.Equal(Regex.Match(dump, @"policyHash=([0-9a-f]+)").Groups[1].Value, Hex(policy.PolicyHash));
        Assert.Equal(int.Parse(Regex.Match(dump, @"total=(\d+)").Groups[1].Value), policy.ToBytes().Length);
    }

    private static void AssertElementMatchesDump(LcpElement element, string dump)
    {
        switch (element)
        {
            case LcpMleElement mle:
                Assert.Contains($"hash[0]={Hex(mle.Hashes[0])}", dump);
                break;
            case LcpPconfElement { Legacy: true } pconf:
                Assert.Contains($"locality=0x{pconf.PcrInfos[0].Locality:x} digestAtRelease={Hex(pconf.PcrInfos[0].Digest)}", dump);
                break;
            case LcpPconfElement pconf:
                Assert.Contains($"pcrs=[{string.Join(", ", pconf.PcrInfos[0].PcrIndexes)}] digest={Hex(pconf.PcrInfos[0].Digest)}", dump);
                break;
            case LcpCustomElement custom:
                Assert.True(custom.IsTbootPolicy);
                Assert.Contains($"uuid={Hex(LcpUuid.ToBytes(custom.Uuid))} data={Hex(custom.Data)}", dump);
                break;
            default:
                Assert.Fail($"unexpected element {element.Type}");
                break;
        }
    }
}
