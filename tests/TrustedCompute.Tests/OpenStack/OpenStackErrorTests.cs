using System.Net;
using System.Text.Json.Nodes;
using TrustedCompute.OpenStack;
using Xunit;

namespace TrustedCompute.Tests.OpenStack;

/// <summary>Errors that say what is wrong, and the -Debug trace, over a scripted service.</summary>
public sealed class OpenStackTraceTests
{
    [Fact]
    public async Task Trace_ShowsEveryCall_WithoutTokensOrSecrets()
    {
        var fake = new FakeOpenStack((_, _) => FakeOpenStack.Reply(HttpStatusCode.OK, """{"traits":[],"resource_provider_generation":1}"""));
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), fake);
        var lines = new List<string>();
        session.Trace = lines.Add;
        var provider = Guid.NewGuid();
        await new PlacementClient(session).GetTraitsAsync(provider);

        Assert.Equal(2, lines.Count);
        Assert.Matches(@"^identity POST https://keystone\.test/v3/auth/tokens -> 201 Created in \d+ ms \(req-fake\)$", lines[0]);
        Assert.Matches($@"^placement GET https://placement\.test/resource_providers/{provider}/traits \[placement 1\.6\] -> 200 OK in \d+ ms", lines[1]);
        Assert.All(lines, l => Assert.DoesNotContain("s3cret-value", l));
        Assert.All(lines, l => Assert.DoesNotContain("token-1", l));
    }

    [Theory]
    [InlineData("https://h.test/v3/x?password=hunter2&limit=5", "https://h.test/v3/x?password=***&limit=5")]
    [InlineData("https://h.test/x?X-Auth-Token=abc", "https://h.test/x?X-Auth-Token=***")]
    [InlineData("https://h.test/x?application_credential_secret=s&name=n", "https://h.test/x?application_credential_secret=***&name=n")]
    [InlineData("https://user:pw@h.test/x?marker=m1", "https://h.test/x?marker=m1")]
    [InlineData("https://h.test/flavors/detail", "https://h.test/flavors/detail")]
    public void Redact_HidesSecretLookingValuesAndUserInfo(string url, string expected) =>
        Assert.Equal(expected, OpenStackSession.Redact(new Uri(url)));

    [Fact]
    public async Task AnAuthUrlThatIsNotKeystone_SaysSo()
    {
        var fake = new FakeOpenStack((_, _) => FakeOpenStack.Reply(HttpStatusCode.NotFound, "<html>nginx</html>")) { KeystoneVersionDocument = false };
        fake.AuthStatus = HttpStatusCode.NotFound;
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), fake);
        var ex = await Assert.ThrowsAsync<OpenStackException>(() => session.GetTokenAsync(default));
        Assert.IsNotType<OpenStackAuthenticationException>(ex);
        Assert.StartsWith("https://keystone.test/v3 is not a Keystone v3 endpoint: its version document (GET /v3/) answered 404 NotFound", ex.Message);
    }

    [Fact]
    public async Task WrongCredentials_AreRefusedCredentials_NotAScopeProblem()
    {
        var fake = new FakeOpenStack((_, _) => FakeOpenStack.Reply(HttpStatusCode.NotFound, null)) { AuthStatus = HttpStatusCode.Unauthorized };
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), fake);
        var ex = await Assert.ThrowsAsync<OpenStackAuthenticationException>(() => session.GetTokenAsync(default));
        Assert.IsNotType<OpenStackScopeException>(ex);
        Assert.Contains("refused the credentials of user admin in domain default", ex.Message);
        Assert.DoesNotContain("s3cret-value", ex.ToString());
        Assert.Equal(2, fake.Log.Count(l => l.StartsWith("POST /v3/auth/tokens", StringComparison.Ordinal))); // scoped, then unscoped
    }
}

/// <summary>Scope errors from the real Keystone, which answers all of them with the same 401.</summary>
[Collection(OpenStackCollection.Name)]
public sealed class OpenStackScopeErrorTests(OpenStackFixture cloud)
{
    private readonly CancellationToken _ct = new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token;

    private async Task<OpenStackException> Refused(Action<Dictionary<string, string?>> edit)
    {
        using var session = new OpenStackSession(cloud.NewCloud(edit));
        return await Assert.ThrowsAnyAsync<OpenStackException>(() => session.GetTokenAsync(_ct));
    }

