using System.Net;
using TrustedCompute.OpenStack;
using Xunit;

namespace TrustedCompute.Tests.OpenStack;

/// <summary>Planning a sync over a scripted Placement: anything not exactly Trusted-and-fresh ends without the trait.</summary>
public sealed class TrustedPoolPlanTests
{
    private const string Trait = "CUSTOM_TRUSTED_HOST";
    private static readonly Guid Root = Guid.Parse("11111111-0000-4000-8000-000000000001");
    private static readonly Guid Child = Guid.Parse("11111111-0000-4000-8000-000000000002");

    /// <summary>One compute node <c>node0</c> with a nested provider; <paramref name="inPool"/> carry the trait.</summary>
    private static FakeOpenStack Placement(params Guid[] inPool) => new((req, _) =>
    {
        var uri = req.RequestUri!;
        if (uri.AbsolutePath == "/traits/" + Trait) return FakeOpenStack.Reply(HttpStatusCode.NoContent, null);
        if (uri.AbsolutePath != "/resource_providers") return FakeOpenStack.Reply(HttpStatusCode.NotFound, null);
        var providers = new[]
        {
            $"{{\"uuid\":\"{Root}\",\"name\":\"node0.example\",\"generation\":1,\"parent_provider_uuid\":null,\"root_provider_uuid\":\"{Root}\"}}",
            $"{{\"uuid\":\"{Child}\",\"name\":\"node0.example_pci_0000_3b_00_0\",\"generation\":1,\"parent_provider_uuid\":\"{Root}\",\"root_provider_uuid\":\"{Root}\"}}",
        };
        bool filtered = uri.Query.Contains("required=" + Trait, StringComparison.Ordinal);
        var selected = providers.Where((_, i) => !filtered || inPool.Contains(i == 0 ? Root : Child));
        return FakeOpenStack.Reply(HttpStatusCode.OK, "{\"resource_providers\":[" + string.Join(',', selected) + "]}");
    });

