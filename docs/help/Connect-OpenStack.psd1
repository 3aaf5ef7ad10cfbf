@{
    Synopsis    = 'Authenticates to Keystone v3 and makes the connection the default for the OpenStack cmdlets.'
    Description = @'
Connect-OpenStack reads the cloud settings the way openstackclient does: the cloud named by -Cloud or OS_CLOUD from clouds.yaml (searched in the current folder, the user's config folder such as ~/.config/openstack, and the site folder such as /etc/openstack, or the file named by OS_CLIENT_CONFIG_FILE; secure.yaml beside it is merged in), then the OS_* environment variables on top, then the parameters given here, which always win.

It supports password authentication (-Credential, or OS_USERNAME/OS_PASSWORD) and application credentials (-ApplicationCredential, or OS_APPLICATION_CREDENTIAL_ID/OS_APPLICATION_CREDENTIAL_SECRET), with project, domain or system scope. The token is reused until shortly before it expires and renewed once when a service answers 401. TLS certificates are verified unless -SkipCertificateCheck is given; -CACertificatePath anchors them on a private CA.

When Keystone refuses, the error says why: an auth URL that is not Keystone v3 (its version document is not Keystone's) is ConnectOpenStackFailed; refused credentials are OpenStackAuthenticationFailed; credentials that are good for a scope Keystone refuses are ConnectOpenStackScopeRefused, telling a project that does not exist, a project in another domain and a missing role apart (as far as the user's own rights allow: only an administrator can look up a project it has no role on). A TLS failure says whether the certificate's name or its chain failed. -Debug shows each HTTP call (method, URL, microversion, status, time, request id), never a token, a password or a request body.

After connecting, the connection shows the scope Keystone gave the token (Scope), which for an application credential is the credential's own project.

Secrets are only accepted as PSCredential objects; they never appear in output, verbose messages or errors. The connection becomes the module's default; -PassThru also writes it to the pipeline for use with -Connection.
'@
    Parameters  = @{
        Cloud                 = 'Name of a cloud in clouds.yaml. Default: the OS_CLOUD environment variable.'
        AuthUrl               = 'Keystone URL. "/v3" is appended when missing. Overrides auth_url and OS_AUTH_URL. Default: from clouds.yaml and the OS_* variables.'
        Credential            = 'User name and password for password authentication. Default: from clouds.yaml and the OS_* variables.'
        ApplicationCredential = 'An application credential: its id as the user name and its secret as the password. Application credentials carry their own project scope.'
        ProjectName           = 'Project to scope the token to. Default: from clouds.yaml and the OS_* variables.'
        ProjectId             = 'Project id to scope the token to. Default: from clouds.yaml and the OS_* variables.'
        ProjectDomainName     = 'Domain of -ProjectName. Default: the Default domain.'
        UserDomainName        = 'Domain of the user. Default: the Default domain.'
        DomainName            = 'Scopes the token to this domain instead of a project. Default: from clouds.yaml and the OS_* variables.'
        RegionName            = 'Region whose endpoints are used from the service catalog. Default: from clouds.yaml and the OS_* variables.'
        Interface             = 'Catalog interface to use: public (default), internal or admin.'
        CACertificatePath     = 'PEM file of CA certificates that the services'' TLS certificates must chain to. Default: from clouds.yaml and the OS_* variables.'
        SkipCertificateCheck  = 'Turns off TLS certificate verification. Only for test clouds.'
        ComputeApiVersion     = 'Compute microversion sent on flavor calls, such as 2.1 or 2.86. Default: negotiated from Nova''s version document, the highest both know up to 2.86 (from 2.61 flavor lists carry the extra specs; from 2.86 Nova validates them).'
        PassThru              = 'Writes the connection object to the pipeline.'
    }
    Outputs     = 'None by default. With -PassThru, the TrustedCompute.OpenStack.OpenStackSession, which is also the module''s default connection.'
    Examples    = @(
        @{
            Code    = 'Connect-OpenStack'
            Remarks = 'Connects with the cloud that OS_CLOUD names in clouds.yaml, or with the OS_* environment variables, as openstackclient does.'
        }
        @{
            Code    = '$conn = Connect-OpenStack -ComputeApiVersion 2.86 -PassThru'
            Remarks = 'Connects with the same settings, lets Nova validate extra specs (microversion 2.86) and keeps the connection for -Connection.'
        }
    )
    RelatedLinks = @('Disconnect-OpenStack', 'about_TrustedCompute_OpenStack')
}