    [SkippableFact]
    public async Task AnAuthUrlOfAnotherService_IsNotKeystone()
    {
        cloud.Require();
        var ex = await Refused(env => env["OS_AUTH_URL"] = cloud.Environment["OS_PLACEMENT_URL"] + "/v3");
        Assert.IsNotType<OpenStackAuthenticationException>(ex);
        Assert.Contains("/v3 is not a Keystone v3 endpoint: its version document (GET /v3/) answered 401", ex.Message);
        Assert.Contains($"It points to Keystone at {cloud.Environment["OS_AUTH_URL"]}", ex.Message);
    }

    [SkippableFact]
    public async Task AProjectThatDoesNotExist_IsToldApart()
    {
        cloud.Require();
        string name = OpenStackFixture.UniqueName("tc-none");
        var ex = Assert.IsType<OpenStackScopeException>(await Refused(env => env["OS_PROJECT_NAME"] = name));
        Assert.Contains($"accepted the credentials of user admin in domain Default but refused the scope: project {name} in domain Default does not exist", ex.Message);
        Assert.DoesNotContain(cloud.Environment["OS_PASSWORD"]!, ex.ToString());
    }

    [SkippableFact]
    public async Task AProjectInAnotherDomain_IsAWrongDomain()
    {
        cloud.Require();
        var ex = Assert.IsType<OpenStackScopeException>(await Refused(env => env["OS_PROJECT_DOMAIN_NAME"] = "NoSuchDomain"));
        Assert.Contains("there is no project admin in domain NoSuchDomain for this user, but it has a role on project admin in domain id default: " +
                        "wrong project domain", ex.Message);
    }

    [SkippableFact]
    public async Task AProjectWithoutARole_IsNoRole_AndAMemberIsToldWhatCanBeKnown()
    {
        cloud.Require();
        await cloud.Admin.GetTokenAsync(_ct);
        string projectName = OpenStackFixture.UniqueName("tc-norole"), userName = OpenStackFixture.UniqueName("tc-member");
        string password = "Pw-" + Guid.NewGuid().ToString("N");
        var project = await cloud.Admin.SendAsync("identity", HttpMethod.Post, "projects",
            new JsonObject { ["project"] = new JsonObject { ["name"] = projectName, ["domain_id"] = "default" } }, null, _ct);
        string projectId = project.Body!.Value.GetProperty("project").GetProperty("id").GetString()!;
        var user = await cloud.Admin.SendAsync("identity", HttpMethod.Post, "users",
            new JsonObject { ["user"] = new JsonObject { ["name"] = userName, ["domain_id"] = "default", ["password"] = password } }, null, _ct);
        string userId = user.Body!.Value.GetProperty("user").GetProperty("id").GetString()!;
        try
        {
            // admin has a role on project admin, none on the new one: an admin can look it up, so "no role" is certain
            var noRole = Assert.IsType<OpenStackScopeException>(await Refused(env => env["OS_PROJECT_NAME"] = projectName));
            Assert.Contains($"refused the scope: the user has no role on project {projectName} in domain Default. Projects it has a role on: admin", noRole.Message);

            // a member of project admin only cannot tell a missing project from one without a role, and says so
            var roles = await cloud.Admin.SendAsync("identity", HttpMethod.Get, "roles?name=member", null, null, _ct);
            string member = roles.Body!.Value.GetProperty("roles")[0].GetProperty("id").GetString()!;
            await cloud.Admin.SendAsync("identity", HttpMethod.Put, $"projects/{cloud.Admin.ProjectId}/users/{userId}/roles/{member}", null, null, _ct);
            var unsure = Assert.IsType<OpenStackScopeException>(await Refused(env =>
            {
                env["OS_USERNAME"] = userName;
                env["OS_PASSWORD"] = password;
                env["OS_PROJECT_NAME"] = projectName;
            }));
            Assert.Contains($"project {projectName} in domain Default does not exist, or the user has no role on it (only an administrator can tell which)", unsure.Message);
            Assert.DoesNotContain(password, unsure.ToString());
        }
        finally
        {
            await cloud.Admin.SendAsync("identity", HttpMethod.Delete, "users/" + userId, null, null, _ct);
            await cloud.Admin.SendAsync("identity", HttpMethod.Patch, "projects/" + projectId,
                new JsonObject { ["project"] = new JsonObject { ["enabled"] = false } }, null, _ct);
            await cloud.Admin.SendAsync("identity", HttpMethod.Delete, "projects/" + projectId, null, null, _ct);
        }
    }
}
