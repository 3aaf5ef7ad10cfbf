@{
    Synopsis    = 'Lists the NV indexes of a TPM with their attributes and sizes.'
    Description = 'Get-TpmNvIndex reads the public area of every defined NV index (or of the given ones): Index, NameAlg, Attributes, AuthPolicy and DataSize. EK certificates live at 0x01C00002 (RSA) and 0x01C0000A/0x01C00016 (ECC); the Intel TXT platform-owner launch control policy at 0x01C10106.'
    Parameters  = @{
        Index = 'NV indexes (0x01000000-0x01FFFFFF) to read. Default: every defined index.'
        Tpm = 'The TPM to use: swtpm:host=H,port=P[,locality=N][,timeout=S] for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'TrustedCompute.Tpm.TpmNvPublic, one per index: Index, NameAlg, Attributes, AuthPolicy and DataSize.'
    Examples    = @(
        @{
            Code    = 'Get-TpmNvIndex'
            Remarks = 'Lists every NV index.'
        }
        @{
            Code    = 'Get-TpmNvIndex -Index 0x01C00002 | Read-TpmNvIndex'
            Remarks = 'Reads the RSA EK certificate''s bytes.'
        }
    )
    RelatedLinks = @('Read-TpmNvIndex', 'Write-TpmNvIndex')
}
