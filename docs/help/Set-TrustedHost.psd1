@{
    Synopsis    = 'Changes an enrolled host''s policy or tags.'
    Description = 'Set-TrustedHost changes what the registry keeps for a host besides its keys: the stored policy it is judged by (-PolicyName, which must be in the store) and its tags (-Tag replaces them). To enroll a new attestation key or a new TPM, use Register-TrustedHost -Force.'
    Parameters  = @{
        HostName   = 'The enrolled host to change.'
        PolicyName = 'The stored policy to judge the host by; an empty string removes it.'
        Tag        = 'The host''s new tags, replacing its old ones; an empty array removes them.'
        PassThru   = 'Write the changed host.'
        StoreConnectionString = 'The store of the host registry: a SQLite file path (sqlite:<path> also works) or a PostgreSQL connection string or URI without a password (use a .pgpass file). Default: $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file.'
    }
    Outputs     = 'TrustedCompute.Store.EnrolledHost with -PassThru, else nothing.'
    Inputs      = @{ HostName = 'Get-TrustedHost output, or objects with a HostName property.' }
    Examples    = @(
        @{
            Code    = @'
Register-AttestationPolicy -PolicyPath ./golden.yaml | Out-Null
Register-TrustedHost -EkTrustPath ./ek-roots | Out-Null
Get-TrustedHost | Set-TrustedHost -PolicyName golden -Tag web, rack2 -PassThru
'@
            Remarks = 'Judges every enrolled host by the stored policy golden from now on and tags them.'
        }
    )
    RelatedLinks = @('Get-TrustedHost', 'Register-AttestationPolicy', 'about_TrustedCompute_Enrollment')
}
