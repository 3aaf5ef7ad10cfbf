@{
    Synopsis    = 'Reads an attestation policy from a YAML file.'
    Description = 'Import-AttestationPolicy reads a policy strictly: at most 1 MiB, one document, no YAML tags, anchors or aliases, no unknown keys (the error names the line), schemaVersion 1, known bank names, hex digests of the bank''s size, PCR indexes 0-23, valid regular expressions and known quirk names. A bad file is the error ImportAttestationPolicyInvalid.'
    Parameters  = @{
        Path        = 'Policy files; wildcards are allowed.'
        LiteralPath = 'Policy files, taken literally.'
    }
    Outputs     = 'TrustedCompute.Attestation.AttestationPolicy, one per file.'
    Examples    = @(
        @{
            Code    = '$policy = Import-AttestationPolicy ./golden.yaml'
            Remarks = 'Reads a policy for Invoke-HostAttestation -Policy.'
        }
    )
    RelatedLinks = @('Test-AttestationPolicy', 'Export-AttestationPolicy', 'about_TrustedCompute_Attestation')
}
