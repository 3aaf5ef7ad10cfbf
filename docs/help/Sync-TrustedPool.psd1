@{
    Synopsis    = 'Adds and removes hosts of the trusted pool from attestation results, fail-closed.'
    Description = @'
Sync-TrustedPool takes this module's attestation results from the pipeline (live, or deserialized by Import-Clixml or remoting; any other object is refused) or one host as parameters, and keeps the trusted pool, the compute-node resource providers in Placement that carry the trait, in line with them.

A host gets the trait only when its latest result has the verdict "Trusted" (exactly) and a Time no older than -MaxAge. An Untrusted or Unknown verdict, any other value, a missing or future time, a stale result, or no result at all for a host that is in the pool removes the trait. All input is collected first, then each host is planned and changed on its own.

A host name maps to the root resource provider of that name (the hypervisor host name), else to the one root provider whose short name matches. The custom trait is created when absent. Only that one trait is ever added or removed: every other trait of a provider is kept. Provider traits are written with the provider generation, and a 409 from a concurrent writer is retried after a fresh read.

Guard rails against a broken pipeline: an empty input (no results at all, such as @(), $null or an empty result file) changes nothing and says so in a warning; it never empties the pool. A plan that removes every host of the pool, or more than -MaxRemovalPercent of it (default 25%), is a mass removal: Sync-TrustedPool asks for confirmation (ShouldContinue, above any ConfirmImpact), and stops with the terminating error SyncTrustedPoolMassRemoval, having changed nothing, under -Confirm:$false or when nobody can be asked (a non-interactive runbook). -Force carries it out without asking. Each host is still judged fail-closed; the guard stops only a mass removal.

Concurrent writers: a 409 (the provider generation changed) is retried with a fresh read and a growing, jittered wait until a deadline of 30 seconds, not a fixed number of times. A removal that still fails is a non-terminating SyncTrustedPoolRemovalFailed error for that host, is named in the summary's FailedRemovals, and once every host is done, the sync ends with the terminating error SyncTrustedPoolRemovalIncomplete: nothing stays trusted silently.

Output: one change record per host. A summary (TrustedPoolSummary) goes to the information stream with the tag TrustedPoolSummary; capture it with -InformationVariable. A host without provider, a failed call (such as a 500 or a dropped connection) is a non-terminating error for that host and the others go on. -WhatIf shows the plan.
'@
    Parameters  = @{
        InputObject = 'Results of Invoke-HostAttestation from the pipeline, live or deserialized (Import-Clixml, remoting). Any other object is a non-terminating SyncTrustedPoolInvalidInput error and admits no host.'
        HostName   = 'One attested host (alias ComputerName), given with -Verdict instead of pipeline results.'
        Verdict    = 'The verdict for -HostName; only the exact value Trusted (string or enum) admits the host.'
        Time       = 'When the host was attested (alias VerifiedAt). Results without a time are not trusted.'
        Trait      = 'The custom trait that marks the pool. Default: CUSTOM_TRUSTED_HOST.'
        MaxAge     = 'How old a Trusted result may be. Default: one hour.'
        MaxRemovalPercent = 'The share of the pool (0 to 100) one sync may remove without confirmation. Default: 25. Removing every host of the pool always needs confirmation or -Force.'
        Force      = 'Carries out a mass removal (every host of the pool, or more than -MaxRemovalPercent) without asking.'
        Connection = 'The connection to use. Default: the module''s connection, else one made from OS_CLOUD or the OS_* variables.'
    }
    Outputs     = 'TrustedCompute.OpenStack.TrustedPoolChange, one per host; a TrustedPoolSummary goes to the information stream (tag TrustedPoolSummary).'
    Inputs      = @{
        HostName = 'Attestation results (Invoke-HostAttestation) or any objects with HostName or ComputerName, Verdict and Time or VerifiedAt, such as rows of a CSV file.'
    }
    Examples    = @(
        @{
            Code    = @'
$results = Invoke-HostAttestation -Session $s -AttestationKey ./ak.pub -PolicyPath ./golden.yaml
$results | Sync-TrustedPool -MaxAge 00:30:00 -InformationVariable summary -Force
'@
            Remarks = 'Attests the host of session $s with its enrolled AK and syncs the pool from the results, no older than 30 minutes; $summary holds the totals. -Force: results for only some hosts remove every other host of the pool (fail-closed), which the mass-removal guard would otherwise stop.'
        }
        @{ Code = 'Import-Clixml results.xml | Sync-TrustedPool -WhatIf'; Remarks = 'Shows which hosts would be added or removed, changing nothing.' }
        @{ Code = 'Sync-TrustedPool -HostName compute-1 -Verdict Untrusted -Force'; Remarks = 'Takes one host out of the pool (and, fail-closed, every pool host without a result in this call). -Force, because this removes more than a quarter of a small pool.' }
        @{ Code = 'Import-Clixml results.xml | Sync-TrustedPool -MaxRemovalPercent 10 -Confirm:$false -ErrorAction Stop'; Remarks = 'A runbook: stops with SyncTrustedPoolMassRemoval, changing nothing, if the results would take more than 10% of the pool away.' }
    )
    Notes       = 'Fail-closed within a sync: every pool host without a result in the input is removed. An empty input is not a sync: it changes nothing. Set-OpenStackTrustedFlavor makes flavors require the trait.'
    RelatedLinks = @('Get-TrustedPool', 'Set-OpenStackTrustedFlavor')
}
