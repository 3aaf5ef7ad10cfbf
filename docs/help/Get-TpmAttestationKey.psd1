@{
    Synopsis    = 'Gets the attestation keys kept persistent in a TPM.'
    Description = 'Get-TpmAttestationKey lists every persistent restricted signing key (the keys that can sign quotes) with its handle, public area, Name and qualified name, or reads the keys at the given handles.'
    Parameters  = @{
        AttestationKeyHandle = 'Persistent handles to read (alias Handle). Default: every persistent restricted signing key.'
        Tpm = 'The TPM to use: swtpm:host=H,port=P[,locality=N][,timeout=S] for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'TrustedCompute.Tpm.AttestationKeyInfo, one per key: Handle, KeyType, Public (the TpmPublic that Invoke-HostAttestation -AttestationKey takes), Name and QualifiedName.'
    Examples    = @(
        @{
            Code    = 'Get-TpmAttestationKey'
            Remarks = 'Lists the attestation keys.'
        }
        @{
            Code    = 'Get-TpmAttestationKey 0x81010002 | Get-TpmQuote'
            Remarks = 'Quotes with the key at 0x81010002; Get-TpmQuote takes its handle by property name.'
        }
    )
    RelatedLinks = @('New-TpmAttestationKey', 'Remove-TpmAttestationKey')
}
