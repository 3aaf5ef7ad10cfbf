@{
    Synopsis    = 'Writes an attestation policy as YAML.'
    Description = 'Export-AttestationPolicy checks the policy and writes it as YAML that Import-AttestationPolicy reads back. An existing file is kept unless -Force is given.'
    Parameters  = @{
        Policy   = 'The policy (from New-AttestationPolicy or Import-AttestationPolicy).'
        Path     = 'The YAML file to write.'
        Force    = 'Overwrite an existing file.'
        PassThru = 'Write the file written (FileInfo) to the pipeline.'
    }
    Outputs     = 'None by default. With -PassThru, the System.IO.FileInfo of the file written.'
    Inputs      = @{
        Policy = 'A policy from New-AttestationPolicy or Import-AttestationPolicy.'
    }
    Examples    = @(
        @{
            Code    = @'
$e = Get-AttestationEvidence -PcrIndex (0..7) -NoEventLog
$e | New-AttestationPolicy -Name web-tier | Export-AttestationPolicy -Path ./web-tier.yaml
'@
            Remarks = 'Saves golden values from a known-good host''s evidence.'
        }
    )
    RelatedLinks = @('Import-AttestationPolicy', 'New-AttestationPolicy')
}
