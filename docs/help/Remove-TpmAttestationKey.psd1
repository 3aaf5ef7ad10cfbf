@{
    Synopsis    = 'Evicts a persistent attestation key from a TPM.'
    Description = 'Remove-TpmAttestationKey evicts the key at -Handle (TPM2_EvictControl). It refuses handles that do not hold a restricted signing key, so an EK or a storage key is never removed by mistake. Verifiers that enrolled the key will no longer accept quotes from this host until a new key is enrolled.'
    Parameters  = @{
        AttestationKeyHandle = 'The persistent handle of the attestation key (alias Handle). Binds from the Handle property of Get-TpmAttestationKey output.'
        Tpm = 'The TPM to use: swtpm:host=H,port=P[,locality=N][,timeout=S] for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'None.'
    Examples    = @(
        @{
            Code    = 'Get-TpmAttestationKey | Remove-TpmAttestationKey -WhatIf'
            Remarks = 'Shows which keys would be evicted.'
        }
        @{
            Code    = 'Remove-TpmAttestationKey 0x81010002 -Confirm:$false'
            Remarks = 'Evicts the key at 0x81010002 without asking.'
        }
    )
    RelatedLinks = @('New-TpmAttestationKey', 'Get-TpmAttestationKey')
}
