@{
    Synopsis    = 'Extends a measurement into a PCR (for labs and tests).'
    Description = 'Update-TpmPcr hashes the text (UTF-8) or bytes with each bank''s algorithm and extends the digest into PCR -Index (TPM2_PCR_Extend), then writes the new values. A PCR cannot be rolled back except by a reboot (or, for PCR 16 and 23, a reset), so every attestation that covers it changes: it asks for confirmation (ConfirmImpact High).'
    Parameters  = @{
        PcrIndex = 'The PCR to extend (alias Index), 0-23. PCRs 17-22 need a DRTM locality (17-18: 2-4, 19: 2-3, 20: 1-3, 21-22: 2); the error names the one needed.'
        Text  = 'Text whose UTF-8 bytes are measured.'
        Data  = 'Bytes that are measured.'
        Bank  = 'Banks to extend. Default: every bank that has the PCR.'
        Tpm = 'The TPM to use: swtpm:host=H,port=P[,locality=N][,timeout=S] for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'TrustedCompute.Tpm.TpmPcrValue: the PCR''s new value in each bank extended.'
    Examples    = @(
        @{
            Code    = 'Update-TpmPcr -PcrIndex 16 -Text ''lab-test'' -Confirm:$false'
            Remarks = 'Extends a measurement of "lab-test" into the debug PCR 16.'
        }
        @{
            Code    = 'Update-TpmPcr 8 -Data ([IO.File]::ReadAllBytes(''/boot/tboot.gz'')) -WhatIf'
            Remarks = 'Shows which PCR a measurement of a file would change.'
        }
    )
    RelatedLinks = @('Get-TpmPcr')
}
