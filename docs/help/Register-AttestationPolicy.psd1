@{
    Synopsis    = 'Stores a policy as the next version of its name.'
    Description = 'Register-AttestationPolicy validates a policy (an object or a YAML file) and stores it in the store as the next version of its name (version 1 for a new name), with who stored it, when, and a comment. Enrolled hosts whose PolicyName is that name are judged by its newest version. Older versions stay in the history (Get-AttestationPolicy -AllVersions).'
    Parameters  = @{
        Policy     = 'The policy to store (from Import-AttestationPolicy or New-AttestationPolicy).'
        PolicyPath = 'A YAML policy file to store.'
        PolicyName = 'The name to store it under. Default: the policy''s own name.'
        Comment    = 'Why this version exists; kept with it.'
        StoreConnectionString = 'The store of the host registry: a SQLite file path (sqlite:<path> also works) or a PostgreSQL connection string or URI without a password (use a .pgpass file). Default: $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file.'
    }
    Outputs     = 'TrustedCompute.Store.StoredPolicy: Name, Version, CreatedAt, CreatedBy, Comment and the YAML text.'
    Inputs      = @{ Policy = 'Policies from Import-AttestationPolicy or New-AttestationPolicy.' }
    Examples    = @(
        @{
            Code    = 'Register-AttestationPolicy -PolicyPath ./golden.yaml -Comment ''baseline after the November firmware'''
            Remarks = 'Stores the policy in golden.yaml under its own name (golden).'
        }
        @{
            Code    = 'Get-AttestationEvidence | New-AttestationPolicy -Name web | Register-AttestationPolicy'
            Remarks = 'Makes a policy from this machine''s PCRs and stores it as web.'
        }
    )
    RelatedLinks = @('Get-AttestationPolicy', 'Set-TrustedHost', 'New-AttestationPolicy')
}
