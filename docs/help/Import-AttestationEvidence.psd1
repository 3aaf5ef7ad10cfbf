@{
    Synopsis    = 'Reads attestation evidence from JSON files.'
    Description = 'Import-AttestationEvidence reads evidence files written by Export-AttestationEvidence. Files larger than 16 MiB, of another version, with unknown fields, wrong types or missing fields are rejected with the error id ImportAttestationEvidenceInvalid; the content is judged only by Invoke-HostAttestation.'
    Parameters  = @{
        Path        = 'Evidence files; wildcards are allowed.'
        LiteralPath = 'Evidence files, taken literally.'
    }
    Examples    = @(
        @{ Code = 'Import-AttestationEvidence ./evidence/*.json | Invoke-HostAttestation -AttestationKey ./ak.pem -PolicyPath ./golden.yaml -Nonce $nonce'; Remarks = 'Verifies saved evidence against a policy.' }
    )
    RelatedLinks = @('Export-AttestationEvidence', 'Invoke-HostAttestation')
}
