# Template: build.ps1 stamps ModuleVersion (from Directory.Build.props), CmdletsToExport (the cmdlets the built
# assembly defines, by name) and FormatsToProcess into out/TrustedCompute/TrustedCompute.psd1.
@{
    RootModule           = 'TrustedCompute.psm1'
    ModuleVersion        = '0.0.0'
    GUID                 = '6f1c8a53-2b7e-4d0a-9c41-8e2f7d5b3a10'
    Author               = 'TrustedCompute contributors'
    CompanyName          = 'TrustedCompute'
    Copyright            = '(c) TrustedCompute contributors. MIT License.'
    Description          = 'TPM 2.0 remote attestation and trusted compute pools: PCRs, event logs, quotes, EK/AK, Intel TXT launch control policies and OpenStack trusted pools, for Linux and Windows fleets.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    TypesToProcess       = @('TrustedCompute.types.ps1xml')
    FormatsToProcess     = @()
    FunctionsToExport    = @()
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('TPM', 'TPM2', 'Attestation', 'TrustedComputing', 'IntelTXT', 'OpenStack', 'Security', 'Linux', 'Windows')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
