using System.Net;
using System.Text.Json.Nodes;
using TrustedCompute.OpenStack;
using Xunit;

namespace TrustedCompute.Tests.OpenStack;

/// <summary>Core clients against the real Keystone, Nova API and Placement of tests/env/openstack.sh.</summary>
[Collection(OpenStackCollection.Name)]
public sealed class OpenStackIntegrationTests(OpenStackFixture cloud)
{
    private readonly CancellationToken _ct = new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token;

    [SkippableFact]
    public async Task PasswordAuth_GivesScopedTokenAndCatalog_AndReusesTheToken()
    {
        cloud.Require();
        using var session = new OpenStackSession(cloud.NewCloud());
        string first = await session.GetTokenAsync(_ct);
        string second = await session.GetTokenAsync(_ct);

        Assert.Equal(first, second);
        Assert.Equal(1, session.AuthenticationCount);
        Assert.Equal("admin", session.ProjectName);
        Assert.Contains("admin", session.Roles);
        Assert.True(session.TokenExpiresAt > DateTimeOffset.UtcNow);
        Assert.Equal(new Uri(cloud.Environment["OS_COMPUTE_URL"]!), session.GetEndpoint("compute"));
        Assert.Equal(new Uri(cloud.Environment["OS_PLACEMENT_URL"]!), session.GetEndpoint("placement"));
    }

    [SkippableFact]
    public async Task Catalog_IsFilteredByRegionAndInterface()
    {
        cloud.Require();
        using var elsewhere = new OpenStackSession(cloud.NewCloud(env => env["OS_REGION_NAME"] = "NoSuchRegion"));
        await elsewhere.GetTokenAsync(_ct);
        var ex = Assert.Throws<OpenStackException>(() => elsewhere.GetEndpoint("placement"));
        Assert.Contains("NoSuchRegion", ex.Message);

        using var internalSession = new OpenStackSession(cloud.NewCloud(env => env["OS_INTERFACE"] = "internalURL"));
        await internalSession.GetTokenAsync(_ct);
        Assert.Contains(internalSession.Catalog, e => e.ServiceType == "placement" && e.Interface == "internal"
                                                      && e.Url == internalSession.GetEndpoint("placement"));
    }

    [SkippableFact]
    public async Task ProjectIdAndDomainScopes()
    {
        cloud.Require();
        await cloud.Admin.GetTokenAsync(_ct);
        using (var byId = new OpenStackSession(cloud.NewCloud(env =>
               {
                   env.Remove("OS_PROJECT_NAME");
                   env["OS_PROJECT_ID"] = cloud.Admin.ProjectId;
               })))
        {
            await byId.GetTokenAsync(_ct);
            Assert.Equal(("admin", cloud.Admin.ProjectId), (byId.ProjectName, byId.ProjectId));
        }

        // a domain-scoped token needs a role on the domain
        var roles = await cloud.Admin.SendAsync("identity", HttpMethod.Get, "roles?name=admin", null, null, _ct);
        string roleId = roles.Body!.Value.GetProperty("roles")[0].GetProperty("id").GetString()!;
        await cloud.Admin.SendAsync("identity", HttpMethod.Put, $"domains/default/users/{cloud.Admin.UserId}/roles/{roleId}", null, null, _ct);
        using var domain = new OpenStackSession(cloud.NewCloud(env =>
        {
            env.Remove("OS_PROJECT_NAME");
            env["OS_DOMAIN_NAME"] = "Default";
        }));
        await domain.GetTokenAsync(_ct);
        Assert.Equal("Default", domain.DomainName);
        Assert.Null(domain.ProjectName);
    }

    [SkippableFact]
    public async Task WrongPassword_IsAnAuthenticationError_WithoutTheSecret()
    {
        cloud.Require();
        const string wrong = "Wrong-Password-7f3a91c2";
        using var session = new OpenStackSession(cloud.NewCloud(env => env["OS_PASSWORD"] = wrong));
        var ex = await Assert.ThrowsAsync<OpenStackAuthenticationException>(() => session.GetTokenAsync(_ct));
        Assert.DoesNotContain(wrong, ex.ToString());
        Assert.DoesNotContain(cloud.Environment["OS_PASSWORD"]!, ex.ToString());
        Assert.Contains("admin", ex.Message);
        Assert.Equal(0, session.AuthenticationCount);
    }

