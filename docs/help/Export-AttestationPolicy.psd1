@{
    Synopsis    = 'Writes an attestation policy as YAML.'
    Description = 'Export-AttestationPolicy checks the policy and writes it as YAML that Import-AttestationPolicy reads back. An existing file is kept unless -Force is given.'
    Parameters  = @{
        Policy   = 'The policy (from New-AttestationPolicy or Import-AttestationPolicy).'
        Path     = 'The YAML file to write.'
        Force    = 'Overwrite an existing file.'
        PassThru = 'Write the file written (FileInfo) to the pipeline.'
    }
    Examples    = @(
        @{ Code = '$e | New-AttestationPolicy | Export-AttestationPolicy -Path ./golden.yaml'; Remarks = 'Saves golden values from evidence.' }
    )
    RelatedLinks = @('Import-AttestationPolicy', 'New-AttestationPolicy')
}
