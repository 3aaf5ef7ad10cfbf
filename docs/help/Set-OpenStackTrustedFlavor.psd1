@{
    Synopsis    = 'Makes flavors require or forbid trusted hosts, or removes that requirement.'
    Description = @'
Set-OpenStackTrustedFlavor writes the extra specs that send a flavor's instances to the trusted pool. -Mode Trait (default) sets trait:<TRAIT>=required (or forbidden), which the Placement-based scheduler honours; -Mode Legacy sets trust:trusted_host=trusted (or untrusted) for clouds that still use that key; -Mode Both sets both. -Remove deletes the keys of the mode. No other extra spec is touched.

The compute microversion comes from the connection (Connect-OpenStack -ComputeApiVersion), else is negotiated (up to 2.86); from 2.86 Nova validates the values and its error text is passed on, naming the microversion. A key of the other mode that says the opposite is brought in line: -Mode Legacy -Forbidden on a flavor with trait:<TRAIT>=required also sets that key to forbidden, so a flavor never asks for and against trusted hosts at once.
'@
    Parameters  = @{
        Flavor     = 'Flavor ids or names. Accepts pipeline input, also by the property names Id and FlavorId.'
        Mode       = 'Which keys to write: Trait (default), Legacy or Both.'
        Trait      = 'The trait for trait:<TRAIT>. Default: CUSTOM_TRUSTED_HOST, the trait Sync-TrustedPool maintains.'
        Required   = 'Instances of the flavor must run on trusted hosts. This is the default.'
        Forbidden  = 'Instances of the flavor must not run on trusted hosts.'
        Remove     = 'Removes the keys of -Mode from the flavor.'
        PassThru   = 'Writes the flavor''s resulting trust settings to the pipeline.'
        Connection = 'The connection to use. Default: the module''s connection, else one made from OS_CLOUD or the OS_* variables.'
    }
    Outputs     = 'None by default. With -PassThru, the flavor''s resulting TrustedCompute.OpenStack.TrustedFlavor.'
    Inputs      = @{
        Flavor = 'Flavor names or ids, or Get-OpenStackTrustedFlavor output.'
    }
    Examples    = @(
        @{
            Code    = 'Set-OpenStackTrustedFlavor -Flavor m1.secure'
            Remarks = 'Sets trait:CUSTOM_TRUSTED_HOST=required on flavor m1.secure.'
        }
        @{
            Code    = 'Set-OpenStackTrustedFlavor m1.secure -Mode Both -WhatIf'
            Remarks = 'Shows what would be set for Placement and for the old TrustedFilter.'
        }
        @{
            Code    = 'Get-OpenStackTrustedFlavor | Where-Object Mode -eq Legacy | Set-OpenStackTrustedFlavor -Mode Trait -PassThru'
            Remarks = 'Adds the trait key to every flavor that only has the legacy key.'
        }
        @{
            Code    = 'Set-OpenStackTrustedFlavor m1.secure -Mode Legacy -Remove'
            Remarks = 'Removes trust:trusted_host from the flavor.'
        }
    )
    RelatedLinks = @('Get-OpenStackTrustedFlavor', 'Sync-TrustedPool')
}
