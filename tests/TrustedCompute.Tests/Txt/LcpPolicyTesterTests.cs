using System.Security.Cryptography;
using TrustedCompute.Txt;
using Xunit;
using static TrustedCompute.Tests.Txt.LcpInputs;

namespace TrustedCompute.Tests.Txt;

public sealed class LcpPolicyTesterTests
{
    private static readonly Lazy<string> Key = new(() => RsaPem(2048, out _));

    private static (LaunchControlPolicy Lcp, byte[] Mle, Dictionary<int, byte[]> Pcrs) Make(ushort counter = 2)
    {
        var mle = Random(32, 1);
        var pcrs = new Dictionary<int, byte[]> { [0] = Random(32, 2), [7] = Random(32, 3) };
        var signed = new LcpPolicyList { Elements = [new LcpMleElement { Hashes = [mle] }] };
        LcpSigning.Sign(signed, Key.Value, revocationCounter: counter);
        var unsigned = new LcpPolicyList { Elements = [new LcpPconfElement { PcrInfos = [LcpPcr.CreatePcrInfo(LcpHashAlgorithm.Sha256, pcrs)] }] };
        return (LaunchControlPolicy.Create(new LcpPolicy { PolicyHash = new byte[32] }, [signed, unsigned]), mle, pcrs);
    }

    private static Dictionary<LcpHashAlgorithm, IReadOnlyDictionary<int, byte[]>> Bank(Dictionary<int, byte[]> values) => new() { [LcpHashAlgorithm.Sha256] = values };

    [Fact]
    public void SoundPolicyAllowsItsMleAndPlatformOnly()
    {
        var (lcp, mle, pcrs) = Make();
        var ok = LcpPolicyTester.Test(lcp.Policy, lcp.Data, mle, Bank(pcrs));
        Assert.True(ok.IsValid, string.Join("; ", ok.Findings));
        Assert.True(ok.MleAllowed);
        Assert.True(ok.PlatformAllowed);

        var changed = new Dictionary<int, byte[]>(pcrs) { [7] = Random(32, 9) };
        var bad = LcpPolicyTester.Test(lcp.Policy, lcp.Data, Random(32, 8), Bank(changed));
        Assert.False(bad.MleAllowed);
        Assert.False(bad.PlatformAllowed);
        var missing = LcpPolicyTester.Test(lcp.Policy, lcp.Data, null, Bank(new Dictionary<int, byte[]> { [0] = pcrs[0] }));
        Assert.False(missing.PlatformAllowed);
        Assert.Contains(missing.Findings, f => f.Id == "pconf.missingpcr");
    }

    [Fact]
    public void DerivedMasksFollowListsAndElements()
    {
        var (lcp, _, _) = Make();
        Assert.Equal(LcpSignAlgorithmMask.Rsa2048Sha256, lcp.Policy.LcpSignAlgorithmMask);
        Assert.Equal(LcpHashAlgorithmMask.Sha256, lcp.Policy.LcpHashAlgorithmMask);
        Assert.Equal(SHA256.HashData([.. SHA256.HashData(lcp.Data!.Lists[0].Signature!.PublicKey), .. SHA256.HashData(lcp.Data.Lists[1].ToBytes())]), lcp.Policy.PolicyHash);
        Assert.Throws<ArgumentException>(() => LaunchControlPolicy.Create(new LcpPolicy { PolicyType = LcpPolicyType.Any }, lcp.Data.Lists));
        Assert.Throws<ArgumentException>(() => LaunchControlPolicy.Create(new LcpPolicy(), []));
    }

    [Fact]
    public void EveryProblemIsAFindingWithItsId()
    {
        var (lcp, _, _) = Make(counter: 1);
        lcp.Policy.DataRevocationCounters[0] = 2;
        lcp.Policy.LcpSignAlgorithmMask = LcpSignAlgorithmMask.EcdsaP256;
        lcp.Policy.LcpHashAlgorithmMask = LcpHashAlgorithmMask.Sha384;
        ((LcpMleElement)lcp.Data!.Lists[0].Elements[0]).Hashes[0][0] ^= 1;
        lcp.Data.Lists[1].Elements.Add(new LcpStmElement { Hashes = [Random(32, 4)] });
        var result = LcpPolicyTester.Test(lcp.Policy, lcp.Data);
        Assert.False(result.IsValid);
        var ids = result.Findings.Select(f => f.Id).ToHashSet();
        Assert.Superset(new HashSet<string> { "list.revoked", "list.signalg", "list.signature", "element.hashalg", "policy.hash" }, ids);
        Assert.Contains(LcpPolicyTester.Test(lcp.Policy, null).Findings, f => f.Id == "data.missing");
    }

    [Fact]
    public void AnyPolicyAllowsEverything()
    {
        var any = LaunchControlPolicy.Create(new LcpPolicy { PolicyType = LcpPolicyType.Any }, []);
        Assert.Null(any.Data);
        Assert.All(any.Policy.PolicyHash, b => Assert.Equal(0, b));
        var result = LcpPolicyTester.Test(any.Policy, null, Random(32, 5), Bank([]));
        Assert.True(result.IsValid);
        Assert.True(result.MleAllowed);
        Assert.True(result.PlatformAllowed);
    }

    [Fact]
    public void FilesAreReadAndWrittenByExtension()
    {
        using var s = new LcpScratch();
        var (lcp, _, _) = Make();
        var written = LcpFiles.Write(lcp, s.Path("po"));
        Assert.Equal([s.Path("po.pol"), s.Path("po.data")], written);
        var back = Assert.IsType<LaunchControlPolicy>(LcpFiles.Read(s.Path("po.pol")));
        Assert.Equal(lcp.Data!.ToBytes(), back.Data!.ToBytes());
        Assert.Equal(s.Path("po.data"), back.DataPath);
        LcpFiles.Write(lcp.Data.Lists[1], s.Path("l.lst"));
        Assert.IsType<LcpPolicyList>(LcpFiles.Read(s.Path("l.lst")));
        LcpFiles.Write(lcp.Data.Lists[1].Elements[0], s.Path("e.elt"));
        Assert.IsType<LcpPconfElement>(LcpFiles.Read(s.Path("e.elt")));
        Assert.IsType<LcpPolicyData>(LcpFiles.Read(s.Path("po.data")));
        File.WriteAllBytes(s.Path("big.lst"), new byte[(1 << 20) + 1]);
        Assert.Throws<LcpFormatException>(() => LcpFiles.Read(s.Path("big.lst")));
    }
}
