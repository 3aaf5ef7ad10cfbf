using TrustedCompute.Attestation;
using TrustedCompute.Reporting;
using Xunit;

namespace TrustedCompute.Tests.Reporting;

public sealed class ReportWriterTests
{
    [Theory]
    [InlineData("<script>", "&lt;script&gt;")]
    [InlineData("a\"b'c`d&e", "a&quot;b&#39;c&#96;d&amp;e")]
    [InlineData("nul\u0000esc\u001b", "nul\uFFFDesc\uFFFD")]
    [InlineData("emoji \ud83d\ude00 stays", "emoji \ud83d\ude00 stays")]
    public void HtmlEncodingLeavesNoMarkupAndNoControlCharacters(string text, string encoded) =>
        Assert.Equal(encoded, ReportWriter.E(text));

    [Fact]
    public void ABrokenSurrogateBecomesOneReplacementCharacter() =>
        Assert.Equal("broken\uFFFDsurrogate", ReportWriter.E("broken" + '\ud800' + "surrogate"));

    [Fact]
    public void CsvCellsAreQuotedAndFormulasAreMadeText()
    {
        var report = new FleetReport
        {
            GeneratedAt = DateTime.UnixEpoch, StoreLocation = "sqlite:x", Trend = [],
            Hosts =
            [
                new HostReport { HostName = "=HYPERLINK(\"http://evil\",\"x\")", Verdict = AttestationVerdict.Untrusted, Reasons = ["a \"quoted\" reason", "@SUM(1)"] },
                new HostReport { HostName = "plain,name\r\nsecond line" },
            ],
        };
        var w = new StringWriter();
        ReportWriter.WriteCsv(report, w);
        var lines = w.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("HostName,Verdict,LastAttested,PolicyName,PolicyVersion,TpmManufacturer,TpmModel,Reasons,Changes", lines[0]);
        Assert.StartsWith("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",\"Untrusted\"", lines[1]);
        Assert.Contains("\"a \"\"quoted\"\" reason | @SUM(1)\"", lines[1]);
        Assert.StartsWith("\"plain,name\uFFFD\uFFFDsecond line\",\"NotAttested\"", lines[2]);
    }

    [Fact]
    public void A_host_judged_by_an_older_policy_version_says_so_and_its_history_names_each_version()
    {
        var report = new FleetReport
        {
            GeneratedAt = DateTime.UnixEpoch, StoreLocation = "sqlite:x", Trend = [],
            Hosts =
            [
                new HostReport
                {
                    HostName = "web1", Verdict = AttestationVerdict.Trusted, PolicyName = "web", PolicyVersion = 3, JudgedBy = "web v2",
                    History = [new HostHistoryEntry(DateTime.UnixEpoch, AttestationVerdict.Trusted, "", "web v2")],
                },
                new HostReport { HostName = "web2", Verdict = AttestationVerdict.Trusted, PolicyName = "web", PolicyVersion = 3, JudgedBy = "web v3" },
                new HostReport { HostName = "web3", Verdict = AttestationVerdict.Trusted, PolicyName = "web", PolicyVersion = 3, JudgedBy = "<b>x</b>" },
            ],
        };
        var w = new StringWriter();
        ReportWriter.WriteHtml(report, w);
        string html = w.ToString();
        Assert.Equal(2, html.Split("(judged by ").Length - 1); // web1 and web3, not web2
        Assert.Contains("(judged by web v2)", html);
        Assert.Contains("by web v2", html[html.IndexOf("class=\"history\"", StringComparison.Ordinal)..]);
        Assert.DoesNotContain("<b>x</b>", html);
        Assert.Contains("(judged by &lt;b&gt;x&lt;/b&gt;)", html);
    }
}
