using System.Net;
using TrustedCompute.OpenStack;
using Xunit;

namespace TrustedCompute.Tests.OpenStack;

/// <summary>One class at a time, over a scripted handler: the failure paths real services do not produce on demand.</summary>
public sealed class OpenStackSessionTests
{
    private static readonly Guid Provider = Guid.Parse("4f5b8a33-0e1f-4c36-9d6f-8a0a3f0a1b2c");

    [Fact]
    public async Task ServiceAnswers401_ReauthenticatesOnce_AndRetriesWithTheNewToken()
    {
        var fake = new FakeOpenStack((req, token) => token == "token-1"
            ? FakeOpenStack.Reply(HttpStatusCode.Unauthorized, """{"error":{"message":"expired"}}""")
            : FakeOpenStack.Reply(HttpStatusCode.OK, """{"traits":["CUSTOM_A"],"resource_provider_generation":3}"""));
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), fake);

        var traits = await new PlacementClient(session).GetTraitsAsync(Provider);

        Assert.Equal(3, traits.Generation);
        Assert.Equal(2, session.AuthenticationCount);
        Assert.Equal([$"POST /v3/auth/tokens", $"GET /resource_providers/{Provider}/traits token-1", "POST /v3/auth/tokens",
            $"GET /resource_providers/{Provider}/traits token-2"], fake.Log);
    }

    [Fact]
    public async Task TokenIsReusedUntilShortlyBeforeItExpires()
    {
        var fake = new FakeOpenStack((_, _) => FakeOpenStack.Reply(HttpStatusCode.OK, "{}"));
        using (var session = new OpenStackSession(FakeOpenStack.Cloud(), fake))
        {
            Assert.Equal("token-1", await session.GetTokenAsync(default));
            Assert.Equal("token-1", await session.GetTokenAsync(default));
            Assert.Equal(1, session.AuthenticationCount);
        }

        var expiring = new FakeOpenStack((_, _) => FakeOpenStack.Reply(HttpStatusCode.OK, "{}")) { TokenLifetime = TimeSpan.FromSeconds(30) };
        using var shortLived = new OpenStackSession(FakeOpenStack.Cloud(), expiring);
        Assert.Equal("token-1", await shortLived.GetTokenAsync(default));
        Assert.Equal("token-2", await shortLived.GetTokenAsync(default)); // within a minute of expiry: renewed before use
    }

    [Fact]
    public async Task ServiceKeepsAnswering401_IsAnAuthenticationError_AfterOneReauthentication()
    {
        var fake = new FakeOpenStack((_, _) => FakeOpenStack.Reply(HttpStatusCode.Unauthorized, """{"error":{"message":"nope"}}"""));
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), fake);
        var ex = await Assert.ThrowsAsync<OpenStackAuthenticationException>(() => new PlacementClient(session).GetTraitsAsync(Provider));
        Assert.Equal(2, session.AuthenticationCount);
        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
    }

    [Fact]
    public async Task WrongPassword_MessageNamesTheUserButNotTheSecret()
    {
        var fake = new FakeOpenStack((_, _) => throw new InvalidOperationException("not reached")) { AuthStatus = HttpStatusCode.Unauthorized };
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), fake);
        var ex = await Assert.ThrowsAsync<OpenStackAuthenticationException>(() => session.GetTokenAsync(default));
        Assert.Contains("admin", ex.Message);
        Assert.Contains("requires authentication", ex.Message);
        Assert.DoesNotContain("s3cret-value", ex.ToString());
        Assert.DoesNotContain("s3cret-value", session.ToString());
        Assert.DoesNotContain("s3cret-value", session.Cloud.ToString());
    }

    [Fact]
    public async Task ServerError_CarriesStatusServiceTextAndRequestId()
    {
        var fake = new FakeOpenStack((_, _) => FakeOpenStack.Reply(HttpStatusCode.InternalServerError,
            """{"errors":[{"status":500,"title":"Internal Server Error","detail":"database is locked","request_id":"req-1"}]}""", "req-abc"));
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), fake);
        var ex = await Assert.ThrowsAsync<OpenStackException>(() => new PlacementClient(session).GetTraitsAsync(Provider));
        Assert.Equal(HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.Equal("database is locked", ex.ServiceMessage);
        Assert.Equal("req-abc", ex.RequestId);
        Assert.Contains($"placement GET /resource_providers/{Provider}/traits (at placement 1.6) failed: 500", ex.Message);
    }

    [Fact]
    public async Task DroppedConnection_IsAnOpenStackErrorNamingTheCall()
    {
        var fake = new FakeOpenStack((_, _) => throw new HttpRequestException("The response ended prematurely.", new IOException("reset")));
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), fake);
        var ex = await Assert.ThrowsAsync<OpenStackException>(() => new PlacementClient(session).GetTraitsAsync(Provider));
        Assert.Contains("placement GET", ex.Message);
        Assert.Contains("prematurely", ex.Message);
        Assert.IsType<HttpRequestException>(ex.InnerException);
    }

    [Fact]
    public async Task OversizedResponse_IsRefused()
    {
        string huge = "{\"traits\":[" + string.Join(',', Enumerable.Repeat("\"CUSTOM_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\"", 300_000)) + "],\"resource_provider_generation\":1}";
        var fake = new FakeOpenStack((_, _) => FakeOpenStack.Reply(HttpStatusCode.OK, huge));
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), fake);
        var ex = await Assert.ThrowsAsync<OpenStackException>(() => new PlacementClient(session).GetTraitsAsync(Provider));
        Assert.Contains("limit", ex.Message);
    }

    [Theory]
    [InlineData("{\"traits\":[\"CUSTOM_A\"", "malformed JSON")]
    [InlineData("{\"traits\":\"CUSTOM_A\",\"resource_provider_generation\":1}", "'traits' is missing or not an array")]
    [InlineData("{\"traits\":[1],\"resource_provider_generation\":1}", "not a string")]
    [InlineData("{\"traits\":[],\"resource_provider_generation\":\"1\"}", "'resource_provider_generation'")]
    public async Task MalformedBodies_GiveClearErrors(string body, string expected)
    {
        var fake = new FakeOpenStack((_, _) => FakeOpenStack.Reply(HttpStatusCode.OK, body));
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), fake);
        var ex = await Assert.ThrowsAsync<OpenStackException>(() => new PlacementClient(session).GetTraitsAsync(Provider));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public async Task Conflict_RetriesWithAFreshGeneration_UntilTheDeadline()
    {
        int reads = 0, writes = 0;
        var fake = new FakeOpenStack((req, _) =>
        {
            if (req.Method == HttpMethod.Get)
                return FakeOpenStack.Reply(HttpStatusCode.OK, $$"""{"traits":["HW_CPU_X86_AVX2"],"resource_provider_generation":{{++reads}}}""");
            writes++;
            string sent = req.Content!.ReadAsStringAsync().Result;
            Assert.Contains($"\"resource_provider_generation\":{reads}", sent);
            return writes < 3
                ? FakeOpenStack.Reply(HttpStatusCode.Conflict, """{"errors":[{"status":409,"detail":"generation changed","code":"placement.concurrent_update"}]}""")
                : FakeOpenStack.Reply(HttpStatusCode.OK, $$"""{"traits":["HW_CPU_X86_AVX2","CUSTOM_T"],"resource_provider_generation":{{reads + 1}}}""");
        });
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), fake);
        var update = await new PlacementClient(session).UpdateTraitsAsync(Provider, t => t.Append("CUSTOM_T").ToHashSet());
        Assert.Equal((3, 3, 3, true), (update.Attempts, reads, writes, update.Changed));

        reads = writes = -100_000; // keeps conflicting: retried (many times, not a small fixed count) until the deadline
        var limited = new PlacementClient(session) { ConflictDeadline = TimeSpan.FromMilliseconds(400), MaxBackoff = TimeSpan.FromMilliseconds(20) };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<TraitConflictException>(() => limited.UpdateTraitsAsync(Provider, t => t.Append("CUSTOM_T").ToHashSet()));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.Conflict, ex.StatusCode);
        Assert.Equal((Provider, writes + 100_000), (ex.ProviderUuid, ex.Attempts));
        Assert.True(ex.Attempts > 8, $"only {ex.Attempts} attempts in {ex.Elapsed}");
        Assert.Contains(Provider.ToString(), ex.Message);
        Assert.Contains("generation changed", ex.Message);
    }

    [Theory]
    [InlineData("Trusted", 0, TrustedPoolReason.Trusted)]
    [InlineData("Trusted", -59, TrustedPoolReason.Trusted)]
    [InlineData("Trusted", -61, TrustedPoolReason.Stale)]
    [InlineData("Trusted", 30, TrustedPoolReason.FutureTime)]
    [InlineData("Trusted", null, TrustedPoolReason.NoTime)]
    [InlineData("trusted", 0, TrustedPoolReason.Unknown)]
    [InlineData("Untrusted", 0, TrustedPoolReason.Untrusted)]
    [InlineData("Unknown", 0, TrustedPoolReason.Unknown)]
    [InlineData("", 0, TrustedPoolReason.Unknown)]
    [InlineData(null, 0, TrustedPoolReason.Unknown)]
    public void Judge_IsFailClosed(string? verdict, int? minutesFromNow, TrustedPoolReason expected)
    {
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        DateTimeOffset? time = minutesFromNow is null ? null : now.AddMinutes(minutesFromNow.Value);
        Assert.Equal(expected, TrustedPoolSynchronizer.Judge(verdict, time, TimeSpan.FromHours(1), now));
    }
}

