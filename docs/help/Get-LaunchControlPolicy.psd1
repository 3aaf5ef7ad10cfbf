@{
    Synopsis    = 'Reads the Intel TXT launch control policy from a TPM''s platform-owner or platform-supplier NV index.'
    Description = @'
Reads LCP_POLICY2 from NV index 0x01C10106 (platform owner), 0x01C10103 (platform supplier) or, with -Legacy, the
older platform-owner index 0x01400001, using the index''s own empty authorization (the indexes are AuthRead). The
policy data is not in the TPM; give -DataPath to attach the .data file the boot loader uses, so that
Test-LaunchControlPolicy can check the pair. An index that is not defined, or never written, is a non-terminating error
(GetLaunchControlPolicyNotFound, GetLaunchControlPolicyNotWritten).
'@
    Parameters  = @{
        Authority        = 'Whose policy: PlatformOwner (default, 0x01C10106) or PlatformSupplier (0x01C10103).'
        Legacy           = 'Reads the platform-owner policy from the legacy index 0x01400001, used with SINITs that lack the new NV index set.'
        Tpm              = 'The TPM: swtpm:host=127.0.0.1,port=N, device:/dev/tpmrm0 or tbs:. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
        DataPath         = 'The policy data (.data) file to attach to the policy read from the TPM. Default: none attached.'
    }
    Outputs     = 'TrustedCompute.Txt.LaunchControlPolicy: the LCP_POLICY2 read from the index, with the policy data of -DataPath attached.'
    Examples    = @(
        @{
            Code    = @'
New-LaunchControlPolicyElement -Type Mle -Path /boot/tboot.gz | New-LaunchControlPolicy | Export-LaunchControlPolicy -Path ./po
Import-LaunchControlPolicy ./po.pol | Set-LaunchControlPolicy -Confirm:$false
Get-LaunchControlPolicy -DataPath ./po.data | Test-LaunchControlPolicy -MlePath /boot/tboot.gz
'@
            Remarks = 'Installs a policy that allows tboot, then checks the installed policy, with its data file, against tboot.'
        }
        @{
            Code    = 'Get-LaunchControlPolicy PlatformSupplier -ErrorAction SilentlyContinue'
            Remarks = 'Shows the platform supplier''s (BIOS vendor''s) policy, and nothing when there is none.'
        }
    )
    RelatedLinks = @('Set-LaunchControlPolicy', 'Test-LaunchControlPolicy')
}
