@{
    Synopsis    = 'Removes hosts from the registry.'
    Description = 'Unregister-TrustedHost removes enrolled hosts. Their results stay in the history (Get-AttestationResult). An unenrolled host is at best Unknown when attested (enrollment.none). It asks for confirmation (high impact) unless -Confirm:$false.'
    Parameters  = @{
        HostName = 'The hosts to remove.'
        StoreConnectionString = 'The store of the host registry: a SQLite file path (sqlite:<path> also works) or a PostgreSQL connection string or URI without a password (use a .pgpass file). Default: $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file.'
    }
    Outputs     = 'None.'
    Inputs      = @{ HostName = 'Get-TrustedHost output, or host names.' }
    Examples    = @(
        @{
            Code    = @'
Register-TrustedHost -EkTrustPath ./ek-roots -Tag retired | Out-Null
Get-TrustedHost -Tag retired | Unregister-TrustedHost -Confirm:$false
'@
            Remarks = 'Removes every host tagged retired without asking.'
        }
    )
    RelatedLinks = @('Register-TrustedHost', 'Get-TrustedHost')
}