    [SkippableFact]
    public async Task ApplicationCredential_AuthenticatesScopedToItsProject()
    {
        cloud.Require();
        await cloud.Admin.GetTokenAsync(_ct);
        string name = OpenStackFixture.UniqueName("tc-appcred");
        var created = await cloud.Admin.SendAsync("identity", HttpMethod.Post, $"users/{cloud.Admin.UserId}/application_credentials",
            new JsonObject { ["application_credential"] = new JsonObject { ["name"] = name } }, null, _ct);
        var credential = created.Body!.Value.GetProperty("application_credential");
        string id = credential.GetProperty("id").GetString()!, secret = credential.GetProperty("secret").GetString()!;
        try
        {
            using var session = new OpenStackSession(cloud.NewCloud(env =>
            {
                foreach (var key in env.Keys.Where(k => k is "OS_USERNAME" or "OS_PASSWORD" or "OS_PROJECT_NAME").ToList()) env.Remove(key);
                env["OS_AUTH_TYPE"] = "v3applicationcredential";
                env["OS_APPLICATION_CREDENTIAL_ID"] = id;
                env["OS_APPLICATION_CREDENTIAL_SECRET"] = secret;
            }));
            await session.GetTokenAsync(_ct);
            Assert.Equal("admin", session.ProjectName);
            // the settings name no project: the scope shown is the one Keystone gave the credential
            Assert.Equal("project admin in domain Default", session.Scope);
            Assert.Equal(name, session.ApplicationCredential);
            Assert.Contains($"application credential {name} on project admin", session.ToString());
            Assert.DoesNotContain(secret, session.ToString());
            Assert.NotNull(await new PlacementClient(session).ListProvidersAsync(cancellationToken: _ct));

            // by name: Keystone needs the owning user too
            using var byName = new OpenStackSession(cloud.NewCloud(env =>
            {
                env.Remove("OS_PASSWORD");
                env.Remove("OS_PROJECT_NAME");
                env["OS_APPLICATION_CREDENTIAL_NAME"] = name;
                env["OS_APPLICATION_CREDENTIAL_SECRET"] = secret;
            }));
            Assert.Equal(OpenStackCloud.ApplicationCredentialAuth, byName.Cloud.AuthType);
            await byName.GetTokenAsync(_ct);
            Assert.Equal("admin", byName.ProjectName);
        }
        finally
        {
            await cloud.Admin.SendAsync("identity", HttpMethod.Delete, $"users/{cloud.Admin.UserId}/application_credentials/{id}", null, null, _ct);
        }
    }

    [SkippableTheory]
    [InlineData("2.1")]
    [InlineData("2.86")]
    public async Task TrustedFlavor_AllModes_AtMicroversion(string microversion)
    {
        cloud.Require();
        var nova = new NovaClient(cloud.Admin, microversion);
        var flavor = await nova.CreateFlavorAsync(OpenStackFixture.UniqueName("tc-flavor"), 512, 1, 1, cancellationToken: _ct);
        try
        {
            await nova.SetExtraSpecsAsync(flavor.Id, new Dictionary<string, string> { ["hw:cpu_policy"] = "dedicated" }, _ct);
            var manager = new TrustedFlavorManager(nova);
            const string trait = TrustedFlavorManager.DefaultTrait;

            var t = await manager.SetAsync(flavor, TrustedFlavorMode.Trait, trait, TrustRequirement.Required, _ct);
            Assert.Equal(("required", null, "Trait", true), (t.TraitValue, t.LegacyValue, t.Mode, t.RequiresTrustedHost));

            // Legacy -Forbidden on a flavor that requires the trait: the trait key must not keep saying "required"
            t = await manager.SetAsync(flavor, TrustedFlavorMode.Legacy, trait, TrustRequirement.Forbidden, _ct);
            Assert.Equal(("forbidden", "untrusted", "Both", false), (t.TraitValue, t.LegacyValue, t.Mode, t.RequiresTrustedHost));

            t = await manager.SetAsync(flavor, TrustedFlavorMode.Trait, trait, TrustRequirement.Required, _ct);
            Assert.Equal(("required", "trusted"), (t.TraitValue, t.LegacyValue));

            t = await manager.SetAsync(flavor, TrustedFlavorMode.Both, trait, TrustRequirement.Forbidden, _ct);
            Assert.Equal(("forbidden", "untrusted", false), (t.TraitValue, t.LegacyValue, t.RequiresTrustedHost));

            t = await manager.SetAsync(flavor, TrustedFlavorMode.Trait, trait, TrustRequirement.Remove, _ct);
            Assert.Equal(("untrusted", "Legacy"), (t.LegacyValue, t.Mode));
            Assert.Null(t.TraitValue);

            t = await manager.SetAsync(flavor, TrustedFlavorMode.Both, trait, TrustRequirement.Remove, _ct);
            Assert.Equal("None", t.Mode);

            var specs = await nova.GetExtraSpecsAsync(flavor.Id, _ct);
            Assert.Equal(new Dictionary<string, string> { ["hw:cpu_policy"] = "dedicated" }, specs);
            Assert.Equal(flavor.Id, (await nova.FindFlavorAsync(flavor.Name, _ct)).Id);
        }
        finally
        {
            await nova.DeleteFlavorAsync(flavor.Id, _ct);
        }
    }

