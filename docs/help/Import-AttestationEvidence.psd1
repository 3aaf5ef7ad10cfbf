@{
    Synopsis    = 'Reads attestation evidence from JSON files.'
    Description = 'Import-AttestationEvidence reads evidence files written by Export-AttestationEvidence. Files larger than 16 MiB, of another version, with unknown fields, wrong types or missing fields are rejected with the error id ImportAttestationEvidenceInvalid; the content is judged only by Invoke-HostAttestation.'
    Parameters  = @{
        Path        = 'Evidence files; wildcards are allowed.'
        LiteralPath = 'Evidence files, taken literally.'
    }
    Outputs     = 'TrustedCompute.Attestation.AttestationEvidence, one per file.'
    Examples    = @(
        @{
            Code    = @'
$nonce = [Security.Cryptography.RandomNumberGenerator]::GetBytes(32)
$null = New-Item -ItemType Directory ./evidence
Get-AttestationEvidence -Nonce $nonce -NoEventLog | Export-AttestationEvidence -Path ./evidence
'@
            Remarks = 'Saves evidence over a nonce the verifier keeps.'
        }
        @{
            Code    = 'Import-AttestationEvidence ./evidence/*.json | Invoke-HostAttestation -AttestationKey ./ak.pem -PolicyPath ./golden.yaml -Nonce $nonce'
            Remarks = 'Verifies the saved evidence against the enrolled attestation key, a policy and that nonce.'
        }
    )
    RelatedLinks = @('Export-AttestationEvidence', 'Invoke-HostAttestation')
}
