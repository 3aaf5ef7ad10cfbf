using System.Buffers.Binary;
using System.Security.Cryptography;
using TrustedCompute.Txt;
using Xunit;
using static TrustedCompute.Tests.Txt.LcpInputs;

namespace TrustedCompute.Tests.Txt;

/// <summary>Malformed input is rejected with an LcpFormatException naming the field; nothing else escapes.</summary>
public sealed class LcpMalformedTests
{
    private static readonly LcpElement[] AllElements =
    [
        new LcpMleElement { Legacy = true, HashAlgorithm = LcpHashAlgorithm.Sha1, Hashes = [Random(20, 1)] },
        new LcpMleElement { HashAlgorithm = LcpHashAlgorithm.Sha384, Hashes = [Random(48, 2), Random(48, 3)] },
        new LcpPconfElement { Legacy = true, PcrInfos = [LcpPcr.CreateLegacyPcrInfo(new Dictionary<int, byte[]> { [0] = Random(20, 4) })] },
        new LcpPconfElement { PcrInfos = [LcpPcr.CreatePcrInfo(LcpHashAlgorithm.Sha256, new Dictionary<int, byte[]> { [0] = Random(32, 5), [7] = Random(32, 6) })] },
        new LcpSbiosElement { FallbackHash = Random(32, 7), Hashes = [Random(32, 8)] },
        new LcpStmElement { HashAlgorithm = LcpHashAlgorithm.Sha1, Hashes = [Random(20, 9)] },
        new LcpCustomElement { Data = Random(9, 10) },
    ];

    private static readonly Lazy<string> Rsa = new(() => RsaPem(2048, out _));
    private static readonly Lazy<string> Ec = new(() => EcPem(ECCurve.NamedCurves.nistP256, out _));

    public static TheoryData<string> Structures => new() { "elements", "list100", "list200", "list200rsa", "list200ecdsa", "list300", "list300rsa", "list300ecdsa", "policy", "data" };

    private static (byte[] Bytes, Func<byte[], object> Parse)[] Make(string what)
    {
        LcpPolicyList List(ushort version, string? key)
        {
            var list = new LcpPolicyList { Version = version, Elements = version == 0x100 ? [.. AllElements.Take(1), AllElements[2]] : [.. AllElements.Skip(1)] };
            if (key is not null) LcpSigning.Sign(list, key);
            return list;
        }
        Func<byte[], object> list = b => LcpPolicyList.Parse(b);
        return what switch
        {
            "elements" => AllElements.Select(e => (e.ToBytes(), (Func<byte[], object>)LcpElement.Parse)).ToArray(),
            "list100" => [(List(0x100, null).ToBytes(), list)],
            "list200" => [(List(0x200, null).ToBytes(), list)],
            "list200rsa" => [(List(0x200, Rsa.Value).ToBytes(), list)],
            "list200ecdsa" => [(List(0x201, Ec.Value).ToBytes(), list)],
            "list300" => [(List(0x300, null).ToBytes(), list)],
            "list300rsa" => [(List(0x300, Rsa.Value).ToBytes(), list)],
            "list300ecdsa" => [(List(0x300, Ec.Value).ToBytes(), list)],
            "policy" => [(new LcpPolicy { HashAlgorithm = LcpHashAlgorithm.Sha384, PolicyHash = Random(48, 11) }.ToBytes(), b => LcpPolicy.Parse(b))],
            "data" => [(new LcpPolicyData { Lists = [List(0x300, Rsa.Value), List(0x200, null)] }.ToBytes(), b => LcpPolicyData.Parse(b))],
            _ => throw new ArgumentException(what),
        };
    }

    [Theory]
    [MemberData(nameof(Structures))]
    public void EveryTruncationAndAnyTrailingByteIsRejected(string what)
    {
        foreach (var (bytes, parse) in Make(what))
        {
            parse(bytes);
            for (int length = 0; length < bytes.Length; length++)
            {
                var e = Assert.Throws<LcpFormatException>(() => parse(bytes[..length]));
                Assert.False(string.IsNullOrEmpty(e.Field));
            }
            Assert.Throws<LcpFormatException>(() => parse([.. bytes, 0]));
        }
    }

    [Theory]
    [MemberData(nameof(Structures))]
    public void RandomCorruptionNeverEscapesAsAnotherException(string what)
    {
        var random = new Random(what.Length * 7919);
        foreach (var (bytes, parse) in Make(what))
        {
            for (int round = 0; round < 400; round++)
            {
                var copy = (byte[])bytes.Clone();
                for (int flips = random.Next(1, 4); flips > 0; flips--) copy[random.Next(copy.Length)] = (byte)random.Next(256);
                try
                {
                    if (parse(copy) is LcpPolicyList { IsSigned: true } list) LcpSigning.Verify(list);
                }
                catch (LcpFormatException)
                {
                }
                catch (NotSupportedException) when (copy.AsSpan().IndexOf((byte)0x1B) >= 0)
                {
                    // An SM2 scheme: parsed, but not verifiable here.
                }
            }
        }
    }

