using System.Buffers.Binary;
using System.Security.Cryptography;
using TrustedCompute.Txt;
using Xunit;
using static TrustedCompute.Tests.Txt.LcpInputs;

namespace TrustedCompute.Tests.Txt;

/// <summary>Our bytes against tboot 1.10.5's lcp2 tools, run here from the same inputs.</summary>
public sealed class LcpToolOracleTests
{
    [SkippableFact]
    public void MleElementsEqualTheTools()
    {
        using var s = new LcpScratch();
        var sha1 = new[] { Random(20, 1), Random(20, 2) };
        var sha256 = new[] { Random(32, 3), Random(32, 4) };
        var f1 = sha1.Select((h, i) => s.WriteText($"h1_{i}.txt", HashText(h))).ToArray();
        var f256 = sha256.Select((h, i) => s.WriteText($"h256_{i}.txt", HashText(h))).ToArray();
        LcpScratch.Tool("lcp2_crtpolelt", ["--create", "--type", "mle", "--ctrl", "0x1", "--minver", "3", "--out", s.Path("mle.elt"), .. f1]);
        LcpScratch.Tool("lcp2_crtpolelt", ["--create", "--type", "mle2", "--ctrl", "0x0", "--minver", "7", "--alg", "sha256", "--out", s.Path("mle2.elt"), .. f256]);

        var legacy = new LcpMleElement { Legacy = true, HashAlgorithm = LcpHashAlgorithm.Sha1, Control = 1, SinitMinVersion = 3, Hashes = [.. sha1] };
        var mle2 = new LcpMleElement { HashAlgorithm = LcpHashAlgorithm.Sha256, SinitMinVersion = 7, Hashes = [.. sha256] };
        Assert.Equal(s.Read("mle.elt"), legacy.ToBytes());
        Assert.Equal(s.Read("mle2.elt"), mle2.ToBytes());
    }

    [SkippableFact]
    public void SbiosStmAndCustomElementsEqualTheTools()
    {
        using var s = new LcpScratch();
        var hashes = new[] { Random(32, 5), Random(32, 6), Random(32, 7) };
        var files = hashes.Select((h, i) => s.WriteText($"b{i}.txt", HashText(h))).ToArray();
        var vlp = Random(57, 8);
        LcpScratch.Tool("lcp2_crtpolelt", ["--create", "--type", "sbios", "--ctrl", "0x0", "--alg", "sha256", "--out", s.Path("sbios.elt"), .. files]);
        LcpScratch.Tool("lcp2_crtpolelt", ["--create", "--type", "stm", "--ctrl", "0x1", "--alg", "sha256", "--out", s.Path("stm.elt"), .. files]);
        LcpScratch.Tool("lcp2_crtpolelt", "--create", "--type", "custom", "--ctrl", "0x0", "--uuid", "tboot", "--out", s.Path("custom.elt"), s.Write("vlp.pol", vlp));

        var sbios = new LcpSbiosElement { FallbackHash = hashes[0], Hashes = [hashes[1], hashes[2]] };
        var stm = new LcpStmElement { Control = 1, Hashes = [.. hashes] };
        var custom = new LcpCustomElement { Data = vlp };
        Assert.Equal(s.Read("sbios.elt"), sbios.ToBytes());
        Assert.Equal(s.Read("stm.elt"), stm.ToBytes());
        Assert.Equal(s.Read("custom.elt"), custom.ToBytes());
        Assert.Equal(sbios.ToBytes(), LcpElement.Parse(s.Read("sbios.elt")).ToBytes());
    }

