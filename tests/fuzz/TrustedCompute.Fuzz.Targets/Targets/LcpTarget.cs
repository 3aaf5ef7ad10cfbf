using System.Buffers.Binary;
using System.Security.Cryptography;
using TrustedCompute.Txt;

namespace TrustedCompute.Fuzz.Targets;

/// <summary>
/// Launch control policy files as LcpFiles reads them: .pol (file and NV form), .data, .lst, .elt, and a policy with
/// its data through LcpPolicyTester (hashes, signatures, elements). Documented: LcpFormatException. What was read must
/// also write back (Export after Import), so ToBytes may not throw.
/// </summary>
public sealed class LcpTarget : FuzzTarget
{
    /// <summary>The first input byte picks what the rest is.</summary>
    private enum Kind : byte { Policy, PolicyNv, Data, List, Element, PolicyAndData }

    public override string Name => "lcp";
    public override string Description =>
        "LcpPolicy.Parse/ParseNv, LcpPolicyData/List/Element.Parse, LcpPolicyTester.Test, ToBytes";

    public override bool IsDocumented(Exception exception) => exception is LcpFormatException;

    public override IReadOnlyList<string> SharedSeeds => ["lcp/out/*.pol", "lcp/out/*.data", "lcp/out/*.lst", "lcp/out/*.elt",
        "lcp/inputs/*.pol"];

    public override byte[] InputFromSharedFile(string path)
    {
        var kind = Path.GetExtension(path) switch
        {
            ".data" => Kind.Data,
            ".lst" => Kind.List,
            ".elt" => Kind.Element,
            _ => Kind.Policy,
        };
        return [(byte)kind, .. File.ReadAllBytes(path)];
    }

    public override IEnumerable<(string Name, byte[] Bytes)> GeneratedSeeds()
    {
        var elements = new LcpElement[]
        {
            new LcpMleElement { SinitMinVersion = 1, Hashes = [SHA256.HashData("mle"u8)] },
            new LcpMleElement { Legacy = true, HashAlgorithm = LcpHashAlgorithm.Sha1, Hashes = [SHA1.HashData("mle"u8)] },
            new LcpPconfElement { PcrInfos = [LcpPcr.CreatePcrInfo(LcpHashAlgorithm.Sha256, Pcrs(32))] },
            new LcpPconfElement
            {
                Legacy = true, HashAlgorithm = LcpHashAlgorithm.Sha1, PcrInfos = [LcpPcr.CreateLegacyPcrInfo(Pcrs(20))],
            },
            new LcpSbiosElement { FallbackHash = new byte[32], Hashes = [SHA256.HashData("bios"u8)] },
            new LcpStmElement { Hashes = [SHA256.HashData("stm"u8)] },
            new LcpCustomElement { Data = "custom"u8.ToArray() },
        };
        var unsigned = new LcpPolicyList { Elements = [.. elements] };
        var signed = new LcpPolicyList { Elements = [elements[0], elements[2]] };
        using (var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            LcpSigning.Sign(signed, ec.ExportPkcs8PrivateKeyPem());
        }
        var legacy = new LcpPolicyList { Version = LcpPolicyList.Version200, Elements = [elements[0]] };
        var lcp = LaunchControlPolicy.Create(new LcpPolicy(), [unsigned, signed, legacy]);
        var any = LaunchControlPolicy.Create(new LcpPolicy { PolicyType = LcpPolicyType.Any }, []);
        yield return ("policy-list.pol", [(byte)Kind.Policy, .. lcp.Policy.ToBytes()]);
        yield return ("policy-any.pol", [(byte)Kind.Policy, .. any.Policy.ToBytes()]);
        yield return ("policy-nv.pol", [(byte)Kind.PolicyNv, .. lcp.Policy.ToBytes()]);
        yield return ("three-lists.data", [(byte)Kind.Data, .. lcp.Data!.ToBytes()]);
        yield return ("unsigned.lst", [(byte)Kind.List, .. unsigned.ToBytes()]);
        yield return ("signed-ecdsa.lst", [(byte)Kind.List, .. signed.ToBytes()]);
        yield return ("v200.lst", [(byte)Kind.List, .. legacy.ToBytes()]);
        for (int i = 0; i < elements.Length; i++)
        {
            string name = $"element-{i}-{elements[i].Type}.elt".ToLowerInvariant();
            yield return (name, [(byte)Kind.Element, .. elements[i].ToBytes()]);
        }
        yield return ("policy-and-data.bin", PolicyAndData(lcp.Policy.ToBytes(), lcp.Data.ToBytes()));
    }

    private static Dictionary<int, byte[]> Pcrs(int size) =>
        new() { [0] = new byte[size], [1] = Enumerable.Repeat((byte)1, size).ToArray() };

    private static byte[] PolicyAndData(byte[] policy, byte[] data)
    {
        var bytes = new byte[3 + policy.Length + data.Length];
        bytes[0] = (byte)Kind.PolicyAndData;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(1), (ushort)policy.Length);
        policy.CopyTo(bytes, 3);
        data.CopyTo(bytes, 3 + policy.Length);
        return bytes;
    }

    public override void Run(byte[] input)
    {
        if (input.Length == 0) return;
        byte[] body = input[1..];
        switch ((Kind)(input[0] % 6))
        {
            case Kind.Policy:
                Test(LcpPolicy.Parse(body), null);
                break;
            case Kind.PolicyNv:
                Test(LcpPolicy.ParseNv(body), null);
                break;
            case Kind.Data:
                _ = LcpPolicyData.Parse(body).ToBytes();
                break;
            case Kind.List:
                var list = LcpPolicyList.Parse(body);
                _ = list.ToBytes();
                if (list.IsSigned) _ = TryVerify(list);
                break;
            case Kind.Element:
                _ = LcpElement.Parse(body).ToBytes();
                break;
            case Kind.PolicyAndData:
                if (body.Length < 2) return;
                int split = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(body), body.Length - 2);
                var policy = LcpPolicy.Parse(body[2..(2 + split)]);
                Test(policy, LcpPolicyData.Parse(body[(2 + split)..]));
                break;
        }
    }

    private static void Test(LcpPolicy policy, LcpPolicyData? data)
    {
        _ = policy.ToBytes();
        var pcrs = new Dictionary<LcpHashAlgorithm, IReadOnlyDictionary<int, byte[]>>
        {
            [LcpHashAlgorithm.Sha256] = Pcrs(32),
            [LcpHashAlgorithm.Sha1] = Pcrs(20),
        };
        var result = LcpPolicyTester.Test(policy, data, SHA256.HashData("mle"u8), pcrs);
        foreach (var finding in result.Findings) _ = finding.ToString();
        _ = data?.ToBytes();
    }

    /// <summary>Verifies a list's signature, allowing what LcpPolicyTester allows (unsupported scheme or key).</summary>
    private static bool TryVerify(LcpPolicyList list)
    {
        try { return LcpSigning.Verify(list); }
        catch (Exception e) when (e is NotSupportedException or CryptographicException) { return false; }
    }
}
