using System.Management.Automation;
using TrustedCompute.OpenStack;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.OpenStack;

/// <summary>Authenticates to Keystone v3 and makes the connection the module's default.</summary>
[Cmdlet(VerbsCommunications.Connect, "OpenStack", DefaultParameterSetName = PasswordSet)]
[OutputType("TrustedCompute.OpenStack.OpenStackSession")]
public sealed class ConnectOpenStackCommand : Infrastructure.TrustedComputeCmdlet
{
    private const string PasswordSet = "Password";
    private const string ApplicationCredentialSet = "ApplicationCredential";

    /// <summary>Cloud name in clouds.yaml (default: OS_CLOUD).</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Cloud { get; set; }

    [Parameter]
    public Uri? AuthUrl { get; set; }

    [Parameter(ParameterSetName = PasswordSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>User name = application credential id, password = its secret.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ApplicationCredentialSet)]
    [Credential]
    public PSCredential? ApplicationCredential { get; set; }

    [Parameter(ParameterSetName = PasswordSet)]
    [ValidateNotNullOrEmpty]
    public string? ProjectName { get; set; }

    [Parameter(ParameterSetName = PasswordSet)]
    [ValidateNotNullOrEmpty]
    public string? ProjectId { get; set; }

    [Parameter(ParameterSetName = PasswordSet)]
    [ValidateNotNullOrEmpty]
    public string? ProjectDomainName { get; set; }

    [Parameter(ParameterSetName = PasswordSet)]
    [ValidateNotNullOrEmpty]
    public string? UserDomainName { get; set; }

    /// <summary>Domain scope instead of a project scope.</summary>
    [Parameter(ParameterSetName = PasswordSet)]
    [ValidateNotNullOrEmpty]
    public string? DomainName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RegionName { get; set; }

    [Parameter]
    [ValidateSet("public", "internal", "admin")]
    public string? Interface { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CACertificatePath { get; set; }

    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    [Parameter]
    [ValidatePattern(@"^2\.\d+$|^latest$")]
    public string? ComputeApiVersion { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        OpenStackSession? session = null;
        var trace = new OpenStackDebugTrace(this);
        try
        {
            var cloud = OpenStackCloudLoader.Load(Cloud, OpenStackCloudLoader.ProcessEnvironment());
            ApplyParameters(cloud);
            session = new OpenStackSession(cloud);
            WriteVerbose($"Authenticating: {cloud}");
            trace.Attach(session);
            try { session.AuthenticateAsync(CancellationToken).GetAwaiter().GetResult(); }
            finally { trace.Flush(); }
        }
        catch (Exception ex) when (ex is OpenStackException or ArgumentException or IOException or KeyNotFoundException
                                       or System.Security.Cryptography.CryptographicException)
        {
            session?.Dispose();
            ThrowTerminatingError(ex, ex switch
            {
                OpenStackScopeException => ErrorIds.ConnectOpenStackScopeRefused,
                OpenStackAuthenticationException => OpenStackCmdlet.AuthenticationFailedId,
                _ => ErrorIds.ConnectOpenStackFailed,
            }, AuthUrl ?? (object?)Cloud);
            return;
        }
        WriteVerbose($"Connected: {session}; token valid until {session.TokenExpiresAt:u}.");
        OpenStackSessionState.SetDefault(session);
        if (PassThru) WriteObject(session);
    }

    private void ApplyParameters(OpenStackCloud cloud)
    {
        if (AuthUrl is not null) cloud.AuthUrl = OpenStackCloudLoader.NormalizeAuthUrl(AuthUrl.AbsoluteUri);
        if (Credential is not null)
        {
            cloud.AuthType = OpenStackCloud.PasswordAuth;
            cloud.Username = Credential.UserName;
            cloud.UserId = null;
            cloud.SetSecret(Credential.GetNetworkCredential().Password);
        }
        if (ApplicationCredential is not null)
        {
            cloud.AuthType = OpenStackCloud.ApplicationCredentialAuth;
            cloud.ApplicationCredentialId = ApplicationCredential.UserName;
            cloud.ApplicationCredentialName = null;
            cloud.SetSecret(ApplicationCredential.GetNetworkCredential().Password);
        }
        if (ProjectName is not null) (cloud.ProjectName, cloud.ProjectId) = (ProjectName, null);
        if (ProjectId is not null) (cloud.ProjectId, cloud.ProjectName) = (ProjectId, null);
        if (ProjectDomainName is not null) (cloud.ProjectDomainName, cloud.ProjectDomainId) = (ProjectDomainName, null);
        if (UserDomainName is not null) (cloud.UserDomainName, cloud.UserDomainId) = (UserDomainName, null);
        if (DomainName is not null) (cloud.DomainName, cloud.DomainId, cloud.ProjectName, cloud.ProjectId) = (DomainName, null, null, null);
        if (RegionName is not null) cloud.RegionName = RegionName;
        if (Interface is not null) cloud.Interface = Interface;
        if (CACertificatePath is not null)
        {
            // an explicit CA file means verify against it, whatever OS_INSECURE or clouds.yaml's verify/insecure say
            cloud.CACertificatePath = GetUnresolvedProviderPathFromPSPath(CACertificatePath);
            cloud.SkipCertificateCheck = false;
        }
        if (SkipCertificateCheck) cloud.SkipCertificateCheck = true;
        else if (cloud.SkipCertificateCheck)
            WriteWarning(OpenStackCmdlet.UnverifiedWarning);
        if (ComputeApiVersion is not null) cloud.ComputeApiVersion = ComputeApiVersion;
    }
}
