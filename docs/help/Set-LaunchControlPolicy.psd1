@{
    Synopsis    = 'Installs an Intel TXT launch control policy into the TPM''s platform-owner NV index.'
    Description = @'
Writes LCP_POLICY2 to the platform-owner NV index 0x01C10106 (or, with -Legacy, 0x01400001). When the index does not
exist it is defined in the owner hierarchy with the attributes used in the field, OwnerWrite|PolicyWrite|AuthRead|NoDA
(0x0204000A), an empty auth value and the policy''s size. A larger existing index is zero-filled after the policy; a
smaller one is refused unless -Force, which undefines and defines it again. The owner authorization comes from
-OwnerAuthorization or -OwnerCredential and is never shown. Asks for confirmation (ConfirmImpact High); -WhatIf shows
what would be written. Copy the .data file to where the boot loader finds it; it is not stored in the TPM.
'@
    Parameters  = @{
        InputObject        = 'The policy, from New-LaunchControlPolicy or Import-LaunchControlPolicy.'
        Path               = 'A .pol file to install.'
        OwnerAuthorization = 'The owner hierarchy authorization as a SecureString (empty when neither this nor -OwnerCredential is given).'
        OwnerCredential    = 'The owner hierarchy authorization as a credential; the user name is ignored.'
        Legacy             = 'Writes the legacy platform-owner index 0x01400001 for older SINITs.'
        Force              = 'Undefines and defines again an existing index that is too small for the policy.'
        Tpm                = 'The TPM: swtpm:host=127.0.0.1,port=N, device:/dev/tpmrm0 or tbs:. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
        PassThru           = 'Writes what was done (index, whether it was defined, attributes, size).'
    }
    Outputs     = 'None by default. With -PassThru, a TrustedCompute.Txt.LcpNvWriteResult: the index, whether it was defined, its attributes and size.'
    Inputs      = @{
        InputObject = 'A policy from New-LaunchControlPolicy or Import-LaunchControlPolicy.'
    }
    Examples    = @(
        @{
            Code    = @'
New-LaunchControlPolicyElement -Type Mle -Path /boot/tboot.gz | New-LaunchControlPolicy | Export-LaunchControlPolicy -Path ./po
Import-LaunchControlPolicy ./po.pol | Set-LaunchControlPolicy -OwnerAuthorization (Read-Host -AsSecureString) -Confirm:$false
'@
            Remarks = 'Installs a policy with the owner authorization typed at the prompt; copy po.data to where the boot loader finds it.'
        }
        @{
            Code    = @'
$policy = Import-LaunchControlPolicy ./po.pol
$policy | Set-LaunchControlPolicy -WhatIf
'@
            Remarks = 'Shows which index would be written.'
        }
    )
    RelatedLinks = @('Get-LaunchControlPolicy', 'New-LaunchControlPolicy', 'about_TrustedCompute_Txt')
}
