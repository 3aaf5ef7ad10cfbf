@{
    Synopsis    = 'Reads launch control policy files: .pol (+ .data), .lst, .elt and .data, ours or tboot''s.'
    Description = @'
Reads each file by its extension: a .pol gives the policy with the .data file beside it (or -DataPath), .data the
policy data, .lst a policy list and .elt an element. Malformed files (truncated, sizes past the end, counts that
overflow, unknown versions) are rejected with an error naming the field, id ImportLaunchControlPolicyInvalid.
'@
    Parameters  = @{
        Path        = 'Files to read; wildcards allowed.'
        LiteralPath = 'Files to read, taken literally.'
        DataPath    = 'The policy data file of a .pol (default: the .data file beside it).'
    }
    Examples    = @(
        @{ Code = 'Import-LaunchControlPolicy ./po_v32_list.pol | Test-LaunchControlPolicy'; Remarks = 'Reads a policy made by lcp2_crtpol and checks it.' }
        @{ Code = 'Import-LaunchControlPolicy ./*.elt'; Remarks = 'Shows the elements lcp2_crtpolelt made.' }
    )
    RelatedLinks = @('Export-LaunchControlPolicy', 'Test-LaunchControlPolicy')
}
