@{
    Synopsis    = 'Tells whether attestation policy files are valid.'
    Description = 'Test-AttestationPolicy reads each file as Import-AttestationPolicy does and writes $true or $false; the reason a file is invalid (with its line where YAML gives one) is written as a warning.'
    Parameters  = @{
        Path        = 'Policy files; wildcards are allowed.'
        LiteralPath = 'Policy files, taken literally.'
    }
    Outputs     = 'System.Boolean, one per file.'
    Examples    = @(
        @{
            Code    = 'if (-not (Test-AttestationPolicy ./golden.yaml)) { throw ''bad policy'' }'
            Remarks = 'Checks a policy before a sweep.'
        }
    )
    RelatedLinks = @('Import-AttestationPolicy')
}
