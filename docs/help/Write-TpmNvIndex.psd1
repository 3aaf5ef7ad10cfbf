@{
    Synopsis    = 'Writes data to a TPM NV index with owner authorization.'
    Description = 'Write-TpmNvIndex writes bytes at an offset of an NV index (TPM2_NV_Write, chunked by the TPM''s NV buffer), authorized by the owner hierarchy. With -Define it first defines a missing index (owner read and write, auth read, no dictionary-attack protection, sized to the data). It writes the index''s public area afterwards. It changes the TPM, so it asks for confirmation (ConfirmImpact High).'
    Parameters  = @{
        Index              = 'The NV index to write.'
        Data               = 'The bytes to write.'
        Offset             = 'Where in the index to write. Default: 0.'
        Define             = 'Defines the index first when it does not exist.'
        OwnerAuthorization = 'The owner hierarchy''s authorization value, as a SecureString. Default: empty.'
        Tpm = 'The TPM to use: swtpm:host=H,port=P[,locality=N][,timeout=S] for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'TrustedCompute.Tpm.TpmNvPublic: the index''s public area after the write.'
    Examples    = @(
        @{
            Code    = 'Write-TpmNvIndex -Index 0x01500000 -Data ([Text.Encoding]::UTF8.GetBytes(''hello'')) -Define -Confirm:$false'
            Remarks = 'Defines a 5-byte index and writes to it.'
        }
        @{
            Code    = 'Write-TpmNvIndex 0x01500000 -Data (1..8) -Offset 8 -WhatIf'
            Remarks = 'Shows the write without doing it.'
        }
    )
    RelatedLinks = @('Get-TpmNvIndex', 'Read-TpmNvIndex')
}
