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
    Examples    = @(
        @{ Code = '$policy | Export-LaunchControlPolicy -Path /boot/lcp/po -PassThru'; Remarks = 'Writes /boot/lcp/po.pol and /boot/lcp/po.data.' }
    )
    RelatedLinks = @('Import-LaunchControlPolicy', 'New-LaunchControlPolicy')
}
