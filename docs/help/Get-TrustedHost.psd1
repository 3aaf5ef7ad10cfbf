@{
    Synopsis    = 'Lists enrolled hosts with their latest verdict.'
    Description = 'Get-TrustedHost reads the host registry: each enrolled host with its keys, EK certificate outcome, TPM manufacturer and model, policy name and tags, plus Verdict and LastAttested from its latest result (a host never attested is Unknown). Its output binds by property name to Invoke-HostAttestation, Set-TrustedHost, Unregister-TrustedHost and Get-AttestationResult.'
    Parameters  = @{
        HostName = 'Names of hosts to get; wildcards are allowed. A name without wildcards that is not enrolled is a non-terminating error.'
        Tag      = 'Only hosts that carry every one of these tags.'
        Verdict  = 'Only hosts whose latest verdict is one of these (Trusted, Untrusted, Unknown).'
        StoreConnectionString = 'The store of the host registry: a SQLite file path (sqlite:<path> also works) or a PostgreSQL connection string or URI without a password (use a .pgpass file). Default: $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file.'
    }
    Outputs     = 'TrustedCompute.Store.EnrolledHost, with the note properties Verdict and LastAttested.'
    Inputs      = @{ HostName = 'Host names, or objects with a HostName or Name property.' }
    Examples    = @(
        @{
            Code    = @'
Register-TrustedHost -EkTrustPath ./ek-roots -Tag rack1 | Out-Null
Get-TrustedHost
'@
            Remarks = 'Enrolls this machine, then lists every enrolled host with its latest verdict.'
        }
        @{
            Code    = 'Get-TrustedHost -Tag rack1 -Verdict Unknown, Untrusted'
            Remarks = 'Lists the hosts of rack1 that are not Trusted now.'
        }
    )
    RelatedLinks = @('Register-TrustedHost', 'Set-TrustedHost', 'Get-AttestationResult', 'about_TrustedCompute_Enrollment')
}
