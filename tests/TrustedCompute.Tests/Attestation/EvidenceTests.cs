using System.Text.Json.Nodes;
using TrustedCompute.Attestation;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Attestation;

/// <summary>Evidence JSON: round trip, and malformed or hostile files are a clear error or an Untrusted verdict, never Trusted or a crash.</summary>
public sealed class EvidenceTests : IDisposable
{
    private readonly SoftQuote _soft = new();
    private readonly AttestationEvidence _evidence;

    public EvidenceTests()
    {
        _evidence = _soft.Evidence(new Dictionary<(TpmAlgId, int), byte[]>
        {
            [(TpmAlgId.Sha256, 0)] = new byte[32], [(TpmAlgId.Sha256, 7)] = Enumerable.Repeat((byte)7, 32).ToArray(),
            [(TpmAlgId.Sha1, 0)] = new byte[20],
        });
    }

    public void Dispose() => _soft.Dispose();

    [Fact]
    public void RoundTripKeepsEveryFieldAndTheDigest()
    {
        var back = AttestationEvidence.FromJson(_evidence.ToJson());
        Assert.Equal(_evidence.ToJson(), back.ToJson());
        Assert.Equal(_evidence.Digest(), back.Digest());
        Assert.Equal(2, back.Quotes.Length);
        Assert.Equal(AttestationVerdict.Trusted, _soft.Verify(back).Verdict);
        back.PcrValues[0].Value[0] ^= 1;
        Assert.NotEqual(_evidence.Digest(), back.Digest());
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{\"version\": 2}")]
    [InlineData("{\"version\": \"one\"}")]
    [InlineData("{\"version\": 1, \"nonce\": 5}")]
    [InlineData("{\"version\": 1, \"surprise\": true}")]
    [InlineData("{\"version\": 1, \"quotes\": []}")]
    [InlineData("{\"version\": 1, \"quotes\": [null]}")]
    [InlineData("{\"version\": 1, \"nonce\": \"!!notbase64\"}")]
    [InlineData("{\"version\": 1, \"quotes\": [{\"attest\": \"AAAA\"}], \"pcrValues\": [{\"bank\": null, \"value\": \"AA==\"}]}")]
    public void MalformedJsonIsAClearError(string json)
    {
        var e = Assert.Throws<InvalidDataException>(() => AttestationEvidence.FromJson(json));
        Assert.StartsWith("Evidence", e.Message);
    }

    [Fact]
    public void TruncatedJsonIsAClearError()
    {
        string json = _evidence.ToJson();
        for (int length = 0; length < json.Length; length += 37)
            Assert.Throws<InvalidDataException>(() => AttestationEvidence.FromJson(json[..length]));
    }

    [Fact]
    public void OversizedEvidenceIsRejectedBeforeParsing()
    {
        string path = Path.GetTempFileName();
        try
        {
            using (var f = File.OpenWrite(path)) f.SetLength(AttestationEvidence.MaxJsonSize + 1L);
            Assert.Contains("limit", Assert.Throws<InvalidDataException>(() => AttestationEvidence.ReadFile(path)).Message);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("attestationKeyPublic", "AAEC")]
    [InlineData("eventLog", "AAECAwQFBgcICQ==")]
    [InlineData("endorsementKeyPublic", "AAEC")]
    public void WellFormedJsonWithJunkBytesIsUntrustedWithAReason(string field, string base64)
    {
        var node = JsonNode.Parse(_evidence.ToJson())!;
        node[field] = base64;
        var evidence = AttestationEvidence.FromJson(node.ToJsonString());
        var result = _soft.Verify(evidence);
        Assert.NotEqual(AttestationVerdict.Trusted, result.Verdict);
        Assert.NotEmpty(result.Reasons);
    }

    [Fact]
    public void JunkQuotesAndPcrsGiveReasonsNotExceptions()
    {
        var random = new Random(5);
        for (int i = 0; i < 300; i++)
        {
            var e = AttestationEvidence.FromJson(_evidence.ToJson());
            var junk = new byte[random.Next(0, 300)];
            random.NextBytes(junk);
            switch (i % 4)
            {
                case 0: e.Quotes[0].Attest = junk; break;
                case 1: e.Quotes[1].Signature = junk; break;
                case 2: e.PcrValues[1].Value = junk; break;
                default: e.Quotes[0].Attest = [.. e.Quotes[0].Attest.Take(random.Next(e.Quotes[0].Attest.Length))]; break;
            }
            var result = _soft.Verify(e);
            Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
        }
        var weird = AttestationEvidence.FromJson(_evidence.ToJson());
        weird.PcrValues[0].Bank = "md5";
        weird.PcrValues[1].Index = 99;
        Assert.Contains(_soft.Verify(weird).Reasons, r => r.Id == ReasonIds.EvidenceFormat);
    }

    [Fact]
    public void UnsafeClockIsNotTrusted()
    {
        var e = _soft.Evidence(new Dictionary<(TpmAlgId, int), byte[]> { [(TpmAlgId.Sha256, 0)] = new byte[32] }, safe: false);
        var r = _soft.Verify(e);
        Assert.Equal((AttestationVerdict.Unknown, ReasonIds.ClockUnsafe), (r.Verdict, Assert.Single(r.Reasons).Id));
    }
}