    [SkippableFact]
    public async Task Microversion_IsSent_Nova286ValidatesExtraSpecs()
    {
        cloud.Require();
        var old = new NovaClient(cloud.Admin, "2.1");
        var flavor = await old.CreateFlavorAsync(OpenStackFixture.UniqueName("tc-flavor"), 512, 1, 1, cancellationToken: _ct);
        try
        {
            var bad = new Dictionary<string, string> { ["trait:CUSTOM_TRUSTED_HOST"] = "yes" };
            await old.SetExtraSpecsAsync(flavor.Id, bad, _ct);
            var ex = await Assert.ThrowsAsync<OpenStackException>(() => new NovaClient(cloud.Admin, "2.86").SetExtraSpecsAsync(flavor.Id, bad, _ct));
            Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
            Assert.Contains("required, forbidden", ex.ServiceMessage);
            Assert.StartsWith("req-", ex.RequestId);
        }
        finally
        {
            await old.DeleteFlavorAsync(flavor.Id, _ct);
        }
    }

    [SkippableFact]
    public async Task Hypervisors_ListAnswers()
    {
        cloud.Require();
        var hypervisors = await new NovaClient(cloud.Admin, "2.53").ListHypervisorsAsync(_ct);
        Assert.Empty(hypervisors); // no nova-compute in the test cloud
    }

    [SkippableFact]
    public async Task Traits_CreateAddRemove_KeepOtherTraits()
    {
        cloud.Require();
        var placement = new PlacementClient(cloud.Admin);
        string trait = OpenStackFixture.UniqueTrait(), other = OpenStackFixture.UniqueTrait();
        var provider = await placement.CreateProviderAsync(OpenStackFixture.UniqueName("tc-node"), cancellationToken: _ct);
        try
        {
            Assert.False(await placement.TraitExistsAsync(trait, _ct));
            Assert.True(await placement.EnsureTraitAsync(trait, _ct));
            Assert.False(await placement.EnsureTraitAsync(trait, _ct));
            await placement.EnsureTraitAsync(other, _ct);
            await placement.PutTraitsAsync(provider.Uuid, ["HW_CPU_X86_AVX2", other], provider.Generation, _ct);

            var added = await placement.UpdateTraitsAsync(provider.Uuid, t => t.Append(trait).ToHashSet(), _ct);
            Assert.True(added.Changed);
            Assert.Equal(new[] { "HW_CPU_X86_AVX2", other, trait }.Order(), added.After.Order());

            var again = await placement.UpdateTraitsAsync(provider.Uuid, t => t.Append(trait).ToHashSet(), _ct);
            Assert.False(again.Changed);

            var removed = await placement.UpdateTraitsAsync(provider.Uuid, t => t.Where(x => x != trait).ToHashSet(), _ct);
            Assert.Equal(new[] { "HW_CPU_X86_AVX2", other }.Order(), (await placement.GetTraitsAsync(provider.Uuid, _ct)).Traits.Order());
            Assert.True(removed.Changed);

            var stale = await Assert.ThrowsAsync<OpenStackException>(() => placement.PutTraitsAsync(provider.Uuid, [trait], provider.Generation, _ct));
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            Assert.Contains("generation", stale.ServiceMessage);
        }
        finally
        {
            await placement.DeleteProviderAsync(provider.Uuid, _ct);
            await placement.DeleteTraitAsync(trait, _ct);
            await placement.DeleteTraitAsync(other, _ct);
        }
    }

