@{
    Synopsis    = 'Puts this version of the TrustedCompute module on remote hosts over their PSSessions.'
    Description = @'
Install-TrustedComputeModule copies the module this session has loaded (its whole folder: the cmdlets, the private dependencies and their native libraries) to each remote host of -Session, into the first folder of the remote user's PSModulePath as TrustedCompute/<version>, so that Invoke-HostAttestation and Invoke-AttestationSweep find the same version there. A host that has this version already is left alone (and reported with Copied = False) unless -Force is given. A host that lacks the module, or has another version, is otherwise Unknown with collect.module when it is attested.

Each host is asked with ShouldProcess: -WhatIf shows what would be copied where, -Confirm asks for each host. A host that cannot be reached or written gives a non-terminating error (InstallTrustedComputeModuleFailed) and the next host is done.
'@
    Parameters  = @{
        Session = 'PSSessions to the hosts to install the module on (SSH or WinRM).'
        Force   = 'Copy the module even when the host has this version already (replacing that folder).'
    }
    Inputs      = @{
        Session = 'PSSessions from New-PSSession.'
    }
    Outputs     = 'TrustedCompute.PowerShell.Commands.Fleet.ModuleInstallation, one per host: ComputerName, Path, Version and Copied.'
    Examples    = @(
        @{
            Code    = 'Install-TrustedComputeModule -Session $sessions -WhatIf'
            Remarks = 'Shows where the module would be copied on each host, without copying.'
        }
        @{
            Code    = 'Install-TrustedComputeModule -Session $sessions | Format-Table ComputerName, Version, Copied, Path'
            Remarks = 'Installs the module on the hosts that do not have this version yet.'
        }
    )
    RelatedLinks = @('Invoke-HostAttestation', 'Invoke-AttestationSweep', 'about_TrustedCompute_Fleet')
}
