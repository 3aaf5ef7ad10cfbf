using TrustedCompute.OpenStack;
using Xunit;

namespace TrustedCompute.Tests.OpenStack;

/// <summary>
/// More than one page of flavors on the real Nova API (max_limit 1,000): 1,016 bulk flavors whose ids sort last, so
/// the one made trusted here is on the second page.
/// </summary>
[Collection(OpenStackCollection.Name)]
public sealed class FlavorPagingTests(OpenStackFixture cloud)
{
    private readonly CancellationToken _ct = new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token;
    private const string Trait = TrustedFlavorManager.DefaultTrait;
    private static readonly string LastName = $"{OpenStackFixture.BulkPrefix}-{OpenStackFixture.BulkCount - 1:00000}";

    [SkippableFact]
    public async Task MicroversionIsNegotiated_FromNovasVersionDocument()
    {
        cloud.Require();
        var (session, calls) = cloud.RecordedSession();
        using (session)
        {
            var nova = new NovaClient(session);
            Assert.Null(nova.Microversion);
            var versions = await session.GetServiceVersionsAsync("compute", _ct);
            Assert.Equal((new Microversion(2, 1), new Microversion(2, 93)), (versions.Min!.Value, versions.Max!.Value)); // Nova 26 (Zed)
            Assert.Equal("2.86", await nova.GetMicroversionAsync(_ct)); // the module's preferred one, below Nova's 2.93
            Assert.True(await nova.EmbedsExtraSpecsAsync(_ct));
            await new NovaClient(session).GetMicroversionAsync(_ct);
            Assert.Single(calls.Requests, r => r == "GET /v2.1/"); // read once per session
        }
    }

    [SkippableFact]
    public async Task TrustedFlavorOnTheSecondPage_IsFoundByName_AuditedAndChanged_WithoutOneRequestPerFlavor()
    {
        cloud.Require();
        cloud.EnsureBulkFlavors();
        var (session, calls) = cloud.RecordedSession();
        using var _ = session;
        var nova = new NovaClient(session);
        var manager = new TrustedFlavorManager(nova);

        var target = await nova.FindFlavorAsync(LastName, _ct); // not an id: found by name, in the paged list
        Assert.Equal($"{OpenStackFixture.BulkPrefix}-id-{OpenStackFixture.BulkCount - 1:00000}", target.Id);
        await manager.SetAsync(target, TrustedFlavorMode.Trait, Trait, TrustRequirement.Required, _ct);
        try
        {
            while (calls.Requests.TryDequeue(out string? _)) { }
            var all = await nova.ListFlavorsAsync(_ct);
            int listCalls = calls.Count("GET", "/v2.1/flavors/detail");
            Assert.True(all.Count > 1000, $"{all.Count} flavors: the bulk set is missing");
            Assert.Equal(all.Count / 1000 + 1, listCalls);
            Assert.True(all.Select(f => f.Id).ToList().IndexOf(target.Id) >= 1000, "the trusted flavor is not past the first page");
            Assert.Equal(all.Count, all.Select(f => f.Id).Distinct().Count());
            Assert.All(all, f => Assert.NotNull(f.ExtraSpecs));

            var audit = new List<TrustedFlavor>();
            foreach (var flavor in all) audit.Add(await manager.GetAsync(flavor, Trait, _ct));
            Assert.Equal(0, calls.Count("GET", "/v2.1/flavors/") - calls.Count("GET", "/v2.1/flavors/detail")); // no per-flavor reads
            var bulk = audit.Where(t => t.Name.StartsWith(OpenStackFixture.BulkPrefix + "-", StringComparison.Ordinal)).ToList();
            Assert.Equal(OpenStackFixture.BulkCount, bulk.Count);
            Assert.Equal([target.Id], bulk.Where(t => t.RequiresTrustedHost).Select(t => t.Id));
            Assert.Equal("required", bulk.Single(t => t.Id == target.Id).TraitValue);
        }
        finally
        {
            var removed = await manager.SetAsync(target, TrustedFlavorMode.Trait, Trait, TrustRequirement.Remove, _ct);
            Assert.Equal("None", removed.Mode);
        }
        var after = await nova.ListFlavorsAsync(_ct);
        Assert.DoesNotContain(after, f => f.Id == target.Id && f.ExtraSpecs!.ContainsKey(TrustedFlavorManager.TraitKey(Trait)));
        Assert.Equal("shared", after.Single(f => f.Id == target.Id).ExtraSpecs!["hw:cpu_policy"]); // other specs untouched
    }

    [SkippableFact]
    public async Task AtMicroversion21_ThePagesAreStillFollowed_AndSpecsReadPerFlavor()
    {
        cloud.Require();
        cloud.EnsureBulkFlavors();
        var (session, calls) = cloud.RecordedSession();
        using var _ = session;
        var nova = new NovaClient(session, "2.1");
        var all = await nova.ListFlavorsAsync(_ct);
        Assert.False(await nova.EmbedsExtraSpecsAsync(_ct));
        Assert.Contains(all, f => f.Name == LastName);
        Assert.All(all, f => Assert.Null(f.ExtraSpecs));
        var last = await new TrustedFlavorManager(nova).GetAsync(all.Single(f => f.Name == LastName), Trait, _ct);
        Assert.Equal("None", last.Mode);
        Assert.Equal(1, calls.Count("GET", $"/v2.1/flavors/{last.Id}/os-extra_specs"));
    }
}
