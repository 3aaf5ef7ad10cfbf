@{
    Synopsis    = 'Makes Glance images require or forbid trusted hosts (image property trait:<TRAIT>).'
    Description = @'
Set-OpenStackTrustedImage sets the Glance image property trait:<TRAIT> (default trait:CUSTOM_TRUSTED_HOST) to required, or to forbidden with -Forbidden, or removes it with -Remove. Nova reads that property like a flavor's extra spec: a server booted from an image with trait:CUSTOM_TRUSTED_HOST=required lands only on hosts of the trusted pool, and with the isolating aggregate (Set-TrustedAggregate) images without it stay off trusted hosts.

Images are named by id or exact name (an ambiguous name is an error). Only that one property is changed, with a JSON patch; every other property stays. -WhatIf shows the change.
'@
    Parameters  = @{
        Image      = 'Image ids or names. Accepts pipeline input, also by the property names Id and ImageId.'
        Trait      = 'The trait of the property trait:<TRAIT>. Default: CUSTOM_TRUSTED_HOST.'
        Required   = 'Sets trait:<TRAIT>=required (the default).'
        Forbidden  = 'Sets trait:<TRAIT>=forbidden: servers from this image never land on trusted hosts.'
        Remove     = 'Removes the property.'
        PassThru   = 'Writes the image''s trust setting after the change.'
        Connection = 'The connection to use. Default: the module''s connection, else one made from OS_CLOUD or the OS_* variables.'
    }
    Outputs     = 'With -PassThru: TrustedCompute.OpenStack.TrustedImage (Id, Name, Trait, TraitValue, RequiresTrustedHost).'
    Examples    = @(
        @{ Code = 'Set-OpenStackTrustedImage -Image secure-image -PassThru'; Remarks = 'Makes servers from the image secure-image land only on trusted hosts.' }
        @{ Code = 'Set-OpenStackTrustedImage -Image secure-image -Remove -WhatIf'; Remarks = 'Shows that the property would be removed, changing nothing.' }
    )
    Notes       = 'See about_TrustedCompute_TrustedPool for the whole layout.'
    RelatedLinks = @('Set-OpenStackTrustedFlavor', 'Set-TrustedAggregate')
}
