@{
    Synopsis    = 'Writes a launch control policy as .pol and .data files (or a list or element file).'
    Description = @'
Writes the policy in the byte format SINIT and tboot use: the LCP_POLICY2 to the .pol file (".pol" is added when the
path has no extension) and, for type List, the LCP_POLICY_DATA to the .data file beside it or to -DataPath. Lists,
elements and bare policy data are written to -Path as they are (.lst, .elt, .data). Existing files are kept unless
-Force is given.
'@
    Parameters  = @{
        InputObject = 'A policy from New-LaunchControlPolicy or Import-LaunchControlPolicy, or a list, element or policy data.'
        Path        = 'The .pol file, or the file for a list, element or data.'
        DataPath    = 'Where the policy data goes (default: the .pol path with the extension .data).'
        Force       = 'Overwrites existing files.'
        PassThru    = 'Writes the files written to the pipeline.'
    }
    Outputs     = 'None by default. With -PassThru, a System.IO.FileInfo for each file written.'
    Inputs      = @{
        InputObject = 'A policy, list, element or policy data, such as New-LaunchControlPolicy or Import-LaunchControlPolicy writes.'
    }
    Examples    = @(
        @{
            Code    = @'
$policy = New-LaunchControlPolicyElement -Type Mle -Path /boot/tboot.gz | New-LaunchControlPolicy
$policy | Export-LaunchControlPolicy -Path ./po -PassThru
'@
            Remarks = 'Writes po.pol (for the TPM) and po.data (for the boot loader, such as /boot/lcp/po.data).'
        }
    )
    RelatedLinks = @('Import-LaunchControlPolicy', 'New-LaunchControlPolicy')
}
