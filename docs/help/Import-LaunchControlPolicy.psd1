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
    Outputs     = 'By file type: TrustedCompute.Txt.LaunchControlPolicy (.pol), LcpPolicyData (.data), LcpPolicyList (.lst) or an LcpElement (.elt).'
    Examples    = @(
        @{
            Code    = @'
New-LaunchControlPolicyElement -Type Mle -Path /boot/tboot.gz | New-LaunchControlPolicy | Export-LaunchControlPolicy -Path ./po
Import-LaunchControlPolicy ./po.pol | Test-LaunchControlPolicy
'@
            Remarks = 'Reads a policy with its po.data (ours, or made by lcp2_crtpol) and checks it.'
        }
        @{
            Code    = @'
New-LaunchControlPolicyElement -Type Mle -Path /boot/tboot.gz | Export-LaunchControlPolicy -Path ./tboot.elt
Import-LaunchControlPolicy ./*.elt
'@
            Remarks = 'Shows the elements of .elt files, such as lcp2_crtpolelt makes.'
        }
    )
    RelatedLinks = @('Export-LaunchControlPolicy', 'Test-LaunchControlPolicy')
}
