@{
    Synopsis    = 'Shows, event by event, what changed between two boots.'
    Description = 'Compare-AttestationEvidence compares the event logs of two boots PCR by PCR and writes one EventDifference per event that was Added, Removed, Changed (the same component, such as a boot application path, an EFI variable or the kernel command line, measured with another digest) or Moved (the same measurement at another place). Each difference names the PCR, the event type, the component in plain words and the old and new digests of the strongest bank both events have. The reference can be evidence, an evidence file, a stored result whose evidence the store kept (Invoke-HostAttestation -RetainEvidence) or a policy made with New-AttestationPolicy -KeepReferenceLog. It verifies nothing: the texts are the hosts'' own, and only Invoke-HostAttestation decides a verdict. Identical logs give no output.'
    Parameters  = @{
        ReferenceObject  = 'The earlier boot: evidence, an evidence file path, an AttestationResult whose evidence the store kept, or an AttestationPolicy with a reference log.'
        DifferenceObject = 'The later boot: evidence, an evidence file path or an AttestationResult whose evidence the store kept.'
        PcrIndex         = 'Only these PCRs (0-23). Default: every PCR either log extends.'
        StoreConnectionString = 'The store that kept the evidence of results given as input: a SQLite file path or a PostgreSQL connection string without a password. Default: $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file.'
    }
    Outputs     = 'TrustedCompute.Reporting.EventDifference: Change, Pcr, EventType, Component, Name, OldDescription, NewDescription, Bank, OldDigest, NewDigest, OldIndex, NewIndex and a one-line Summary.'
    Inputs      = @{ DifferenceObject = 'Evidence from Get-AttestationEvidence or Import-AttestationEvidence, or results from Get-AttestationResult.' }
    Examples    = @(
        @{
            Code    = @'
$before = Get-AttestationEvidence -EventLogPath ./log.bin
$after = Get-AttestationEvidence -EventLogPath ./log.bin
Compare-AttestationEvidence $before $after
'@
            Remarks = 'Two collections of the same boot: no output, nothing changed.'
        }
        @{
            Code    = @'
$before | Export-AttestationEvidence -Path ./before.json
Compare-AttestationEvidence ./before.json $after -PcrIndex 4, 7 | Format-List Summary, OldDigest, NewDigest
'@
            Remarks = 'Compares saved evidence with newer evidence, in the boot manager and Secure Boot PCRs only.'
        }
    )
    RelatedLinks = @('Update-AttestationPolicy', 'New-AttestationPolicy', 'Invoke-HostAttestation', 'about_TrustedCompute_Reporting')
}
