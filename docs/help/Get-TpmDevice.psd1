@{
    Synopsis    = 'Gets the identity of a TPM 2.0: manufacturer, vendor strings, firmware version, specification level, PCR banks and transport.'
    Description = @'
Get-TpmDevice reads the TPM's fixed properties (TPM2_GetCapability) and its PCR allocation, and writes one object with Manufacturer, VendorString, FirmwareVersion, SpecVersion, SpecLevel, SpecYear, Banks, PcrCount, MaxNvBuffer and Transport.

It works with a hardware TPM (Linux /dev/tpmrm0, Windows TBS) and with a TPM simulator (swtpm) on TCP.
'@
    Parameters  = @{
        Tpm = 'The TPM to use: swtpm:host=H,port=P[,locality=N][,timeout=S] for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'TrustedCompute.Tpm.TpmDeviceInfo.'
    Examples    = @(
        @{
            Code    = 'Get-TpmDevice'
            Remarks = 'Shows the TPM of $env:TRUSTEDCOMPUTE_TPM, else of this machine.'
        }
        @{
            Code    = 'Get-TpmDevice -Tpm $env:TRUSTEDCOMPUTE_TPM | Format-List Manufacturer, FirmwareVersion, Banks, Transport'
            Remarks = 'Shows the TPM a connection string names, such as ''swtpm:host=127.0.0.1,port=2321'' for a simulator. Quote such a string when you type it: an unquoted comma makes an array.'
        }
    )
    RelatedLinks = @('Get-TpmPcr', 'about_TrustedCompute')
}
