using TrustedCompute.OpenStack;
using Xunit;

namespace TrustedCompute.Tests.OpenStack;

public sealed class OpenStackCloudLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tc-clouds-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(_dir, name), text);

    [Fact]
    public void CloudsYaml_MergesSecureYaml_EnvironmentWins_OverClouds()
    {
        Write("clouds.yaml", """
            clouds:
              prod:
                auth:
                  auth_url: https://keystone.example.com:5000
                  username: alice
                  project_name: ops
                  user_domain_name: Corp
                region_name: RegionTwo
                interface: internal
                verify: false
                compute_api_version: "2.86"
                placement_endpoint_override: https://placement.example.com/
              other:
                auth: { auth_url: https://x.example.com/v3 }
            """);
        Write("secure.yaml", "clouds:\n  prod:\n    auth:\n      password: from-secure-yaml\n");
        var cloud = OpenStackCloudLoader.Load(null, new Dictionary<string, string?> { ["OS_CLOUD"] = "prod", ["OS_REGION_NAME"] = "RegionThree" }, [_dir]);

        Assert.Equal("prod", cloud.Name);
        Assert.Equal(new Uri("https://keystone.example.com:5000/v3"), cloud.AuthUrl);
        Assert.Equal(("alice", "ops", "Corp", "internal", "2.86"), (cloud.Username, cloud.ProjectName, cloud.UserDomainName, cloud.Interface, cloud.ComputeApiVersion));
        Assert.Equal("RegionThree", cloud.RegionName);
        Assert.True(cloud.SkipCertificateCheck);
        Assert.True(cloud.HasSecret);
        Assert.Equal(new Uri("https://placement.example.com/"), cloud.EndpointOverrides["placement"]);
        Assert.DoesNotContain("from-secure-yaml", cloud.ToString());
        cloud.Validate();
    }

    [Fact]
    public void EnvironmentOnly_LikeAnOpenrc()
    {
        var cloud = OpenStackCloudLoader.Load(null, new Dictionary<string, string?>
        {
            ["OS_AUTH_URL"] = "http://127.0.0.1:5000/v3/", ["OS_USERNAME"] = "admin", ["OS_PASSWORD"] = "pw",
            ["OS_TENANT_NAME"] = "admin", ["OS_ENDPOINT_TYPE"] = "publicURL", ["OS_CACERT"] = "/etc/ssl/ca.pem",
        }, [_dir]);
        Assert.Equal(new Uri("http://127.0.0.1:5000/v3"), cloud.AuthUrl);
        Assert.Equal(("admin", "public", "/etc/ssl/ca.pem", false), (cloud.ProjectName, cloud.Interface, cloud.CACertificatePath, cloud.SkipCertificateCheck));
        Assert.Equal(OpenStackCloud.PasswordAuth, cloud.AuthType);
    }

    [Fact]
    public void ApplicationCredentialSettings_SelectThatAuthType()
    {
        var cloud = OpenStackCloudLoader.Load(null, new Dictionary<string, string?>
        {
            ["OS_AUTH_URL"] = "https://k.example.com/identity", ["OS_APPLICATION_CREDENTIAL_ID"] = "abc", ["OS_APPLICATION_CREDENTIAL_SECRET"] = "s",
        }, [_dir]);
        Assert.Equal(OpenStackCloud.ApplicationCredentialAuth, cloud.AuthType);
        Assert.Equal(new Uri("https://k.example.com/identity/v3"), cloud.AuthUrl);
        cloud.Validate();
    }

    [Fact]
    public void Problems_AreNamed()
    {
        Write("clouds.yaml", "clouds:\n  a:\n    auth:\n      auth_url: https://k/v3\n");
        Assert.Throws<KeyNotFoundException>(() => OpenStackCloudLoader.Load("b", new Dictionary<string, string?>(), [_dir]));
        var empty = Directory.CreateTempSubdirectory("tc-none-").FullName;
        try { Assert.Throws<FileNotFoundException>(() => OpenStackCloudLoader.Load("a", new Dictionary<string, string?>(), [empty])); }
        finally { Directory.Delete(empty); }
        Assert.Contains("password", Assert.Throws<ArgumentException>(() => OpenStackCloudLoader.Load("a", new Dictionary<string, string?>(), [_dir]).Validate()).Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<ArgumentException>(() => OpenStackCloudLoader.Load(null, new Dictionary<string, string?> { ["OS_AUTH_URL"] = "https://k/v2.0" }, [_dir]));
        Assert.Throws<ArgumentException>(() => OpenStackCloudLoader.Load(null, new Dictionary<string, string?> { ["OS_IDENTITY_API_VERSION"] = "2" }, [_dir]));
        Write("clouds.yaml", "clouds: [unclosed");
        Assert.Throws<InvalidDataException>(() => OpenStackCloudLoader.Load("a", new Dictionary<string, string?>(), [_dir]));
    }
}
