@{
    Synopsis    = 'Attests every enrolled host (or those of a tag) over SSH, records each result and sums up the sweep with an exit code.'
    Description = @'
Invoke-AttestationSweep is Invoke-HostAttestation for schedules and runbooks. It takes the enrolled hosts from the store (all of them, or those whose name matches -Name or that carry a -Tag), reaches each over SSH by its registry name, attests it through the registry (its enrolled key, its stored policy and the PCRs that policy reads, its previous result) and records the result, Unknown ones included. Hosts are attested in parallel, at most -ThrottleLimit at once, each within -TimeoutSec; one that fails is Unknown with a stable reason (collect.unreachable, collect.auth, collect.timeout, collect.tpm, collect.module) and a non-terminating error, and the sweep goes on.

Two sweeps of one store never run at once: the sweep holds a lock beside the SQLite file for its whole run (the operating system releases it when the process ends, even by kill -9); a second sweep fails with InvokeAttestationSweepBusy, or waits up to -LockTimeoutSec. A host whose sweep was killed half-way is simply attested by the next sweep. A PostgreSQL store is refused for now (InvokeAttestationSweepStoreNotSupported): per-host claims with leases for several admin nodes are not built yet.

The summary (-PassThru) carries an ExitCode for scripts: 0 when every host is Trusted, 1 when any host is not, 2 when the sweep was stopped before every host was done. A scheduled script ends with: exit (Invoke-AttestationSweep -PassThru).ExitCode
'@
    Parameters  = @{
        Name                 = 'Only the enrolled hosts whose names match (wildcards allowed). Default: every host.'
        Tag                  = 'Only the enrolled hosts with any of these tags.'
        UserName             = 'The SSH user name.'
        KeyFilePath          = 'The private key file for SSH (BatchMode is always on: nothing prompts).'
        Port                 = 'The SSH port.'
        Options              = 'SSH options (ssh -o), for example @{ UserKnownHostsFile = ''./known_hosts''; StrictHostKeyChecking = ''yes'' }.'
        ThrottleLimit        = 'Hosts attested at once. Default: 32.'
        TimeoutSec           = 'Seconds one host may take, connecting included. Default: 60.'
        RetryCount           = 'Times a host that was unreachable or timed out is tried again. Default: 1.'
        LockTimeoutSec       = 'Seconds to wait for another sweep of the same store to end. Default: 0 (fail at once).'
        AttestationKeyHandle = 'The persistent handle of the attestation key on every host. Default: 0x81010002.'
        NoEventLog           = 'Collect no event log from the hosts.'
        EventLogPath         = 'The TCG event log file on each host, resolved there (~ is the SSH user''s home). Default: each host''s platform log, or none.'
        PassThru             = 'Write one SweepSummary at the end (Total, Trusted, Untrusted, Unknown, NotTrusted, Duration, ExitCode) instead of the results.'
        StoreConnectionString = 'The store: a SQLite file path. Default: $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file.'
    }
    Outputs     = 'TrustedCompute.Attestation.AttestationResult, one per host; with -PassThru one TrustedCompute.PowerShell.Commands.Fleet.SweepSummary.'
    Examples    = @(
        @{
            Code    = @'
$summary = Invoke-AttestationSweep -Tag rack1 -UserName root -KeyFilePath ~/.ssh/fleet -PassThru
$summary | Format-List Total, Trusted, Untrusted, Unknown, NotTrusted, ExitCode
'@
            Remarks = 'Sweeps the enrolled hosts tagged rack1 and shows the summary; NotTrusted names the hosts to look at.'
        }
        @{
            Code    = 'Invoke-AttestationSweep -ThrottleLimit 16 -TimeoutSec 30 | Where-Object Verdict -ne Trusted'
            Remarks = 'Sweeps every enrolled host, 16 at a time, and shows the results that are not Trusted.'
        }
    )
    Notes = 'Run from a schedule with pwsh -NoProfile -Command "exit (Invoke-AttestationSweep -PassThru).ExitCode".'
    RelatedLinks = @('Invoke-HostAttestation', 'Get-TrustedHost', 'Get-AttestationResult', 'about_TrustedCompute_Fleet')
}