    [SkippableFact]
    public async Task UpdateTraits_RetriesWithAFreshRead_WhenAnotherWriterWinsTheGeneration()
    {
        cloud.Require();
        var placement = new PlacementClient(cloud.Admin);
        using var rivalSession = new OpenStackSession(cloud.NewCloud());
        var rival = new PlacementClient(rivalSession);
        string mine = OpenStackFixture.UniqueTrait(), theirs = OpenStackFixture.UniqueTrait();
        await placement.EnsureTraitAsync(mine, _ct);
        await placement.EnsureTraitAsync(theirs, _ct);
        var provider = await placement.CreateProviderAsync(OpenStackFixture.UniqueName("tc-node"), cancellationToken: _ct);
        try
        {
            int calls = 0;
            var update = await placement.UpdateTraitsAsync(provider.Uuid, traits =>
            {
                if (++calls == 1)
                {
                    // between our read and our write, another client writes: Placement must answer 409
                    rival.UpdateTraitsAsync(provider.Uuid, t => t.Append(theirs).ToHashSet(), _ct).GetAwaiter().GetResult();
                }
                return traits.Append(mine).ToHashSet();
            }, _ct);

            Assert.Equal(2, calls);
            Assert.Equal(2, update.Attempts);
            Assert.Equal(new[] { mine, theirs }.Order(), (await placement.GetTraitsAsync(provider.Uuid, _ct)).Traits.Order());
        }
        finally
        {
            await placement.DeleteProviderAsync(provider.Uuid, _ct);
            await placement.DeleteTraitAsync(mine, _ct);
            await placement.DeleteTraitAsync(theirs, _ct);
        }
    }

    [SkippableFact]
    public async Task TwoSyncsRacingOnOneProvider_BothEndWithTheRightTraits_OthersUntouched()
    {
        cloud.Require();
        var placement = new PlacementClient(cloud.Admin);
        string traitA = OpenStackFixture.UniqueTrait(), traitB = OpenStackFixture.UniqueTrait(), custom = OpenStackFixture.UniqueTrait();
        await placement.EnsureTraitAsync(custom, _ct);
        var provider = await placement.CreateProviderAsync(OpenStackFixture.UniqueName("tc-node"), cancellationToken: _ct);
        await placement.PutTraitsAsync(provider.Uuid, ["HW_CPU_X86_AVX2", "COMPUTE_STATUS_DISABLED", custom], provider.Generation, _ct);
        try
        {
            var now = DateTimeOffset.UtcNow;
            var members = new[] { new TrustedPoolMember(provider.Name, "Trusted", now) };
            async Task<TrustedPoolChange> Sync(string trait)
            {
                using var session = new OpenStackSession(cloud.NewCloud());
                var sync = new TrustedPoolSynchronizer(new PlacementClient(session));
                var plan = await sync.PlanAsync(members, trait, TimeSpan.FromHours(1), now, _ct);
                return await sync.ApplyAsync(plan.Single(p => p.Provider?.Uuid == provider.Uuid), _ct);
            }
            for (int round = 0; round < 3; round++)
            {
                await placement.UpdateTraitsAsync(provider.Uuid, t => t.Except([traitA, traitB]).ToHashSet(), _ct);
                var changes = await Task.WhenAll(Sync(traitA), Sync(traitB));
                Assert.All(changes, c => Assert.Equal((TrustedPoolAction.Add, TrustedPoolStatus.Changed), (c.Action, c.Status)));
            }
            Assert.Equal(new[] { "COMPUTE_STATUS_DISABLED", "HW_CPU_X86_AVX2", custom, traitA, traitB }.Order(),
                (await placement.GetTraitsAsync(provider.Uuid, _ct)).Traits.Order());
        }
        finally
        {
            await placement.DeleteProviderAsync(provider.Uuid, _ct);
            foreach (var t in new[] { traitA, traitB, custom }) await placement.DeleteTraitAsync(t, _ct);
        }
    }