    private static async Task<IReadOnlyList<TrustedPoolPlan>> Plan(FakeOpenStack fake, params TrustedPoolMember[] members)
    {
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), fake);
        var now = DateTimeOffset.UtcNow;
        return await new TrustedPoolSynchronizer(new PlacementClient(session)).PlanAsync(members, Trait, TimeSpan.FromHours(1), now);
    }

    [Fact]
    public async Task AnUndatedUntrustedResult_IsNotOutvotedByAnOlderTrustedOne()
    {
        var now = DateTimeOffset.UtcNow;
        var plans = await Plan(Placement(Root),
            new TrustedPoolMember("node0.example", "Trusted", now.AddMinutes(-5)),
            new TrustedPoolMember("node0", "Unknown", null));

        var plan = Assert.Single(plans, p => p.Provider?.Uuid == Root);
        Assert.NotEqual(TrustedPoolReason.Trusted, plan.Reason);
        Assert.Equal(TrustedPoolAction.Remove, plan.Action);
    }

    [Fact]
    public async Task AnUndatedUntrustedResult_KeepsAHostOutOfThePool()
    {
        var plans = await Plan(Placement(),
            new TrustedPoolMember("node0.example", "Trusted", DateTimeOffset.UtcNow),
            new TrustedPoolMember("node0.example", "Untrusted", null));

        var plan = Assert.Single(plans, p => p.Provider?.Uuid == Root);
        Assert.Equal(TrustedPoolAction.None, plan.Action);
        Assert.Equal(TrustedPoolReason.Untrusted, plan.Reason);
    }

    [Fact]
    public async Task ANestedProviderCarryingTheTrait_IsRemovedWhenItsHostIsNotTrusted()
    {
        var plans = await Plan(Placement(Root, Child), new TrustedPoolMember("node0.example", "Untrusted", DateTimeOffset.UtcNow));

        Assert.Equal(TrustedPoolAction.Remove, Assert.Single(plans, p => p.Provider?.Uuid == Root).Action);
        var child = Assert.Single(plans, p => p.Provider?.Uuid == Child);
        Assert.Equal((TrustedPoolReason.Absent, TrustedPoolAction.Remove), (child.Reason, child.Action));
    }

    [Fact]
    public async Task AResultForAnotherDomainsHost_DoesNotMapToAProviderWithTheSameShortName()
    {
        var plans = await Plan(Placement(), new TrustedPoolMember("node0.other.example", "Trusted", DateTimeOffset.UtcNow));

        var plan = Assert.Single(plans);
        Assert.Equal((TrustedPoolReason.NoProvider, TrustedPoolAction.None), (plan.Reason, plan.Action));
        Assert.Null(plan.Provider);
    }

    [Fact]
    public async Task AShortHostName_StillMapsToItsFullyQualifiedProvider()
    {
        var plans = await Plan(Placement(), new TrustedPoolMember("NODE0", "Trusted", DateTimeOffset.UtcNow));

        var plan = Assert.Single(plans);
        Assert.Equal((Root, TrustedPoolAction.Add), (plan.Provider?.Uuid, plan.Action));
    }
    [Fact]
    public async Task Removals_ComeBeforeAdditions_SoAnInterruptedSyncHasAlreadyRemovedTrust()
    {
        var fake = new FakeOpenStack((req, _) =>
        {
            var uri = req.RequestUri!;
            if (uri.AbsolutePath == "/traits/" + Trait) return FakeOpenStack.Reply(HttpStatusCode.NoContent, null);
            string Provider(int i) => $"{{\"uuid\":\"00000000-0000-4000-8000-00000000000{i}\",\"name\":\"node{i}\",\"generation\":1,\"parent_provider_uuid\":null}}";
            // node1 and node3 are in the pool
            var listed = uri.Query.Contains("required=", StringComparison.Ordinal) ? new[] { 1, 3 } : new[] { 0, 1, 2, 3 };
            return FakeOpenStack.Reply(HttpStatusCode.OK, "{\"resource_providers\":[" + string.Join(',', listed.Select(Provider)) + "]}");
        });
        var now = DateTimeOffset.UtcNow;
        var plans = await Plan(fake,
            new TrustedPoolMember("node0", "Trusted", now),
            new TrustedPoolMember("node1", "Untrusted", now),
            new TrustedPoolMember("node2", "Trusted", now));

        Assert.Equal(["node1:Remove", "node3:Remove", "node0:Add", "node2:Add"],
            plans.Where(p => p.Action != TrustedPoolAction.None).Select(p => $"{p.HostName}:{p.Action}"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task NoResults_PlanNothing_AndAskPlacementNothing(int blankNames)
    {
        var fake = Placement(Root, Child);
        var members = Enumerable.Repeat(new TrustedPoolMember("  ", "Trusted", DateTimeOffset.UtcNow), blankNames).ToArray();
        Assert.Empty(await Plan(fake, members));
        Assert.DoesNotContain(fake.Log, l => l.Contains("/resource_providers", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AResultForOneHost_StillRemovesThePoolHostsWithout()
    {
        var plans = await Plan(Placement(Root, Child), new TrustedPoolMember("node0.example", "Untrusted", DateTimeOffset.UtcNow));
        Assert.All(plans, p => Assert.Equal((TrustedPoolAction.Remove, true), (p.Action, p.InPool)));
        var check = TrustedPoolRemovalCheck.Of(plans, 25);
        Assert.Equal((2, 2, true, true), (check.PoolSize, check.Removals, check.RemovesAll, check.IsMassRemoval));
    }

    [Theory]
    [InlineData(8, 2, 25, false)] // exactly at the limit
    [InlineData(8, 3, 25, true)]
    [InlineData(8, 0, 0, false)]
    [InlineData(8, 1, 0, true)]
    [InlineData(1, 1, 100, true)] // every host: always a mass removal, whatever the limit
    [InlineData(0, 0, 25, false)]
    [InlineData(100, 99, 100, false)]
    public void RemovalCheck_FlagsEveryHostAndMoreThanTheShare(int pool, int removals, double limit, bool mass)
    {
        var provider = new ResourceProvider(Root, "n", 1, null, Root);
        var plans = Enumerable.Range(0, pool).Select(i => new TrustedPoolPlan("n" + i, provider, Trait, null, null,
            TrustedPoolReason.Untrusted, i < removals ? TrustedPoolAction.Remove : TrustedPoolAction.None, true)).ToList();
        plans.Add(new TrustedPoolPlan("outside", provider, Trait, "Trusted", null, TrustedPoolReason.Trusted, TrustedPoolAction.Add));
        var check = TrustedPoolRemovalCheck.Of(plans, limit);
        Assert.Equal((pool, removals, mass), (check.PoolSize, check.Removals, check.IsMassRemoval));
    }
}
