using System.Text.Json;
using System.Text.Json.Nodes;
using TrustedCompute.OpenStack;
using Xunit;

namespace TrustedCompute.Tests.OpenStack;

/// <summary>
/// Isolation on the real Nova API and Placement: the aggregate's Placement members are the trusted pool, and the
/// allocation candidates Nova would ask for keep untrusted flavors off trusted hosts and trusted flavors on them.
/// </summary>
[Collection(OpenStackCollection.Name)]
public sealed class TrustedAggregateTests(OpenStackFixture cloud)
{
    private readonly CancellationToken _ct = new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token;

    private async Task<ResourceProvider> NodeWithInventory(PlacementClient placement)
    {
        var node = await placement.CreateProviderAsync(OpenStackFixture.UniqueName("tc-agg-node"), cancellationToken: _ct);
        var inventory = new JsonObject
        {
            ["resource_provider_generation"] = node.Generation,
            ["inventories"] = new JsonObject
            {
                ["VCPU"] = new JsonObject { ["total"] = 8 },
                ["MEMORY_MB"] = new JsonObject { ["total"] = 8192 },
            },
        };
        await cloud.Admin.SendAsync("placement", HttpMethod.Put, $"resource_providers/{node.Uuid}/inventories", inventory, "placement 1.20", _ct);
        return node;
    }

    /// <summary>The providers GET /allocation_candidates offers for one VCPU and 512 MB plus <paramref name="filter"/>.</summary>
    private async Task<HashSet<Guid>> Candidates(string filter)
    {
        var answer = await cloud.Admin.SendAsync("placement", HttpMethod.Get,
            "allocation_candidates?resources=VCPU:1,MEMORY_MB:512&" + filter, null, "placement 1.32", _ct);
        return answer.Body!.Value.GetProperty("provider_summaries").EnumerateObject().Select(p => Guid.Parse(p.Name)).ToHashSet();
    }

    [SkippableFact]
    public async Task TheAggregateFollowsThePool_AndCandidatesKeepUntrustedFlavorsOffTrustedHosts()
    {
        cloud.Require();
        var placement = new PlacementClient(cloud.Admin);
        var manager = new TrustedAggregateManager(cloud.Admin);
        string trait = OpenStackFixture.UniqueTrait(), name = OpenStackFixture.UniqueName("tc-trusted-agg");
        await placement.EnsureTraitAsync(trait, _ct);
        var trusted = await NodeWithInventory(placement);
        var untrusted = await NodeWithInventory(placement);
        HostAggregate? created = null;
        try
        {
            var now = DateTimeOffset.UtcNow;
            var sync = new TrustedPoolSynchronizer(placement);
            foreach (var plan in await sync.PlanAsync([new(trusted.Name, "Trusted", now), new(untrusted.Name, "Untrusted", now)],
                         trait, TimeSpan.FromHours(1), now, _ct))
                if (plan.Provider is not null) await sync.ApplyAsync(plan, _ct);

            var asked = new List<string>();
            var result = await manager.SyncAsync(name, trait, (target, action) => { asked.Add(action + " " + target); return true; }, _ct);
            created = (await manager.ListAggregatesAsync(_ct)).Single(a => a.Name == name);
            Assert.True(result.Created);
            Assert.True(result.Isolated);
            Assert.Equal("required", created.Metadata[TrustedFlavorManager.TraitKey(trait)]);
            Assert.Equal([trusted.Name], result.Members);
            Assert.Contains(asked, a => a.StartsWith("Add to the Placement aggregate", StringComparison.Ordinal) && a.Contains(trusted.Name));

            // what Nova asks for an untrusted flavor (isolation: not in the aggregate) and for a trusted one (the trait)
            var forUntrusted = await Candidates("member_of=!" + created.Uuid);
            var forTrusted = await Candidates("required=" + trait);
            Assert.Contains(untrusted.Uuid, forUntrusted);
            Assert.DoesNotContain(trusted.Uuid, forUntrusted);
            Assert.Equal([trusted.Uuid], forTrusted);

            // the host fails attestation: it leaves the pool, then the aggregate, and untrusted flavors may use it again
            foreach (var plan in await sync.PlanAsync([new(trusted.Name, "Untrusted", now), new(untrusted.Name, "Untrusted", now)],
                         trait, TimeSpan.FromHours(1), now, _ct))
                if (plan.Provider is not null) await sync.ApplyAsync(plan, _ct);
            var after = await manager.SyncAsync(name, trait, (_, _) => true, _ct);
            Assert.Empty(after.Members);
            Assert.Equal([trusted.Name], after.Removed);
            Assert.False(after.Created);
            Assert.Contains(trusted.Uuid, await Candidates("member_of=!" + created.Uuid));
            Assert.Empty(await Candidates("required=" + trait));

            // declined changes change nothing (-WhatIf)
            await sync.ApplyAsync((await sync.PlanAsync([new(trusted.Name, "Trusted", now)], trait, TimeSpan.FromHours(1), now, _ct))
                .Single(p => p.Provider?.Uuid == trusted.Uuid), _ct);
            var declined = await manager.SyncAsync(name, trait, (_, _) => false, _ct);
            Assert.Empty(declined.Added);
            Assert.Empty(await manager.ListMembersAsync(created.Uuid, _ct));
        }
        finally
        {
            if (created is not null) await manager.DeleteAggregateAsync(created.Id, _ct);
            await placement.DeleteProviderAsync(trusted.Uuid, _ct);
            await placement.DeleteProviderAsync(untrusted.Uuid, _ct);
            await placement.DeleteTraitAsync(trait, _ct);
        }
    }
}
