using System.Text.Json;
using TrustedCompute.Attestation;
using Xunit;

namespace TrustedCompute.Tests.PowerShell;

/// <summary>Results saved as JSON name their verdict and severities, and read back, old numeric files included.</summary>
public class SavedResultTests
{
    private static AttestationResult Result() =>
        AttestationResult.Failed("h", ReasonIds.CollectFailed, "no answer", ReasonSeverity.Indeterminate);

    [Fact]
    public void VerdictAndSeverityAreWrittenByName()
    {
        string json = JsonSerializer.Serialize(Result());
        Assert.Contains("\"Verdict\":\"Unknown\"", json);
        Assert.Contains("\"Severity\":\"Indeterminate\"", json);
        Assert.DoesNotContain("\"Verdict\":2", json);
    }

    [Theory]
    [InlineData("\"Untrusted\"", AttestationVerdict.Untrusted)]
    [InlineData("\"trusted\"", AttestationVerdict.Trusted)]
    [InlineData("1", AttestationVerdict.Untrusted)]
    public void VerdictsReadBackByNameOrNumber(string verdict, AttestationVerdict expected)
    {
        string json = $$"""{"HostName":"h","Verdict":{{verdict}},"Reasons":[]}""";
        Assert.Equal(expected, JsonSerializer.Deserialize<AttestationResult>(json)!.Verdict);
    }

    [Fact]
    public void AMadeUpVerdictNameIsAnError() =>
        Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize<AttestationResult>("""{"HostName":"h","Verdict":"Fine","Reasons":[]}"""));
}