    [SkippableFact]
    public void Pconf2EqualsTheToolWithoutPcr7AndFixesItsPcr7Bug()
    {
        using var s = new LcpScratch();
        var pcrs = new Dictionary<int, byte[]> { [0] = Random(32, 10), [1] = Random(32, 11), [2] = new byte[32], [3] = Random(32, 13) };
        string[] Args(IDictionary<int, byte[]> values) => values.SelectMany(kv => new[] { $"--pcr{kv.Key}", Hex(kv.Value) }).ToArray();
        LcpScratch.Tool("lcp2_crtpolelt", ["--create", "--type", "pconf2", "--ctrl", "0x0", "--alg", "sha256", .. Args(pcrs), "--out", s.Path("p03.elt")]);
        var ours = new LcpPconfElement { HashAlgorithm = LcpHashAlgorithm.Sha256, PcrInfos = [LcpPcr.CreatePcrInfo(LcpHashAlgorithm.Sha256, pcrs)] };
        Assert.Equal(s.Read("p03.elt"), ours.ToBytes());

        pcrs[7] = Random(32, 17);
        LcpScratch.Tool("lcp2_crtpolelt", ["--create", "--type", "pconf2", "--ctrl", "0x0", "--alg", "sha256", .. Args(pcrs), "--out", s.Path("p7.elt")]);
        var tool = (LcpPconfElement)LcpElement.Parse(s.Read("p7.elt"));
        var fixedInfo = LcpPcr.CreatePcrInfo(LcpHashAlgorithm.Sha256, pcrs);
        Assert.Equal(new[] { 0, 1, 2, 3, 7 }, tool.PcrInfos[0].PcrIndexes);
        Assert.Equal(tool.PcrInfos[0].Select, fixedInfo.Select);
        // tboot 1.10.5 hashes PCR0-3 and a zero slot where PCR7 should be; SINIT (and a TPM2_Quote) hash every selected PCR.
        var right = SHA256.HashData(pcrs[0].Concat(pcrs[1]).Concat(pcrs[2]).Concat(pcrs[3]).Concat(pcrs[7]).ToArray());
        var toolBug = SHA256.HashData(pcrs[0].Concat(pcrs[1]).Concat(pcrs[2]).Concat(pcrs[3]).Concat(new byte[32]).ToArray());
        Assert.Equal(right, fixedInfo.Digest);
        Assert.Equal(toolBug, tool.PcrInfos[0].Digest);
    }

