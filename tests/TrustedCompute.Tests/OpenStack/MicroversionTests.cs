using System.Net;
using System.Text.Json;
using TrustedCompute.OpenStack;
using Xunit;

namespace TrustedCompute.Tests.OpenStack;

/// <summary>Version documents, negotiation and flavor paging over a scripted Nova: the cases a real one will not show.</summary>
public sealed class MicroversionTests
{
    private const string NovaUrl = "https://nova.test/v2.1";

    [Theory]
    [InlineData("2.61", 2, 61)]
    [InlineData("2.100", 2, 100)]
    [InlineData("1.9", 1, 9)]
    public void Parse_ComparesAsNumbers(string text, int major, int minor)
    {
        Assert.Equal(new Microversion(major, minor), Microversion.Parse(text));
        Assert.True(Microversion.Parse("2.100") > Microversion.Parse("2.61")); // not text order
    }

    [Theory]
    [InlineData("")]
    [InlineData("2")]
    [InlineData("2.")]
    [InlineData("2.6.1")]
    [InlineData("-2.1")]
    [InlineData("2.x")]
    [InlineData("latest")]
    public void Parse_RejectsNonsense(string text) => Assert.False(Microversion.TryParse(text, out _));

    [Theory]
    [InlineData("""{"version":{"id":"v2.1","status":"CURRENT","version":"2.93","min_version":"2.1"}}""", "2.1", "2.93")]
    [InlineData("""{"versions":[{"id":"v1.0","max_version":"1.39","min_version":"1.0","status":"CURRENT"}]}""", "1.0", "1.39")]
    [InlineData("""{"versions":[{"id":"v2.0","status":"SUPPORTED","version":"","min_version":""},{"id":"v2.1","status":"CURRENT","version":"2.60","min_version":"2.1"}]}""", "2.1", "2.60")]
    [InlineData("""{"version":{"id":"v2.0","status":"SUPPORTED","version":"","min_version":""}}""", null, null)]
    public void VersionDocuments_AreRead(string json, string? min, string? max)
    {
        var versions = ServiceVersions.Read("compute", JsonDocument.Parse(json).RootElement);
        Assert.Equal((min, max), (versions.Min?.ToString(), versions.Max?.ToString()));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"error":{"message":"not found"}}""")]
    [InlineData("""{"versions":[]}""")]
    public void NotAVersionDocument_IsAClearError(string json)
    {
        var ex = Assert.Throws<OpenStackException>(() => ServiceVersions.Read("placement", JsonDocument.Parse(json).RootElement));
        Assert.Contains("placement", ex.Message);
    }

    [Fact]
    public void Require_NamesTheVersionsOnBothSides()
    {
        var versions = new ServiceVersions("placement", new Microversion(1, 0), new Microversion(1, 17));
        versions.Require(new Microversion(1, 6), "Reading traits");
        var ex = Assert.Throws<OpenStackException>(() => versions.Require(new Microversion(1, 18), "Listing the pool"));
        Assert.Equal("Listing the pool needs placement microversion 1.18, but the placement service offers 1.0 to 1.17.", ex.Message);
        Assert.Equal(new Microversion(1, 17), versions.Negotiate(new Microversion(1, 39)));
        Assert.Null(new ServiceVersions("compute", null, null).Negotiate(new Microversion(2, 86)));
    }

    /// <summary>A Nova that offers up to <paramref name="max"/>, with three flavors in pages of <paramref name="pageSize"/>.</summary>
    private static FakeOpenStack Nova(string max, int pageSize, List<string> sent, bool stuck = false) => new((req, _) =>
    {
        var uri = req.RequestUri!;
        sent.Add($"{req.Method} {uri.PathAndQuery} {string.Join(",", req.Headers.TryGetValues("OpenStack-API-Version", out var v) ? v : [])}");
        if (uri.AbsolutePath == "/v2.1/")
            return FakeOpenStack.Reply(HttpStatusCode.OK, "{\"version\":{\"id\":\"v2.1\",\"status\":\"CURRENT\",\"version\":\"" + max + "\",\"min_version\":\"2.1\"}}");
        if (uri.AbsolutePath == "/v2.1/flavors/detail")
        {
            var ids = new[] { "a", "b", "c" };
            string? marker = System.Web.HttpUtility.ParseQueryString(uri.Query)["marker"];
            int start = stuck || marker is null ? 0 : Array.IndexOf(ids, marker) + 1;
            var page = ids.Skip(start).Take(pageSize).ToList();
            bool embed = Microversion.Parse(max) >= new Microversion(2, 61);
            string flavors = string.Join(',', page.Select(id => $$"""{"id":"{{id}}","name":"f-{{id}}","vcpus":1,"ram":512,"disk":1""" +
                (embed ? ",\"extra_specs\":{\"trait:CUSTOM_TRUSTED_HOST\":\"required\"}}" : "}")));
            string links = start + pageSize < ids.Length || stuck
                ? $$""","flavors_links":[{"rel":"next","href":"https://elsewhere.test/v2.1/flavors/detail?marker={{page[^1]}}"}]""" : "";
            return FakeOpenStack.Reply(HttpStatusCode.OK, "{\"flavors\":[" + flavors + "]" + links + "}");
        }
        if (uri.AbsolutePath.EndsWith("/os-extra_specs", StringComparison.Ordinal))
            return FakeOpenStack.Reply(HttpStatusCode.OK, """{"extra_specs":{}}""");
        return FakeOpenStack.Reply(HttpStatusCode.NotFound, null);
    });

    private static OpenStackSession Session(FakeOpenStack fake)
    {
        var cloud = FakeOpenStack.Cloud();
        cloud.EndpointOverrides["compute"] = new Uri(NovaUrl);
        return new OpenStackSession(cloud, fake);
    }

    [Theory]
    [InlineData("2.93", "2.86", true)]
    [InlineData("2.61", "2.61", true)]
    [InlineData("2.60", "2.60", false)]
    public async Task Negotiates_TheHighestBothKnow_AndEmbedsSpecsFrom261(string max, string expected, bool embedded)
    {
        var sent = new List<string>();
        using var session = Session(Nova(max, 2, sent));
        var nova = new NovaClient(session);
        var flavors = await nova.ListFlavorsAsync();
        Assert.Equal(["a", "b", "c"], flavors.Select(f => f.Id));
        Assert.Equal(embedded, flavors.All(f => f.ExtraSpecs is not null));
        Assert.All(sent.Where(s => s.Contains("/flavors/", StringComparison.Ordinal)), s => Assert.EndsWith("compute " + expected, s));
        // the next page is asked of our endpoint with the last id as marker, never of the host in the link
        Assert.Contains(sent, s => s.StartsWith("GET /v2.1/flavors/detail?is_public=None&marker=b ", StringComparison.Ordinal));
        Assert.Equal(2, sent.Count(s => s.Contains("/flavors/detail", StringComparison.Ordinal)));

        var trusted = await new TrustedFlavorManager(nova).GetAsync(flavors[0], "CUSTOM_TRUSTED_HOST");
        Assert.Equal(embedded ? "required" : null, trusted.TraitValue);
        Assert.Equal(embedded ? 0 : 1, sent.Count(s => s.Contains("os-extra_specs", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task APageThatRepeats_IsAnErrorNotAnEndlessLoop()
    {
        using var session = Session(Nova("2.86", 2, [], stuck: true));
        var ex = await Assert.ThrowsAsync<OpenStackException>(() => new NovaClient(session).ListFlavorsAsync());
        Assert.Contains("twice while paging", ex.Message);
    }

    [Fact]
    public async Task AFailedCall_SaysWhichMicroversionItWasSentWith()
    {
        var fake = new FakeOpenStack((req, _) => req.RequestUri!.AbsolutePath == "/v2.1/"
            ? FakeOpenStack.Reply(HttpStatusCode.OK, """{"version":{"id":"v2.1","status":"CURRENT","version":"2.70","min_version":"2.1"}}""")
            : FakeOpenStack.Reply(HttpStatusCode.BadRequest, """{"badRequest":{"code":400,"message":"Invalid input"}}"""));
        using var session = Session(fake);
        var ex = await Assert.ThrowsAsync<OpenStackException>(() => new NovaClient(session).GetExtraSpecsAsync("x"));
        Assert.Equal("compute 2.70", ex.Microversion);
        Assert.Contains("compute GET /v2.1/flavors/x/os-extra_specs (at compute 2.70) failed: 400", ex.Message);
    }
}
