namespace TrustedCompute.OpenStack;

/// <summary>
/// Everything needed to reach one cloud, in openstackclient's terms. The secret (password or application-credential
/// secret) is write-only from outside the assembly and never appears in <see cref="ToString"/>.
/// </summary>
public sealed class OpenStackCloud
{
    public const string PasswordAuth = "password";
    public const string ApplicationCredentialAuth = "v3applicationcredential";

    /// <summary>Cloud name from clouds.yaml, if one was used.</summary>
    public string? Name { get; set; }

    /// <summary>Keystone v3 endpoint; always ends in /v3.</summary>
    public Uri? AuthUrl { get; set; }

    /// <summary><c>password</c> or <c>v3applicationcredential</c>.</summary>
    public string AuthType { get; set; } = PasswordAuth;

    public string? Username { get; set; }
    public string? UserId { get; set; }
    public string? UserDomainName { get; set; }
    public string? UserDomainId { get; set; }
    public string? ProjectName { get; set; }
    public string? ProjectId { get; set; }
    public string? ProjectDomainName { get; set; }
    public string? ProjectDomainId { get; set; }

    /// <summary>Domain scope (used when no project is given).</summary>
    public string? DomainName { get; set; }
    public string? DomainId { get; set; }

    /// <summary>System scope, e.g. <c>all</c> (used when neither project nor domain is given).</summary>
    public string? SystemScope { get; set; }

    /// <summary>Domain id for user and project names given without a domain (openstackclient's default_domain).</summary>
    public string DefaultDomain { get; set; } = "default";

    public string? ApplicationCredentialId { get; set; }
    public string? ApplicationCredentialName { get; set; }

    public string? RegionName { get; set; }

    /// <summary>Catalog interface: public, internal or admin.</summary>
    public string Interface { get; set; } = "public";

    /// <summary>PEM file of CA certificates that anchor the services' TLS certificates instead of the system store.</summary>
    public string? CACertificatePath { get; set; }

    /// <summary>Turns TLS certificate verification off. Only ever set explicitly.</summary>
    public bool SkipCertificateCheck { get; set; }

    /// <summary>Compute microversion sent on flavor calls (default 2.1).</summary>
    public string? ComputeApiVersion { get; set; }

    /// <summary>Service type to URL, bypassing the catalog (compute_endpoint_override, placement_endpoint_override).</summary>
    public Dictionary<string, Uri> EndpointOverrides { get; } = new(StringComparer.OrdinalIgnoreCase);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    internal string? Secret { get; private set; }

    public bool HasSecret => !string.IsNullOrEmpty(Secret);

    /// <summary>Sets the password, or the application-credential secret.</summary>
    public void SetSecret(string? secret) => Secret = secret;

    /// <summary>Checks that the settings are enough to authenticate; throws ArgumentException naming what is missing.</summary>
    public void Validate()
    {
        if (AuthUrl is null) throw new ArgumentException("No auth URL: set OS_AUTH_URL, OS_CLOUD, or give -AuthUrl or -Cloud.");
        if (!HasSecret)
            throw new ArgumentException(AuthType == ApplicationCredentialAuth
                ? "No application credential secret (OS_APPLICATION_CREDENTIAL_SECRET or -ApplicationCredential)."
                : "No password (OS_PASSWORD, clouds.yaml or -Credential).");
        if (AuthType == ApplicationCredentialAuth)
        {
            if (ApplicationCredentialId is null && ApplicationCredentialName is null)
                throw new ArgumentException("No application credential id or name.");
            if (ApplicationCredentialId is null && Username is null && UserId is null)
                throw new ArgumentException("An application credential given by name needs the user name or id.");
        }
        else if (AuthType == PasswordAuth)
        {
            if (Username is null && UserId is null) throw new ArgumentException("No user name (OS_USERNAME, clouds.yaml or -Credential).");
        }
        else throw new ArgumentException($"Authentication type '{AuthType}' is not supported (password, v3applicationcredential).");
    }

    public override string ToString()
    {
        string who = ApplicationCredentialId ?? ApplicationCredentialName ?? Username ?? UserId ?? "?";
        string scope = ProjectName ?? ProjectId ?? DomainName ?? DomainId ?? (SystemScope is null ? "unscoped" : "system");
        return $"{AuthUrl} ({AuthType}, {who} on {scope}{(RegionName is null ? "" : ", " + RegionName)})";
    }
}