    [SkippableFact]
    public void LegacyPconfMatchesTheToolExceptItsZeroValueSize()
    {
        using var s = new LcpScratch();
        var p0 = Random(20, 20);
        var p2 = Random(20, 22);
        LcpScratch.Tool("lcp2_crtpolelt", "--create", "--type", "pconf", "--ctrl", "0x0", "--out", s.Path("pconf.elt"),
            s.WriteText("info.txt", $"locality:0x1f\n0:{Hex(p0)}\n2:{Hex(p2)}\n"));
        var tool = s.Read("pconf.elt");
        var ours = new LcpPconfElement { Legacy = true, PcrInfos = [LcpPcr.CreateLegacyPcrInfo(new Dictionary<int, byte[]> { [0] = p0, [2] = p2 })] }.ToBytes();
        Assert.Equal(tool.Length, ours.Length);
        Assert.Equal(tool[..^20], ours[..^20]);
        // TPM_PCR_COMPOSITE = sizeOfSelect | select | valueSize | values; tboot 1.10.5 writes valueSize 0.
        byte[] Composite(uint valueSize) => SHA1.HashData([0, 1, 0b101, .. BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(valueSize)), .. p0, .. p2]);
        Assert.Equal(Composite(40), ours[^20..]);
        Assert.Equal(Composite(0), tool[^20..]);
    }

    [SkippableTheory]
    [InlineData("0x300")]
    [InlineData("0x200")]
    [InlineData("0x100")]
    public void UnsignedListsEqualTheTool(string version)
    {
        using var s = new LcpScratch();
        bool legacy = version == "0x100";
        LcpElement[] elements = legacy
            ? [new LcpMleElement { Legacy = true, HashAlgorithm = LcpHashAlgorithm.Sha1, Hashes = [Random(20, 30)] },
               new LcpPconfElement { Legacy = true, PcrInfos = [LcpPcr.CreateLegacyPcrInfo(new Dictionary<int, byte[]> { [1] = Random(20, 31) })] }]
            : [new LcpMleElement { Hashes = [Random(32, 32)] },
               new LcpPconfElement { PcrInfos = [LcpPcr.CreatePcrInfo(LcpHashAlgorithm.Sha256, new Dictionary<int, byte[]> { [0] = Random(32, 33) })] },
               new LcpCustomElement { Data = Random(12, 34) }];
        var files = elements.Select((e, i) => s.Write($"e{i}.elt", e.ToBytes())).ToArray();
        // lcp2_crtpollist puts the elements in reverse command-line order.
        LcpScratch.Tool("lcp2_crtpollist", ["--create", "--listver", version, "--out", s.Path("list.lst"), .. files.Reverse()]);
        var ours = new LcpPolicyList { Version = Convert.ToUInt16(version, 16), Elements = [.. elements] };
        Assert.Equal(s.Read("list.lst"), ours.ToBytes());
    }

    [SkippableTheory]
    [InlineData(3072, true, "sha256", 0x300)]
    [InlineData(2048, false, "sha256", 0x300)]
    [InlineData(3072, false, "sha384", 0x300)]
    [InlineData(2048, false, "sha256", 0x200)]
    public void ListsWeSignVerifyWithTheTool(int bits, bool pss, string hash, int version)
    {
        using var s = new LcpScratch();
        var key = RsaPem(bits, out _);
        var list = new LcpPolicyList { Version = (ushort)version, Elements = [new LcpMleElement { Hashes = [Random(32, 40)] }] };
        LcpSigning.Sign(list, key, hash == "sha384" ? LcpHashAlgorithm.Sha384 : LcpHashAlgorithm.Sha256, pss, revocationCounter: 5);
        s.Write("signed.lst", list.ToBytes());
        Assert.True(ToolAccepts(s, "signed.lst", version));
        Assert.True(LcpSigning.Verify(LcpPolicyList.Parse(s.Read("signed.lst"))));

        list.Signature!.Value[^1] ^= 0x80;
        s.Write("bad.lst", list.ToBytes());
        Assert.False(ToolAccepts(s, "bad.lst", version));
    }

    /// <summary>lcp2_crtpollist --verify handles 0x300 lists only (and exits 0 either way); lcp2_crtpol verifies 0x200 lists it is given.</summary>
    private static bool ToolAccepts(LcpScratch s, string file, int version)
    {
        if (version == 0x300) return LcpScratch.Tool("lcp2_crtpollist", "--verify", s.Path(file)).Contains("verified positively");
        try
        {
            LcpScratch.Tool("lcp2_crtpol", "--create", "--type", "list", "--polver", "3.1", "--alg", "sha256", "--mask", "sha256", "--sign", "rsa-2048-sha256",
                "--pol", s.Path(file + ".pol"), "--data", s.Path(file + ".data"), s.Path(file));
            return File.Exists(s.Path(file + ".pol"));
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    [SkippableFact]
    public void ListSignedByTheToolEqualsOursExceptTheRandomSalt()
    {
        using var s = new LcpScratch();
        var priv = RsaPem(2048, out var pub);
        var list = new LcpPolicyList { Elements = [new LcpStmElement { Hashes = [Random(32, 41)] }] };
        s.Write("l.lst", list.ToBytes());
        LcpScratch.Tool("lcp2_crtpollist", "--sign", "--sigalg", "rsapss", "--hashalg", "sha256", "--pub", s.WriteText("pub.pem", pub),
            "--priv", s.WriteText("priv.pem", priv), "--rev", "9", "--out", s.Path("l.lst"));
        var tool = LcpPolicyList.Parse(s.Read("l.lst"));
        Assert.True(LcpSigning.Verify(tool));
        LcpSigning.Sign(list, priv, LcpHashAlgorithm.Sha256, pss: true, revocationCounter: 9);
        var a = s.Read("l.lst");
        var b = list.ToBytes();
        Assert.Equal(a[..^256], b[..^256]);
    }

    [Theory]
    [InlineData(256, 0x300)]
    [InlineData(384, 0x300)]
    [InlineData(256, 0x201)]
    public void EcdsaSignaturesVerifyWithThePemKeyItself(int bits, int version)
    {
        // tboot 1.10.5 cannot check ECDSA lists (its verifier aborts), so the oracle is the signer's own key.
        using var ec = ECDsa.Create(bits == 256 ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384);
        var list = new LcpPolicyList { Version = (ushort)version, Elements = [new LcpStmElement { Hashes = [Random(32, 43)] }] };
        LcpSigning.Sign(list, ec.ExportPkcs8PrivateKeyPem(), bits == 256 ? LcpHashAlgorithm.Sha256 : LcpHashAlgorithm.Sha384);
        var parsed = LcpPolicyList.Parse(list.ToBytes());
        int size = bits / 8;
        byte[] rs = [.. parsed.Signature!.Value[..size].Reverse(), .. parsed.Signature.Value[size..].Reverse()];
        var hash = bits == 256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384;
        Assert.True(ec.VerifyData(parsed.SignedBytes(), rs, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        var q = ec.ExportParameters(false).Q;
        Assert.Equal([.. q.X!.Reverse(), .. q.Y!.Reverse()], parsed.Signature.PublicKey);
        Assert.True(LcpSigning.Verify(parsed));
    }

    [SkippableTheory]
    [InlineData("ecdsa", "0x300")]
    [InlineData("rsa", "0x200")]
    public void ListsTheToolSignsVerifyWithOurs(string sigalg, string version)
    {
        using var s = new LcpScratch();
        LcpPolicyList signed;
        // tboot 1.10.5 writes an ECDSA r or s that has a leading zero byte unpadded (shifted, a zero byte at the end),
        // about 1 signature in 64: such a list is invalid, and ours must say so as .NET does; then sign again.
        for (int attempt = 1; ; attempt++)
        {
            string priv = sigalg == "ecdsa" ? EcPem(ECCurve.NamedCurves.nistP256, out var pub) : RsaPem(2048, out pub);
            var list = new LcpPolicyList { Version = Convert.ToUInt16(version, 16), Elements = [new LcpMleElement { Hashes = [Random(32, 42)] }] };
            s.Write("l.lst", list.ToBytes());
            LcpScratch.Tool("lcp2_crtpollist", "--sign", "--sigalg", sigalg, "--hashalg", "sha256", "--pub", s.WriteText("pub.pem", pub),
                "--priv", s.WriteText("priv.pem", priv), "--rev", "3", "--out", s.Path("l.lst"));
            signed = LcpPolicyList.Parse(s.Read("l.lst"));
            bool independent = sigalg != "ecdsa" || VerifiesWithDotNet(signed, pub);
            Assert.Equal(independent, LcpSigning.Verify(signed));
            if (independent) break;
            Assert.True(attempt < 5, "tboot produced 5 unverifiable ECDSA signatures in a row");
        }
        Assert.Equal(3, signed.Signature!.RevocationCounter);
        Assert.True(LcpSigning.Verify(signed));
        Assert.Equal(s.Read("l.lst"), signed.ToBytes());
        signed.Signature.Value[3] ^= 1;
        Assert.False(LcpSigning.Verify(signed));
    }

    private static bool VerifiesWithDotNet(LcpPolicyList signed, string publicPem)
    {
        using var ec = ECDsa.Create();
        ec.ImportFromPem(publicPem);
        var v = signed.Signature!.Value;
        int size = v.Length / 2;
        byte[] rs = [.. v[..size].Reverse(), .. v[size..].Reverse()];
        return ec.VerifyData(signed.SignedBytes(), rs, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    [SkippableFact]
    public void PoliciesAndDataEqualTheTool()
    {
        using var s = new LcpScratch();
        var unsigned = new LcpPolicyList { Elements = [new LcpMleElement { Hashes = [Random(32, 50)] }] };
        var signed = new LcpPolicyList { Elements = [new LcpCustomElement { Data = Random(16, 51) }] };
        LcpSigning.Sign(signed, RsaPem(3072, out _), LcpHashAlgorithm.Sha256, pss: true, revocationCounter: 2);
        var l1 = s.Write("signed.lst", signed.ToBytes());
        var l2 = s.Write("unsigned.lst", unsigned.ToBytes());
        LcpScratch.Tool("lcp2_crtpol", "--create", "--type", "list", "--polver", "3.2", "--alg", "sha256", "--mask", "sha256", "--sign", "rsa-3072-sha256",
            "--sign", "ecdsa-p256", "--minver", "4", "--ctrl", "0x2", "--pol", s.Path("p.pol"), "--data", s.Path("p.data"), l1, l2);
        LcpScratch.Tool("lcp2_crtpol", "--create", "--type", "any", "--polver", "3.1", "--alg", "sha256", "--mask", "sha256", "--sign", "rsa-2048-sha256",
            "--pol", s.Path("any.pol"));

        var data = new LcpPolicyData { Lists = [signed, unsigned] };
        var policy = new LcpPolicy
        {
            SinitMinVersion = 4,
            PolicyControl = LcpPolicyControl.NpwAllowed,
            LcpSignAlgorithmMask = LcpSignAlgorithmMask.Rsa3072Sha256 | LcpSignAlgorithmMask.EcdsaP256,
            PolicyHash = data.ComputePolicyHash(LcpHashAlgorithm.Sha256),
        };
        var any = new LcpPolicy { Version = 0x0301, PolicyType = LcpPolicyType.Any, LcpSignAlgorithmMask = LcpSignAlgorithmMask.Rsa2048Sha256 };
        Assert.Equal(s.Read("p.pol"), policy.ToBytes());
        Assert.Equal(s.Read("p.data"), data.ToBytes());
        Assert.Equal(s.Read("any.pol"), any.ToBytes());
        Assert.True(LcpPolicyTester.Test(policy, data).IsValid);
    }

    [SkippableFact]
    public void MleHashOfAMadeUpImageEqualsTheTool()
    {
        using var s = new LcpScratch();
        var image = MleImage.Build(seed: 60);
        var path = s.Write("mle.elf", image);
        foreach (var (alg, name) in new[] { (LcpHashAlgorithm.Sha256, "sha256"), (LcpHashAlgorithm.Sha1, "sha1") })
        {
            var tool = LcpHash.ParseHex(LcpScratch.Tool("lcp2_mlehash", "--create", "--cmdline", "console=ttyS0 x=1", "--alg", name, path));
            Assert.Equal(tool, MleHash.Compute(image, "console=ttyS0 x=1", alg));
        }
        var gz = new MemoryStream();
        using (var zip = new System.IO.Compression.GZipStream(gz, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)) zip.Write(image);
        var gzPath = s.Write("mle.gz", gz.ToArray());
        var fromGz = LcpHash.ParseHex(LcpScratch.Tool("lcp2_mlehash", "--create", "--cmdline", "", "--alg", "sha256", gzPath));
        Assert.Equal(fromGz, MleHash.Compute(gz.ToArray(), "", LcpHashAlgorithm.Sha256));
        Assert.NotEqual(fromGz, MleHash.Compute(image, "a", LcpHashAlgorithm.Sha256));
    }

    [SkippableFact]
    public void MleHashOfTheInstalledTbootEqualsTheTool()
    {
        const string tboot = "/boot/tboot.gz";
        Skip.IfNot(File.Exists(tboot), "tboot.gz is not installed");
        var tool = LcpHash.ParseHex(LcpScratch.Tool("lcp2_mlehash", "--create", "--cmdline", "logging=serial,memory", "--alg", "sha256", tboot));
        Assert.Equal(tool, MleHash.Compute(File.ReadAllBytes(tboot), "logging=serial,memory", LcpHashAlgorithm.Sha256));
    }
}

/// <summary>A small ELF32 image with an MLE header, two PT_LOAD segments and a command-line area.</summary>
internal static class MleImage
{
    public static byte[] Build(int seed)
    {
        var seg1 = LcpInputs.Random(0x400, seed);
        var seg2 = LcpInputs.Random(0x120, seed + 1);
        var header = LcpUuid.ToBytes(MleHash.MleHeaderUuid).Concat(new byte[36]).ToArray();
        void Set(int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(at), value);
        Set(16, 0x34); Set(20, 0x20003);
        Set(32, 0x10); Set(36, 0x700);          // MLE range in the expanded image
        Set(44, 0x200); Set(48, 0x280);         // command line area
        header.CopyTo(seg1, 0x40);

        var elf = new byte[0x100 + seg1.Length + seg2.Length];
        elf[0] = 0x7F; elf[1] = (byte)'E'; elf[2] = (byte)'L'; elf[3] = (byte)'F'; elf[4] = 1; elf[5] = 1; elf[6] = 1;
        void U16(int at, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(at), v);
        void U32(int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(elf.AsSpan(at), v);
        U16(16, 2); U16(18, 3); U32(20, 1); U32(24, 0x1000); U32(28, 52); U16(40, 52); U16(42, 32); U16(44, 2);
        void Ph(int at, uint offset, uint paddr, uint filesz, uint memsz)
        {
            U32(at, 1); U32(at + 4, offset); U32(at + 8, paddr); U32(at + 12, paddr); U32(at + 16, filesz); U32(at + 20, memsz); U32(at + 24, 7);
        }
        Ph(52, 0x100, 0x1000, (uint)seg1.Length, 0x500);
        Ph(84, (uint)(0x100 + seg1.Length), 0x1500, (uint)seg2.Length, 0x200);
        seg1.CopyTo(elf, 0x100);
        seg2.CopyTo(elf, 0x100 + seg1.Length);
        return elf;
    }
}
