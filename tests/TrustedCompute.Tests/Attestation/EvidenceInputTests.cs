using System.Text.Json.Nodes;
using TrustedCompute.Attestation;
using TrustedCompute.Tests.IO;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Attestation;

/// <summary>Evidence JSON where the host controls every byte: duplicate or null members, endless and hanging files.</summary>
public sealed class EvidenceInputTests : IDisposable
{
    private readonly SoftQuote _soft = new();
    private readonly string _json;

    public EvidenceInputTests()
    {
        _json = _soft.Evidence(new Dictionary<(TpmAlgId, int), byte[]> { [(TpmAlgId.Sha256, 7)] = new byte[32] }).ToJson();
    }

    public void Dispose() => _soft.Dispose();

    /// <summary>The evidence JSON with one more member written into the object the path names ("" is the root).</summary>
    private string With(string path, string member)
    {
        var node = JsonNode.Parse(_json)!;
        foreach (var step in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
            node = int.TryParse(step, out int i) ? node[i]! : node[step]!;
        string inner = node.ToJsonString();
        string text = JsonNode.Parse(_json)!.ToJsonString();
        int at = text.IndexOf(inner, StringComparison.Ordinal);
        Assert.True(at >= 0);
        return text[..(at + 1)] + member + "," + text[(at + 1)..];
    }

    [Theory]
    [InlineData("", "\"hostName\": \"trusted-host\"")]
    [InlineData("", "\"quotes\": []")]
    [InlineData("", "\"nonce\": \"AAAA\"")]
    [InlineData("", "\"version\": 1")]
    [InlineData("quotes.0", "\"attest\": \"AAAA\"")]
    [InlineData("quotes.0", "\"signature\": \"AAAA\"")]
    [InlineData("pcrValues.0", "\"value\": \"AAAA\"")]
    [InlineData("pcrValues.0", "\"index\": 0")]
    [InlineData("", "\"HostName\": \"trusted-host\"")]
    [InlineData("", "\"host\\u004eame\": \"trusted-host\"")]
    [InlineData("", "\"hostName\\u0000\": \"x\"")]
    public void DuplicateOrCaseVariantMembersAreRejected(string path, string member)
    {
        string json = With(path, member);
        var e = Assert.Throws<InvalidDataException>(() => AttestationEvidence.FromJson(json));
        Assert.StartsWith("Evidence", e.Message);
    }

    [Fact]
    public void TheDuplicateIsNamedWithItsPath()
    {
        var e = Assert.Throws<InvalidDataException>(() => AttestationEvidence.FromJson(With("quotes.0", "\"attest\": \"AAAA\"")));
        Assert.Contains("quotes[0].attest", e.Message);
    }

    [Theory]
    [InlineData("hostName")]
    [InlineData("eventLog")]
    [InlineData("endorsementKeyCertificate")]
    [InlineData("attestationKeyName")]
    [InlineData("quotes.0.bank")]
    [InlineData("quotes.0.attest")]
    [InlineData("pcrValues.0.bank")]
    [InlineData("collectedAt")]
    public void NullMembersAreRejected(string path)
    {
        var node = JsonNode.Parse(_json)!;
        var steps = path.Split('.');
        var parent = node;
        foreach (var step in steps[..^1]) parent = int.TryParse(step, out int i) ? parent[i]! : parent[step]!;
        parent[steps[^1]] = null;
        var e = Assert.Throws<InvalidDataException>(() => AttestationEvidence.FromJson(node.ToJsonString()));
        Assert.StartsWith("Evidence", e.Message);
    }

    [Fact]
    public void MembersMatchByExactCaseOnly()
    {
        var node = JsonNode.Parse(_json)!.AsObject();
        var value = node["hostName"]!.DeepClone();
        node.Remove("hostName");
        node["HOSTNAME"] = value;
        Assert.Throws<InvalidDataException>(() => AttestationEvidence.FromJson(node.ToJsonString()));
    }

    [Fact]
    public void FilesWithAByteOrderMarkStillRead()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(_json)]);
            Assert.Equal(_json, AttestationEvidence.ReadFile(path).ToJson());
        }
        finally { File.Delete(path); }
    }

    [SkippableTheory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public void EndlessDevicesAreCutOffAtTheSizeLimit(string device)
    {
        Skip.IfNot(File.Exists(device), $"no {device}");
        var e = Deadline.Within(TimeSpan.FromSeconds(10), () => AttestationEvidence.ReadFile(device));
        Assert.Contains("limit", Assert.IsType<InvalidDataException>(e).Message);
    }

    [SkippableFact]
    public void AFifoWithoutAWriterTimesOut()
    {
        using var fifo = new Fifo();
        var e = Deadline.Within(TimeSpan.FromSeconds(10), () => AttestationEvidence.ReadFile(fifo.Path));
        Assert.Contains("within", Assert.IsAssignableFrom<IOException>(e).Message);
    }

    [SkippableFact]
    public void AFifoFedByAWriterReads()
    {
        using var fifo = new Fifo();
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, _json);
            fifo.Writer($"cat '{file}'");
            Assert.Equal(_json, AttestationEvidence.ReadFile(fifo.Path).ToJson());
        }
        finally { File.Delete(file); }
    }
}
