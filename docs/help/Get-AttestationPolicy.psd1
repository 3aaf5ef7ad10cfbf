@{
    Synopsis    = 'Reads stored policies and their versions.'
    Description = 'Get-AttestationPolicy reads the policies in the store: the newest version of each name, a given -Version, or with -AllVersions the whole history, oldest first. The Yaml property holds the policy text; Import it with ConvertFrom of the text or export it with Set-Content.'
    Parameters  = @{
        PolicyName  = 'Names of policies to read; wildcards are allowed. Default: every policy.'
        Version     = 'Only this version.'
        AllVersions = 'Every version, oldest first, not only the newest.'
        StoreConnectionString = 'The store of the host registry: a SQLite file path (sqlite:<path> also works) or a PostgreSQL connection string or URI without a password (use a .pgpass file). Default: $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file.'
    }
    Outputs     = 'TrustedCompute.Store.StoredPolicy.'
    Examples    = @(
        @{
            Code    = @'
Register-AttestationPolicy -PolicyPath ./golden.yaml | Out-Null
Register-AttestationPolicy -PolicyPath ./golden.yaml -Comment 'same again' | Out-Null
Get-AttestationPolicy golden -AllVersions
'@
            Remarks = 'Stores two versions of golden and lists its history.'
        }
        @{
            Code    = '(Get-AttestationPolicy golden).Yaml | Set-Content ./golden-current.yaml'
            Remarks = 'Writes the newest version of golden to a file.'
        }
    )
    RelatedLinks = @('Register-AttestationPolicy', 'Import-AttestationPolicy')
}