/// <summary>The per-host loop of a sync over a scripted Placement: one host's failure does not stop the others.</summary>
public sealed class TrustedPoolApplyTests
{
    private static readonly Guid[] Uuids = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];

    [Fact]
    public async Task A500AndADroppedConnection_FailOnlyTheirHosts_TheSyncGoesOn()
    {
        var written = new List<Guid>();
        var fake = new FakeOpenStack((req, _) =>
        {
            string path = req.RequestUri!.AbsolutePath;
            if (path == "/resource_providers")
                return FakeOpenStack.Reply(HttpStatusCode.OK, "{\"resource_providers\":[" + string.Join(',', Uuids.Select((u, i) =>
                    $"{{\"uuid\":\"{u}\",\"name\":\"node{i}\",\"generation\":1,\"parent_provider_uuid\":null,\"root_provider_uuid\":\"{u}\"}}")) + "]}");
            if (path == "/traits/CUSTOM_TRUSTED_HOST")
                return FakeOpenStack.Reply(req.Method == HttpMethod.Get ? HttpStatusCode.NotFound : HttpStatusCode.Created, null);
            var uuid = Guid.Parse(path.Split('/')[2]);
            if (uuid == Uuids[1] && req.Method == HttpMethod.Put)
                return FakeOpenStack.Reply(HttpStatusCode.InternalServerError, """{"errors":[{"status":500,"detail":"database is locked"}]}""", "req-500");
            if (uuid == Uuids[2]) throw new HttpRequestException("Connection reset by peer");
            if (req.Method == HttpMethod.Put) written.Add(uuid);
            return FakeOpenStack.Reply(HttpStatusCode.OK, """{"traits":["HW_CPU_X86_AVX2"],"resource_provider_generation":1}""");
        });
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), fake);
        var sync = new TrustedPoolSynchronizer(new PlacementClient(session));
        var now = DateTimeOffset.UtcNow;
        var plans = await sync.PlanAsync(Enumerable.Range(0, 4).Select(i => new TrustedPoolMember($"node{i}", "Trusted", now)).Append(new("ghost", "Trusted", now)),
            "CUSTOM_TRUSTED_HOST", TimeSpan.FromHours(1), now);

        var confirmed = new List<string>();
        var outcomes = sync.Apply(plans, p => { confirmed.Add(p.HostName); return p.HostName != "node3"; }).ToList();

        Assert.Equal(["ghost", "node0", "node1", "node2", "node3"], outcomes.Select(o => o.Plan.HostName).Order());
        Assert.Equal(["node0", "node1", "node2", "node3"], confirmed.Order());
        Assert.Equal(TrustedPoolStatus.Changed, outcomes.Single(o => o.Plan.HostName == "node0").Change!.Status);
        var serverError = Assert.IsType<OpenStackException>(outcomes.Single(o => o.Plan.HostName == "node1").Error);
        Assert.Equal((HttpStatusCode.InternalServerError, "req-500"), (serverError.StatusCode!.Value, serverError.RequestId));
        Assert.Contains("Connection reset", Assert.IsType<OpenStackException>(outcomes.Single(o => o.Plan.HostName == "node2").Error).Message);
        Assert.Equal(TrustedPoolStatus.Skipped, outcomes.Single(o => o.Plan.HostName == "node3").Change!.Status);
        Assert.IsType<KeyNotFoundException>(outcomes.Single(o => o.Plan.HostName == "ghost").Error);
        Assert.Equal([Uuids[0]], written);
        var summary = TrustedPoolSummary.Of("CUSTOM_TRUSTED_HOST", outcomes);
        Assert.Equal(new TrustedPoolSummary("CUSTOM_TRUSTED_HOST", 5, 1, 0, 0, 1, 3, summary.FailedRemovals), summary);
        Assert.Empty(summary.FailedRemovals); // all were additions
    }

    [Fact]
    public async Task ARemovalThatKeepsConflicting_IsAnOutcomeError_AndNamedInTheSummary()
    {
        var fake = new FakeOpenStack((req, _) =>
        {
            string path = req.RequestUri!.AbsolutePath;
            if (path == "/resource_providers")
                return FakeOpenStack.Reply(HttpStatusCode.OK, "{\"resource_providers\":[" + string.Join(',', Uuids.Take(2).Select((u, i) =>
                    $"{{\"uuid\":\"{u}\",\"name\":\"node{i}\",\"generation\":1,\"parent_provider_uuid\":null}}")) + "]}");
            if (path == "/traits/CUSTOM_TRUSTED_HOST") return FakeOpenStack.Reply(HttpStatusCode.NoContent, null);
            if (req.Method == HttpMethod.Put) // node0's generation always moves on before our write
                return Guid.Parse(path.Split('/')[2]) == Uuids[0]
                    ? FakeOpenStack.Reply(HttpStatusCode.Conflict, """{"errors":[{"status":409,"detail":"generation changed","code":"placement.concurrent_update"}]}""")
                    : FakeOpenStack.Reply(HttpStatusCode.OK, """{"traits":[],"resource_provider_generation":2}""");
            return FakeOpenStack.Reply(HttpStatusCode.OK, """{"traits":["CUSTOM_TRUSTED_HOST"],"resource_provider_generation":1}""");
        });
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), fake);
        var sync = new TrustedPoolSynchronizer(new PlacementClient(session) { ConflictDeadline = TimeSpan.FromMilliseconds(200) });
        var now = DateTimeOffset.UtcNow;
        var plans = await sync.PlanAsync([new("node0", "Untrusted", now), new("node1", "Untrusted", now)], "CUSTOM_TRUSTED_HOST",
            TimeSpan.FromHours(1), now);
        Assert.All(plans, p => Assert.Equal((TrustedPoolAction.Remove, true), (p.Action, p.InPool)));

        var outcomes = sync.Apply(plans, _ => true).ToList();
        Assert.IsType<TraitConflictException>(outcomes.Single(o => o.Plan.HostName == "node0").Error);
        Assert.Equal(TrustedPoolStatus.Changed, outcomes.Single(o => o.Plan.HostName == "node1").Change!.Status);
        var summary = TrustedPoolSummary.Of("CUSTOM_TRUSTED_HOST", outcomes);
        Assert.Equal((1, 1), (summary.Removed, summary.Failed));
        Assert.Equal(["node0"], summary.FailedRemovals);
    }

    [Fact]
    public async Task AnAuthenticationFailureStopsTheSync()
    {
        bool refuse = false;
        var fake = new FakeOpenStack((req, _) => refuse
            ? FakeOpenStack.Reply(HttpStatusCode.Unauthorized, null)
            : req.RequestUri!.AbsolutePath == "/resource_providers"
                ? FakeOpenStack.Reply(HttpStatusCode.OK, $"{{\"resource_providers\":[{{\"uuid\":\"{Uuids[0]}\",\"name\":\"node0\",\"generation\":1}}]}}")
                : FakeOpenStack.Reply(HttpStatusCode.NotFound, null));
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), fake);
        var sync = new TrustedPoolSynchronizer(new PlacementClient(session));
        var now = DateTimeOffset.UtcNow;
        var plans = await sync.PlanAsync([new("node0", "Trusted", now)], "CUSTOM_TRUSTED_HOST", TimeSpan.FromHours(1), now);
        refuse = true;
        Assert.Throws<OpenStackAuthenticationException>(() => sync.Apply(plans, _ => true).ToList());
    }
}