    [SkippableFact]
    public async Task AWriterBumpingTheGeneration10TimesASecond_NeverMakesARemovalSilentlyFail()
    {
        cloud.Require();
        var placement = new PlacementClient(cloud.Admin);
        string trait = OpenStackFixture.UniqueTrait(), noise = OpenStackFixture.UniqueTrait();
        await placement.EnsureTraitAsync(trait, _ct);
        await placement.EnsureTraitAsync(noise, _ct);
        var provider = await placement.CreateProviderAsync(OpenStackFixture.UniqueName("tc-node"), cancellationToken: _ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        int rivalWrites = 0;
        var rival = Task.Run(async () =>
        {
            using var rivalSession = new OpenStackSession(cloud.NewCloud());
            var rivalPlacement = new PlacementClient(rivalSession);
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    // like a nova-compute periodic task: toggles a trait of its own, moving the generation on
                    await rivalPlacement.UpdateTraitsAsync(provider.Uuid, t => t.Contains(noise) ? t.Where(x => x != noise).ToHashSet()
                        : t.Append(noise).ToHashSet(), stop.Token);
                    Interlocked.Increment(ref rivalWrites);
                    await Task.Delay(100, stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        });
        try
        {
            var sync = new TrustedPoolSynchronizer(new PlacementClient(cloud.Admin));
            for (int round = 0; round < 8; round++)
            {
                var now = DateTimeOffset.UtcNow;
                foreach (var verdict in new[] { "Trusted", "Untrusted" })
                {
                    var plans = await sync.PlanAsync([new(provider.Name, verdict, now)], trait, TimeSpan.FromHours(1), now, _ct);
                    var change = await sync.ApplyAsync(plans.Single(p => p.Provider?.Uuid == provider.Uuid), _ct);
                    Assert.Equal(TrustedPoolStatus.Changed, change.Status);
                    bool has = (await placement.GetTraitsAsync(provider.Uuid, _ct)).Traits.Contains(trait);
                    Assert.Equal(verdict == "Trusted", has);
                }
            }
            await stop.CancelAsync();
            await rival;
            Assert.True(rivalWrites >= 5, $"the rival wrote only {rivalWrites} times");
            Assert.DoesNotContain(trait, (await placement.GetTraitsAsync(provider.Uuid, _ct)).Traits);
        }
        finally
        {
            await stop.CancelAsync();
            await rival;
            await placement.DeleteProviderAsync(provider.Uuid, _ct);
            await placement.DeleteTraitAsync(trait, _ct);
            await placement.DeleteTraitAsync(noise, _ct);
        }
    }

    [SkippableFact]
    public async Task Sync_FailsClosed_AndThePoolAgreesWithPlacementRequired()
    {
        cloud.Require();
        var placement = new PlacementClient(cloud.Admin);
        string trait = OpenStackFixture.UniqueTrait();
        await placement.EnsureTraitAsync(trait, _ct);
        var names = new[] { "trusted", "untrusted", "unknown", "stale", "absent", "undated", "future", "newhost" };
        var providers = new Dictionary<string, ResourceProvider>();
        foreach (var n in names)
            providers[n] = await placement.CreateProviderAsync(OpenStackFixture.UniqueName("tc-" + n) + ".example.test", cancellationToken: _ct);
        try
        {
            foreach (var n in names.Where(n => n != "newhost"))
                await placement.PutTraitsAsync(providers[n].Uuid, [trait, "HW_CPU_X86_SSE42"], providers[n].Generation, _ct);
            var now = DateTimeOffset.UtcNow;
            var results = new List<TrustedPoolMember>
            {
                new(providers["trusted"].Name, "Trusted", now.AddMinutes(-5)),
                new(providers["untrusted"].Name, "Untrusted", now),
                new(providers["unknown"].Name, "Unknown", now),
                new(providers["stale"].Name, "Trusted", now.AddHours(-2)),
                new(providers["undated"].Name, "Trusted", null),
                new(providers["future"].Name, "Trusted", now.AddHours(1)),
                new(providers["newhost"].Name.Split('.')[0], "Trusted", now), // short name maps to the FQDN provider
                new("no-such-host-" + Guid.NewGuid().ToString("N")[..8], "Trusted", now),
            };
            var sync = new TrustedPoolSynchronizer(placement);
            var plans = await sync.PlanAsync(results, trait, TimeSpan.FromHours(1), now, _ct);
            Assert.Equal(TrustedPoolReason.NoProvider, plans.Single(p => p.Provider is null).Reason);
            Assert.Equal(TrustedPoolReason.Absent, plans.Single(p => p.Provider?.Uuid == providers["absent"].Uuid).Reason);
            // providers of other tests may carry other traits; only ours matter here
            var ours = plans.Where(p => p.Provider is not null && providers.Values.Any(v => v.Uuid == p.Provider.Uuid)).ToList();
            Assert.Equal(names.Length, ours.Count);
            foreach (var plan in ours) await sync.ApplyAsync(plan, _ct);

            var pool = await sync.GetPoolAsync(trait, _ct);
            var required = await placement.ListProvidersAsync(requiredTrait: trait, cancellationToken: _ct);
            Assert.Equal(required.Select(p => p.Uuid).Order(), pool.Select(p => p.ProviderUuid).Order());
            Assert.Equal(new[] { providers["trusted"].Uuid, providers["newhost"].Uuid }.Order(), pool.Select(p => p.ProviderUuid).Order());
            foreach (var n in names.Where(n => n != "newhost"))
                Assert.Contains("HW_CPU_X86_SSE42", (await placement.GetTraitsAsync(providers[n].Uuid, _ct)).Traits);
        }
        finally
        {
            foreach (var p in providers.Values) await placement.DeleteProviderAsync(p.Uuid, _ct);
            await placement.DeleteTraitAsync(trait, _ct);
        }
    }

    [SkippableFact]
    public async Task RevokedTokenMidSync_ReauthenticatesOnce_AndTheSyncFinishes()
    {
        cloud.Require();
        var adminPlacement = new PlacementClient(cloud.Admin);
        string trait = OpenStackFixture.UniqueTrait();
        var p1 = await adminPlacement.CreateProviderAsync(OpenStackFixture.UniqueName("tc-node"), cancellationToken: _ct);
        var p2 = await adminPlacement.CreateProviderAsync(OpenStackFixture.UniqueName("tc-node"), cancellationToken: _ct);
        try
        {
            using var session = new OpenStackSession(cloud.NewCloud());
            var sync = new TrustedPoolSynchronizer(new PlacementClient(session));
            var now = DateTimeOffset.UtcNow;
            var plans = await sync.PlanAsync([new(p1.Name, "Trusted", now), new(p2.Name, "Trusted", now)], trait, TimeSpan.FromHours(1), now, _ct);
            await sync.ApplyAsync(plans.Single(p => p.Provider?.Uuid == p1.Uuid), _ct);
            Assert.Equal(1, session.AuthenticationCount);

            // the token dies between two hosts (what an expiry does): Keystone revokes it, services answer 401
            string token = await session.GetTokenAsync(_ct);
            await RevokeAsync(token);

            var change = await sync.ApplyAsync(plans.Single(p => p.Provider?.Uuid == p2.Uuid), _ct);
            Assert.Equal(TrustedPoolStatus.Changed, change.Status);
            Assert.Equal(2, session.AuthenticationCount);
            Assert.NotEqual(token, await session.GetTokenAsync(_ct));
            Assert.Equal(new[] { p1.Uuid, p2.Uuid }.Order(), (await sync.GetPoolAsync(trait, _ct)).Select(h => h.ProviderUuid).Order());
        }
        finally
        {
            await adminPlacement.DeleteProviderAsync(p1.Uuid, _ct);
            await adminPlacement.DeleteProviderAsync(p2.Uuid, _ct);
            await adminPlacement.DeleteTraitAsync(trait, _ct);
        }
    }

    [SkippableFact]
    public async Task ProviderGoneBeforeApply_FailsThatHostOnly()
    {
        cloud.Require();
        var placement = new PlacementClient(cloud.Admin);
        string trait = OpenStackFixture.UniqueTrait();
        var gone = await placement.CreateProviderAsync(OpenStackFixture.UniqueName("tc-node"), cancellationToken: _ct);
        var kept = await placement.CreateProviderAsync(OpenStackFixture.UniqueName("tc-node"), cancellationToken: _ct);
        try
        {
            var sync = new TrustedPoolSynchronizer(placement);
            var now = DateTimeOffset.UtcNow;
            var plans = await sync.PlanAsync([new(gone.Name, "Trusted", now), new(kept.Name, "Trusted", now)], trait, TimeSpan.FromHours(1), now, _ct);
            await placement.DeleteProviderAsync(gone.Uuid, _ct);

            var ex = await Assert.ThrowsAsync<OpenStackException>(() => sync.ApplyAsync(plans.Single(p => p.Provider?.Uuid == gone.Uuid), _ct));
            Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
            Assert.Contains(gone.Uuid.ToString(), ex.Message);
            var ok = await sync.ApplyAsync(plans.Single(p => p.Provider?.Uuid == kept.Uuid), _ct);
            Assert.Equal(TrustedPoolStatus.Changed, ok.Status);
        }
        finally
        {
            await placement.DeleteProviderAsync(kept.Uuid, _ct);
            await placement.DeleteTraitAsync(trait, _ct);
        }
    }

    private async Task RevokeAsync(string token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Delete, cloud.Environment["OS_AUTH_URL"] + "/auth/tokens");
        request.Headers.Add("X-Auth-Token", await cloud.Admin.GetTokenAsync(_ct));
        request.Headers.Add("X-Subject-Token", token);
        using var response = await http.SendAsync(request, _ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
