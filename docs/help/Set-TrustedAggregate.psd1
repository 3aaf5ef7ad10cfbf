@{
    Synopsis    = 'Keeps untrusted workloads off trusted hosts: an isolating Nova aggregate whose Placement members are the trusted pool.'
    Description = @'
Set-TrustedAggregate manages one Nova host aggregate (default name trusted-hosts, created when absent) for the trusted pool. It sets the aggregate metadata trait:<TRAIT>=required and makes the aggregate's Placement members (the aggregate's UUID on the resource providers) exactly the providers that carry the trait: hosts that joined the pool are added, hosts that left it are removed first. Each provider's aggregates are written with its generation, and a 409 from a concurrent writer is retried after a fresh read until a deadline.

With Nova's isolated-aggregate filtering turned on ([scheduler] enable_isolated_aggregate_filtering = True in nova.conf), the scheduler then asks Placement for candidates outside this aggregate for every flavor and image that does not require the trait, so untrusted workloads never land on trusted hosts; a flavor with trait:<TRAIT>=required (Set-OpenStackTrustedFlavor) or an image with the trait lands only on hosts that carry it. The Nova aggregate's own host list is not changed: the scheduler's isolation uses the Placement membership.

Run it after each Sync-TrustedPool. Every change asks ShouldProcess, so -WhatIf shows the plan. Output: the aggregate after the sync, with the members and what was added and removed.
'@
    Parameters  = @{
        Name       = 'Name of the Nova host aggregate. Default: trusted-hosts.'
        Trait      = 'The custom trait of the pool. Default: CUSTOM_TRUSTED_HOST.'
        Connection = 'The connection to use. Default: the module''s connection, else one made from OS_CLOUD or the OS_* variables.'
    }
    Outputs     = 'TrustedCompute.OpenStack.TrustedAggregate: Name, Id, Uuid, Trait, MetadataValue, Isolated, Members, Added, Removed, Created.'
    Examples    = @(
        @{ Code = 'Set-TrustedAggregate -WhatIf'; Remarks = 'Shows what would be created, set, added or removed, changing nothing.' }
        @{
            Code    = @'
Import-Clixml results.xml | Sync-TrustedPool
Set-TrustedAggregate | Format-List Name, Isolated, Members, Added, Removed
'@
            Remarks = 'Syncs the pool from saved results, then the isolating aggregate from the pool.'
        }
    )
    Notes       = 'See about_TrustedCompute_TrustedPool for the whole layout: traits on hosts, flavors and images, the isolating aggregate and Nova''s settings.'
    RelatedLinks = @('Sync-TrustedPool', 'Set-OpenStackTrustedFlavor', 'Get-TrustedPool')
}
