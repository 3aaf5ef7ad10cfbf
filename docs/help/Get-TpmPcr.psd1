@{
    Synopsis    = 'Gets PCR values from every allocated bank of a TPM, or from the banks and indexes given.'
    Description = @'
Get-TpmPcr reads Platform Configuration Registers with TPM2_PCR_Read and writes one object per PCR and bank: Index, Bank and Value (bytes; Hex as text). A TPM returns at most eight values per call; the cmdlet asks again until every selected PCR is read.

On Linux, when the TPM device cannot be opened (no rights), the values are read from /sys/class/tpm/tpm0/pcr-<bank>/<index> instead.
'@
    Parameters  = @{
        PcrIndex = 'PCR indexes to read (0-23; alias Index): numbers, arrays or strings such as ''0-7,16'' or ''0..7''. Default: every PCR the bank has.'
        Bank  = 'PCR banks to read: sha1, sha256, sha384 or sha512. Default: every allocated bank. A bank the TPM has not allocated is an error.'
        Tpm = 'The TPM to use: swtpm:host=H,port=P[,locality=N][,timeout=S] for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'TrustedCompute.Tpm.TpmPcrValue, one per PCR and bank: Index, Bank, Value (bytes) and Hex.'
    Examples    = @(
        @{
            Code    = 'Get-TpmPcr -Bank sha256 -PcrIndex 0, 7'
            Remarks = 'Reads the firmware and Secure Boot policy PCRs of the SHA-256 bank.'
        }
        @{
            Code    = 'Get-TpmPcr | Group-Object Bank'
            Remarks = 'Reads every PCR of every bank and groups them by bank.'
        }
        @{
            Code    = 'Get-TpmPcr -PcrIndex ''0-7,16'' -Bank sha1'
            Remarks = 'Reads PCRs 0 to 7 and 16 of the SHA-1 bank, named as a range.'
        }
    )
    RelatedLinks = @('Update-TpmPcr', 'Get-TpmQuote', 'Get-TpmEventLogPcr')
}
