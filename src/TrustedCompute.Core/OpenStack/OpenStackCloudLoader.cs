using YamlDotNet.Serialization;

namespace TrustedCompute.OpenStack;

/// <summary>
/// Reads cloud settings the way openstackclient does: a named cloud from clouds.yaml (plus secure.yaml), then
/// <c>OS_*</c> environment variables on top. The caller applies explicit parameters last, so they win.
/// </summary>
public static class OpenStackCloudLoader
{
    private const long MaxConfigBytes = 1024 * 1024;

    /// <summary>Folders searched for clouds.yaml and secure.yaml, in order (current directory, user, site).</summary>
    public static IReadOnlyList<string> DefaultSearchFolders()
    {
        var folders = new List<string> { Directory.GetCurrentDirectory() };
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsWindows())
        {
            folders.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "OpenStack", "openstack"));
            folders.Add(Path.Combine(home, ".config", "openstack"));
            folders.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "OpenStack", "openstack"));
        }
        else
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            folders.Add(Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".config") : xdg, "openstack"));
            if (OperatingSystem.IsMacOS()) folders.Add(Path.Combine(home, "Library", "Application Support", "openstack"));
            folders.Add("/etc/openstack");
        }
        return folders;
    }

    /// <summary>The process environment as a dictionary.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    /// <summary>
    /// Builds the settings: clouds.yaml cloud <paramref name="cloudName"/> (or OS_CLOUD), then OS_* variables.
    /// </summary>
    public static OpenStackCloud Load(string? cloudName, IReadOnlyDictionary<string, string?> environment,
        IReadOnlyList<string>? searchFolders = null)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        cloudName ??= Get(environment, "OS_CLOUD");
        if (!string.IsNullOrEmpty(cloudName))
        {
            searchFolders ??= DefaultSearchFolders();
            string? cloudsFile = Get(environment, "OS_CLIENT_CONFIG_FILE") ?? FindFile(searchFolders, "clouds.yaml", "clouds.yml");
            if (cloudsFile is null)
                throw new FileNotFoundException($"Cloud '{cloudName}' was asked for but no clouds.yaml was found (searched {string.Join(", ", searchFolders)}).");
            if (!ReadCloud(cloudsFile, cloudName, settings))
                throw new KeyNotFoundException($"Cloud '{cloudName}' is not defined in {cloudsFile}.");
            string? secureFile = Get(environment, "OS_CLIENT_SECURE_FILE") ?? FindFile(searchFolders, "secure.yaml", "secure.yml");
            if (secureFile is not null) ReadCloud(secureFile, cloudName, settings);
        }
        foreach (var (name, value) in environment)
        {
            if (!name.StartsWith("OS_", StringComparison.Ordinal) || string.IsNullOrEmpty(value)) continue;
            if (name is "OS_CLOUD" or "OS_CLIENT_CONFIG_FILE" or "OS_CLIENT_SECURE_FILE") continue;
            settings[name[3..].ToLowerInvariant()] = value;
        }
        var cloud = new OpenStackCloud { Name = string.IsNullOrEmpty(cloudName) ? null : cloudName };
        Apply(cloud, settings);
        return cloud;
    }

    /// <summary>Normalises an auth URL to its Keystone v3 root (…/v3).</summary>
    public static Uri NormalizeAuthUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new ArgumentException($"'{url}' is not an http(s) URL.");
        string path = uri.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/v2.0", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("Keystone v2.0 is not supported; use the v3 auth URL.");
        if (!path.EndsWith("/v3", StringComparison.OrdinalIgnoreCase)) path += "/v3";
        return new UriBuilder(uri) { Path = path, Query = "", Fragment = "" }.Uri;
    }

    private static void Apply(OpenStackCloud cloud, Dictionary<string, string> s)
    {
        string? Take(params string[] keys)
        {
            foreach (var key in keys)
                if (s.TryGetValue(key, out var v) && !string.IsNullOrEmpty(v)) return v;
            return null;
        }

        if (Take("identity_api_version") is { } version && version.Trim() is not ("3" or "3.0"))
            throw new ArgumentException($"Identity API version {version} is not supported; only v3.");
        if (Take("auth_url") is { } authUrl) cloud.AuthUrl = NormalizeAuthUrl(authUrl);
        cloud.Username = Take("username", "user_name");
        cloud.UserId = Take("user_id");
        cloud.UserDomainName = Take("user_domain_name");
        cloud.UserDomainId = Take("user_domain_id");
        cloud.ProjectName = Take("project_name", "tenant_name");
        cloud.ProjectId = Take("project_id", "tenant_id");
        cloud.ProjectDomainName = Take("project_domain_name");
        cloud.ProjectDomainId = Take("project_domain_id");
        cloud.DomainName = Take("domain_name");
        cloud.DomainId = Take("domain_id");
        cloud.SystemScope = Take("system_scope");
        cloud.DefaultDomain = Take("default_domain") ?? "default";
        cloud.ApplicationCredentialId = Take("application_credential_id");
        cloud.ApplicationCredentialName = Take("application_credential_name");
        cloud.RegionName = Take("region_name");
        cloud.Interface = NormalizeInterface(Take("interface", "endpoint_type") ?? "public");
        cloud.CACertificatePath = Take("cacert");
        if (Take("verify") is { } verify && IsFalse(verify)) cloud.SkipCertificateCheck = true;
        if (Take("insecure") is { } insecure && !IsFalse(insecure)) cloud.SkipCertificateCheck = true;
        cloud.ComputeApiVersion = Take("compute_api_version");
        if (Take("api_timeout") is { } timeout && double.TryParse(timeout, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            cloud.Timeout = TimeSpan.FromSeconds(seconds);
        foreach (var service in new[] { "compute", "placement", "identity" })
        {
            if (Take(service + "_endpoint_override") is { } url)
                cloud.EndpointOverrides[service] = Uri.TryCreate(url, UriKind.Absolute, out var u) ? u
                    : throw new ArgumentException($"{service}_endpoint_override '{url}' is not an absolute URL.");
        }

        string? authType = Take("auth_type")?.ToLowerInvariant();
        bool appCred = authType is "v3applicationcredential" or "applicationcredential" or "application_credential"
            || (authType is null && (cloud.ApplicationCredentialId ?? cloud.ApplicationCredentialName) is not null);
        if (authType is not null and not ("password" or "v3password") && !appCred)
            throw new ArgumentException($"Authentication type '{authType}' is not supported (password, v3applicationcredential).");
        cloud.AuthType = appCred ? OpenStackCloud.ApplicationCredentialAuth : OpenStackCloud.PasswordAuth;
        cloud.SetSecret(appCred ? Take("application_credential_secret") : Take("password"));
    }

    /// <summary>public/internal/admin, also accepting the old publicURL spelling.</summary>
    public static string NormalizeInterface(string value)
    {
        string v = value.Trim().ToLowerInvariant();
        if (v.EndsWith("url", StringComparison.Ordinal)) v = v[..^3];
        return v is "public" or "internal" or "admin" ? v : throw new ArgumentException($"Interface '{value}' is not public, internal or admin.");
    }

    private static bool IsFalse(string value) => value.Trim().ToLowerInvariant() is "false" or "0" or "no" or "off";

    private static string? Get(IReadOnlyDictionary<string, string?> env, string name) =>
        env.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v : null;

    private static string? FindFile(IEnumerable<string> folders, params string[] names) =>
        folders.SelectMany(f => names.Select(n => Path.Combine(f, n))).FirstOrDefault(File.Exists);

    /// <summary>Merges clouds.&lt;name&gt; (its auth: block flattened) from one YAML file; false when the cloud is absent.</summary>
    private static bool ReadCloud(string file, string cloudName, Dictionary<string, string> settings)
    {
        var info = new FileInfo(file);
        if (info.Length > MaxConfigBytes) throw new InvalidDataException($"{file} is larger than {MaxConfigBytes} bytes.");
        object? root;
        try
        {
            root = new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(file));
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new InvalidDataException($"{file} is not valid YAML: {ex.Message}", ex);
        }
        if (root is not IDictionary<object, object> top || !top.TryGetValue("clouds", out var clouds)
            || clouds is not IDictionary<object, object> all || !all.TryGetValue(cloudName, out var entry))
            return false;
        if (entry is not IDictionary<object, object> cloud)
            throw new InvalidDataException($"clouds.{cloudName} in {file} is not a mapping.");
        foreach (var (key, value) in cloud)
        {
            if (key is "auth" && value is IDictionary<object, object> auth)
            {
                foreach (var (ak, av) in auth)
                    if (av is string s) settings[ak.ToString()!] = s;
            }
            else if (value is string s) settings[key.ToString()!] = s;
        }
        return true;
    }
}
