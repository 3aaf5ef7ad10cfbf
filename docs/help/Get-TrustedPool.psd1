@{
    Synopsis    = 'Lists the hosts in the trusted pool.'
    Description = 'Get-TrustedPool lists the resource providers that carry the trait, exactly as Placement answers GET /resource_providers?required=<trait>. If the trait does not exist yet, the pool is empty.'
    Parameters  = @{
        Trait      = 'The custom trait that marks the pool. Default: CUSTOM_TRUSTED_HOST.'
        Connection = 'The connection to use. Default: the module''s connection, else one made from OS_CLOUD or the OS_* variables.'
    }
    Outputs     = 'TrustedCompute.OpenStack.TrustedPoolHost, one per resource provider that carries the trait.'
    Examples    = @(
        @{
            Code    = 'Get-TrustedPool'
            Remarks = 'Lists the hosts that carry CUSTOM_TRUSTED_HOST.'
        }
    )
    RelatedLinks = @('Sync-TrustedPool')
}
