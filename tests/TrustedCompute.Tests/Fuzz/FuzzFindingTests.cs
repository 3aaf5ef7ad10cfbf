using System.Text;
using TrustedCompute.Attestation;
using TrustedCompute.Fuzz;
using TrustedCompute.Tpm;
using TrustedCompute.Tpm.Transport;
using TrustedCompute.Txt;
using Xunit;

namespace TrustedCompute.Tests.Fuzz;

/// <summary>What each crash the fuzzer found must give now, beyond "no undocumented exception".</summary>
public sealed class FuzzFindingTests
{
    [Theory]
    [InlineData((ushort)TpmAlgId.Null)]
    [InlineData((ushort)TpmAlgId.Sm3_256)]
    public void EvidenceWhoseKeyNameCannotBeComputedIsUntrustedWithAKeyReason(ushort nameAlg)
    {
        var evidence = FuzzSamples.Evidence(null, TpmAlgId.Sha256);
        var options = new VerificationOptions
        {
            ExpectedAttestationKey = FuzzSamples.AttestationKey,
            ExpectedNonce = FuzzSamples.Nonce,
            HostName = FuzzSamples.HostName,
        };
        Assert.NotEqual(AttestationVerdict.Untrusted, QuoteVerifier.Verify(evidence, options).Verdict);
        evidence.AttestationKeyPublic[4] = (byte)(nameAlg >> 8);
        evidence.AttestationKeyPublic[5] = (byte)nameAlg;
        var result = QuoteVerifier.Verify(AttestationEvidence.FromJson(evidence.ToJson()), options);
        Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
        var reason = Assert.Single(result.Reasons, r => r.Id == ReasonIds.QuoteKey);
        Assert.Equal("", reason.Actual);
    }

    [Fact]
    public void EvidenceThatIsNotUtf8IsInvalidData()
    {
        byte[] json = Encoding.UTF8.GetBytes(FuzzSamples.Evidence().ToJson());
        int at = Array.IndexOf(json, (byte)'"') + 1;
        json[at] = 0x8F;
        Assert.Contains("UTF-8", Assert.Throws<InvalidDataException>(() => AttestationEvidence.FromJson(json)).Message);
    }

    [Fact]
    public void ATpmListingAPropertyTwiceIsAProtocolError()
    {
        var w = new TpmWriter().UInt16((ushort)TpmSt.NoSessions).UInt32(0).UInt32(0)
            .Byte(0).UInt32((uint)TpmCap.TpmProperties).UInt32(2)
            .UInt32(TpmPt.Manufacturer).UInt32(1).UInt32(TpmPt.Manufacturer).UInt32(2);
        w.PatchUInt32(2, (uint)w.Length);
        using var tpm = new TpmClient(new OneResponse(w.ToArray()));
        var e = Assert.Throws<TpmProtocolException>(() => TpmOperations.GetDeviceInfo(tpm));
        Assert.Contains("twice", e.Message);
    }

    [Fact]
    public void AVersion100ListWithAModernElementIsRejectedWhenRead()
    {
        var modern = new LcpMleElement { Hashes = [new byte[32]] }.ToBytes();
        var legacy = new LcpPolicyList { Version = LcpPolicyList.Version100, Elements = [new LcpMleElement
            { Legacy = true, HashAlgorithm = LcpHashAlgorithm.Sha1, Hashes = [new byte[20]] }] }.ToBytes();
        // Version, reserved, sigAlg, elements size, elements: put the MLE2 element where the legacy one was.
        byte[] bytes = [.. legacy[..4], .. BitConverter.GetBytes(modern.Length), .. modern];
        var e = Assert.Throws<LcpFormatException>(() => LcpPolicyList.Parse(bytes));
        Assert.Equal("List.Elements", e.Field);
    }

    [Fact]
    public void APconf2DigestOfTheWrongSizeIsRejectedWhenRead()
    {
        var element = new LcpPconfElement { PcrInfos = [LcpPcr.CreatePcrInfo(LcpHashAlgorithm.Sha256, new Dictionary<int, byte[]>
            { [0] = new byte[32] })] };
        byte[] bytes = element.ToBytes();
        Assert.IsType<LcpPconfElement>(LcpElement.Parse(bytes));
        // The digest size field sits 2 + 32 bytes before the end; make it 48 with 48 bytes behind it.
        byte[] longer = [.. bytes[..^34], 0, 48, .. new byte[48]];
        BitConverter.GetBytes(BitConverter.ToUInt32(longer, 0) + 16).CopyTo(longer, 0);
        var e = Assert.Throws<LcpFormatException>(() => LcpElement.Parse(longer));
        Assert.Contains("PcrDigest.Size", e.Field);
    }

    private sealed class OneResponse(byte[] response) : ITpmTransport
    {
        public string Description => "one response";
        public byte[] Transmit(ReadOnlySpan<byte> command, CancellationToken cancellationToken) => response;
        public void Dispose() { }
    }
}
