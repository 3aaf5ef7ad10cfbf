@{
    Synopsis    = 'Reads the data of a TPM NV index.'
    Description = 'Read-TpmNvIndex reads an NV index, whole or a range, in chunks of the TPM''s largest NV buffer, authorizing with the index''s own authorization value (or the owner''s where the index allows only owner reads). It writes Index, Offset and Data (bytes).'
    Parameters  = @{
        Index         = 'The NV index to read. Binds from the Index property of Get-TpmNvIndex output.'
        Offset        = 'The first byte to read. Default: 0.'
        Size          = 'How many bytes to read. Default: the rest of the index.'
        Authorization = 'The authorization value of the index (or of the owner), as a SecureString. Default: empty.'
        Tpm = 'The TPM to use: swtpm:host=H,port=P[,locality=N][,timeout=S] for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'TrustedCompute.PowerShell.Commands.Tpm.TpmNvContent: Index, Offset and Data (bytes).'
    Examples    = @(
        @{
            Code    = '(Read-TpmNvIndex -Index 0x01C00002).Data | Set-Content ek.der -AsByteStream'
            Remarks = 'Saves the RSA EK certificate.'
        }
        @{
            Code    = @'
$null = Write-TpmNvIndex 0x01500000 -Data ([byte[]] (1..64)) -Define -Confirm:$false
Read-TpmNvIndex 0x01500000 -Offset 16 -Size 32
'@
            Remarks = 'Defines and fills a 64-byte index, then reads 32 bytes from offset 16.'
        }
    )
    RelatedLinks = @('Get-TpmNvIndex', 'Write-TpmNvIndex')
}