    [Fact]
    public void ElementSizePastTheEndNamesSize()
    {
        var bytes = AllElements[1].ToBytes();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 0xFFFFFFF0);
        Assert.Equal("Element.Size", Assert.Throws<LcpFormatException>(() => LcpElement.Parse(bytes)).Field);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 4);
        Assert.Contains("12-byte", Assert.Throws<LcpFormatException>(() => LcpElement.Parse(bytes)).Message);
    }

    [Fact]
    public void CountsThatOverflowNameTheirField()
    {
        var mle = AllElements[1].ToBytes();
        BinaryPrimitives.WriteUInt16LittleEndian(mle.AsSpan(16), 0xFFFF);
        Assert.Equal("Element.Mle2.Hashes", Assert.Throws<LcpFormatException>(() => LcpElement.Parse(mle)).Field);

        var pconf = AllElements[3].ToBytes();
        BinaryPrimitives.WriteUInt16LittleEndian(pconf.AsSpan(14), 0xFFFF);
        Assert.Equal("Element.Pconf2.NumPCRInfos", Assert.Throws<LcpFormatException>(() => LcpElement.Parse(pconf)).Field);

        var data = new LcpPolicyData { Lists = [new LcpPolicyList { Elements = [AllElements[1]] }] }.ToBytes();
        data[35] = 9;
        Assert.Equal("PolicyData.NumLists", Assert.Throws<LcpFormatException>(() => LcpPolicyData.Parse(data)).Field);
        data[35] = 2;
        Assert.StartsWith("PolicyData.Lists[1]", Assert.Throws<LcpFormatException>(() => LcpPolicyData.Parse(data)).Field);

        var list = new LcpPolicyList { Elements = [AllElements[1]] }.ToBytes();
        BinaryPrimitives.WriteUInt32LittleEndian(list.AsSpan(4), uint.MaxValue);
        Assert.Equal("List.PolicyElementsSize", Assert.Throws<LcpFormatException>(() => LcpPolicyList.Parse(list)).Field);
    }

    [Fact]
    public void WrongVersionsAreNamed()
    {
        var list = new LcpPolicyList { Elements = [AllElements[1]] }.ToBytes();
        BinaryPrimitives.WriteUInt16LittleEndian(list, 0x0400);
        Assert.Equal("List.Version", Assert.Throws<LcpFormatException>(() => LcpPolicyList.Parse(list)).Field);

        var policy = new LcpPolicy().ToBytes();
        BinaryPrimitives.WriteUInt16LittleEndian(policy, 0x0204);
        Assert.Equal("Policy.Version", Assert.Throws<LcpFormatException>(() => LcpPolicy.Parse(policy)).Field);

        var signed = new LcpPolicyList { Elements = [AllElements[1]] };
        LcpSigning.Sign(signed, Rsa.Value);
        var bytes = signed.ToBytes();
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2));
        bytes[offset] = 0x20;
        Assert.Equal("List.KeyAndSignature.Version", Assert.Throws<LcpFormatException>(() => LcpPolicyList.Parse(bytes)).Field);
        bytes[offset] = 0x10;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), (ushort)(offset + 1));
        Assert.Equal("List.KeySignatureOffset", Assert.Throws<LcpFormatException>(() => LcpPolicyList.Parse(bytes)).Field);
    }

    [Fact]
    public void NvContentsMayBeZeroPaddedButNothingElse()
    {
        var policy = new LcpPolicy().ToBytes();
        Assert.Equal(policy, LcpPolicy.ParseNv([.. policy, 0, 0, 0]).ToBytes());
        Assert.Equal("Policy.PolicyHash", Assert.Throws<LcpFormatException>(() => LcpPolicy.ParseNv([.. policy, 0, 1])).Field);
        for (int length = 0; length < policy.Length; length++) Assert.Throws<LcpFormatException>(() => LcpPolicy.ParseNv(policy[..length]));
    }

    [Fact]
    public void MalformedMleImagesAreRejected()
    {
        var image = MleImage.Build(seed: 3);
        MleHash.Compute(image, null, LcpHashAlgorithm.Sha256);
        for (int length = 0; length < image.Length; length += 7)
        {
            Assert.Throws<LcpFormatException>(() => MleHash.Compute(image[..length], null, LcpHashAlgorithm.Sha256));
        }
        var noHeader = (byte[])image.Clone();
        noHeader[0x140] ^= 1;
        Assert.Equal("Mle.MleHeader", Assert.Throws<LcpFormatException>(() => MleHash.Compute(noHeader, null, LcpHashAlgorithm.Sha256)).Field);
        Assert.Throws<LcpFormatException>(() => MleHash.Compute([0x1F, 0x8B, 8, 0, 1, 2, 3], null, LcpHashAlgorithm.Sha256));
        Assert.Throws<ArgumentException>(() => MleHash.Compute(image, new string('x', 0x80), LcpHashAlgorithm.Sha256));
    }

    [Fact]
    public void RevocationCounterOnlyMovesUp()
    {
        var list = new LcpPolicyList { Elements = [AllElements[1]] };
        LcpSigning.Sign(list, Rsa.Value, revocationCounter: 4);
        Assert.Throws<ArgumentException>(() => LcpSigning.Sign(list, Rsa.Value, revocationCounter: 3));
        Assert.Equal(4, list.Signature!.RevocationCounter);
        LcpSigning.Sign(list, Ec.Value);
        Assert.Equal(5, list.Signature!.RevocationCounter);
        Assert.True(LcpSigning.Verify(list));
        Assert.Throws<ArgumentException>(() => LcpSigning.Sign(list, RsaPem(2048, out var pub).Replace("PRIVATE", "PUBLIC")));
    }
}
