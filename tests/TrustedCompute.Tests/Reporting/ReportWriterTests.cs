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
                    HostName = "web1", Verdict = AttestationVerdict.Trusted, PolicyName = "web", PolicyVersion = 3, JudgedBy = "web v2", JudgedByOther = true,
                    History = [new HostHistoryEntry(DateTime.UnixEpoch, AttestationVerdict.Trusted, "", "web v2")],
                },
                new HostReport { HostName = "web2", Verdict = AttestationVerdict.Trusted, PolicyName = "web", PolicyVersion = 3, JudgedBy = "web v3" },
                new HostReport { HostName = "web3", Verdict = AttestationVerdict.Trusted, PolicyName = "web", PolicyVersion = 3, JudgedBy = "<b>x</b>", JudgedByOther = true },
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

    [Fact]
    public void The_report_tells_a_result_judged_by_other_rules_than_the_newest_version_by_digest_not_by_name()
    {
        string folder = Directory.CreateTempSubdirectory("tc-judged-").FullName;
        try
        {
            using var store = TrustedCompute.Store.AttestationStoreFactory.Open(Path.Combine(folder, "store.db"));
            var v1 = store.AddPolicy("web", "schemaVersion: 1\nname: web\n", "t");
            string Digest(string yaml) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(yaml))).ToLowerInvariant();
            foreach (var (name, label, digest) in new[]
            {
                ("current", "web v1", Digest(v1.Yaml)),
                ("given", "web v1", new string('0', 64)), // named like the newest version, other rules
                ("none", "", ""),
            })
            {
                store.AddHost(Tests.Store.StoreContractTests.Host(name, "ak-" + name, "web"));
                store.AddResult(new AttestationResult
                {
                    HostName = name, Verdict = AttestationVerdict.Trusted, Reasons = [], Time = DateTime.UtcNow, Policy = label, PolicyDigest = digest,
                });
            }
            var report = FleetReport.FromStore(store).Hosts.ToDictionary(h => h.HostName);
            Assert.False(report["current"].JudgedByOther);
            Assert.True(report["given"].JudgedByOther);
            Assert.False(report["none"].JudgedByOther);
            store.AddPolicy("web", "schemaVersion: 1\nname: web\ndescription: v2\n", "t");
            Assert.True(FleetReport.FromStore(store).Hosts.Single(h => h.HostName == "current").JudgedByOther);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
