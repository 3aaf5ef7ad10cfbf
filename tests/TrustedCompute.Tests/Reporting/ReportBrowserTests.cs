using System.Diagnostics;
using System.Text.RegularExpressions;
using TrustedCompute.Reporting;
using TrustedCompute.Tests.Env;
using Xunit;
using Xunit.Abstractions;

namespace TrustedCompute.Tests.Reporting;

/// <summary>The HTML report as Debian's headless Chromium renders it: counts, rows, drill-down, filters; payloads stay text.</summary>
public sealed class ReportBrowserTests(ITestOutputHelper output)
{
    /// <summary>Where the last screenshot is kept, to be looked at.</summary>
    public static readonly string ScreenshotPath = Path.Combine(Path.GetTempPath(), "trustedcompute-report.png");
    public static readonly string DrillDownScreenshotPath = Path.Combine(Path.GetTempPath(), "trustedcompute-report-untrusted.png");

    private static string Chromium() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new SkipException("chromium is not installed (apt-get install -y chromium)");

    private static string RunChromium(string profile, params string[] args)
    {
        var info = new ProcessStartInfo(Chromium()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", $"--user-data-dir={profile}", .. args])
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(90_000)) { p.Kill(entireProcessTree: true); throw new TimeoutException("chromium did not finish in 90 s"); }
        return stdout.Result;
    }

    private static FleetReport Write(ReportTestFleet fleet, string path)
    {
        var report = FleetReport.FromStore(fleet.Store, now: new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc));
        using var w = new StreamWriter(path);
        ReportWriter.WriteHtml(report, w);
        return report;
    }

    [SkippableFact]
    public void TheReportRendersCountsRowsAndDrillDownAndRunsNoHostSuppliedScript()
    {
        string chromium = Chromium();
        using var fleet = new ReportTestFleet();
        string html = fleet.PathOf("report.html");
        var report = Write(fleet, html);
        Assert.Equal(5, report.Hosts.Count);
        string dom = RunChromium(fleet.PathOf("profile"), "--dump-dom", new Uri(html).AbsoluteUri);
        Assert.Contains("</html>", dom);

        // Our own script ran (its CSP hash is right): it counted the rows it shows.
        Assert.Contains("<span id=\"shown\">5 shown</span>", dom);
        // Nothing the hosts wrote ran or became markup.
        Assert.Contains("<title>TrustedCompute fleet report</title>", dom);
        Assert.DoesNotMatch(new Regex("<body[^>]*data-pwned"), dom);
        Assert.Single(Regex.Matches(dom, "<script[\\s>]"));
        Assert.Empty(Regex.Matches(dom, "<img[\\s>]"));
        Assert.DoesNotMatch(new Regex("<[^>]+\\s(onload|onerror)="), dom);
        Assert.Contains("&lt;script&gt;document.title='pwned'", dom);
        Assert.Contains("x\" onload=\"document.body.setAttribute", dom);
        Assert.Contains("&lt;img src=x onerror=", dom);

        Assert.Matches("id=\"count-Trusted\"[^>]*data-count=\"2\"", dom);
        Assert.Matches("id=\"count-Untrusted\"[^>]*data-count=\"1\"", dom);
        Assert.Matches("id=\"count-Unknown\"[^>]*data-count=\"1\"", dom);
        Assert.Matches("id=\"count-NotAttested\"[^>]*data-count=\"1\"", dom);
        Assert.Equal(5, Regex.Matches(dom, "<tr class=\"host\"").Count);
        Assert.Equal(3, Regex.Matches(dom, "<rect class=\"bar\"").Count);
        Assert.True(Regex.Matches(dom, "<rect class=\"day\"").Count >= 2);

        // The Untrusted host's drill-down: its history, the PCR difference and the changed command line.
        var untrusted = Regex.Match(dom, "<tr class=\"detail\" id=\"(host-\\d+)-detail\"><td colspan=\"6\"><details><summary>Details of x\" onload.*?</details>",
            RegexOptions.Singleline);
        Assert.True(untrusted.Success, "the Untrusted host has a drill-down");
        Assert.Equal(2, Regex.Matches(untrusted.Value, "<li><span class=\"v ").Count);
        Assert.Matches("<table class=\"pcr-diff\">.*<td>8</td><td>sha256</td>", untrusted.Value);
        var change = Regex.Match(untrusted.Value, "<tr class=\"change Changed\">.*?</tr>", RegexOptions.Singleline);
        Assert.True(change.Success, "the drill-down shows the changed event");
        Assert.Contains("kernel command line", change.Value);
        Assert.Contains("&lt;script&gt;document.body.setAttribute('data-pwned','4')&lt;/script&gt;\"onload=\"alert(1)", change.Value);
        Assert.Single(Regex.Matches(dom, "<tr class=\"change "));

        RunChromium(fleet.PathOf("profile"), $"--screenshot={ScreenshotPath}", "--window-size=1280,1100", new Uri(html).AbsoluteUri);
        RunChromium(fleet.PathOf("profile"), $"--screenshot={DrillDownScreenshotPath}", "--window-size=1280,1100",
            new Uri(html).AbsoluteUri + "#verdict=Untrusted&open");
        Assert.True(new FileInfo(DrillDownScreenshotPath).Length > 20_000);
        var png = File.ReadAllBytes(ScreenshotPath);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.True(png.Length > 20_000, $"the screenshot is {png.Length} bytes: blank?");
        output.WriteLine($"screenshot: {ScreenshotPath} ({png.Length} bytes) via {chromium}");
    }

    [SkippableFact]
    public void TheVerdictFilterHidesTheOtherHostsInTheBrowser()
    {
        Chromium();
        using var fleet = new ReportTestFleet();
        string html = fleet.PathOf("report.html");
        Write(fleet, html);
        string dom = RunChromium(fleet.PathOf("profile"), "--dump-dom", new Uri(html).AbsoluteUri + "#verdict=Trusted");
        Assert.Contains("<span id=\"shown\">2 shown</span>", dom);
        Assert.Equal(3, Regex.Matches(dom, "<tr class=\"host\"[^>]*hidden").Count);
        Assert.Equal(2, Regex.Matches(dom, "<tr class=\"host\"[^>]*data-verdict=\"Trusted\"(?![^>]*hidden)").Count);
        Assert.DoesNotContain("<details open", dom);
        string opened = RunChromium(fleet.PathOf("profile"), "--dump-dom", new Uri(html).AbsoluteUri + "#open");
        Assert.Equal(5, Regex.Matches(opened, "<details open").Count);
    }
}
