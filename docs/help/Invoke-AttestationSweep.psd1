@{
    Synopsis    = 'Attests every enrolled host (or those of a tag) over SSH, records each result and sums up the sweep with an exit code.'
    Description = @'
Invoke-AttestationSweep is Invoke-HostAttestation for schedules and runbooks. It takes the enrolled hosts from the store (all of them, or those whose name matches -Name or that carry a -Tag), reaches each over SSH by its registry name, attests it through the registry (its enrolled key, its stored policy and the PCRs that policy reads, its previous result) and records the result, Unknown ones included. Hosts are attested in parallel, at most -ThrottleLimit at once, each within -TimeoutSec; one that fails is Unknown with a stable reason (collect.unreachable, collect.auth, collect.timeout, collect.tpm, collect.module) and a non-terminating error, and the sweep goes on.

No double work. A sweep of a SQLite store holds a lock beside the file for its whole run (the operating system releases it when the process ends, even by kill -9); a second sweep fails with InvokeAttestationSweepBusy, or waits up to -LockTimeoutSec. After a sweep killed half-way, the next sweep attests every host again. Sweeps of a PostgreSQL store share it instead, so several admin nodes can sweep one fleet: each sweep claims a host (SELECT ... FOR UPDATE SKIP LOCKED) just before attesting it, with a lease of every attempt's timeout plus 30 s. Sweeps running at the same time form one round: a host attested since the round began is not attested again (the summary counts it in Elsewhere, by the result the other node recorded), a host another node holds is asked for again each second, and a host whose node died is taken over once its lease runs out. Every sweep is recorded in the store (its node, start, round and counts).

With -WebhookUri every host whose verdict is not what its previous result said is posted, one JSON object per change ({ id, event: "trustedcompute.verdict.changed", host, previous, verdict, time, reasons: [{ id, severity, message }], sweep, node }), in order, tried again on network errors, 429 and 5xx (three attempts). The TLS certificate is verified by the system's trust store; plain HTTP is refused except to loopback. A change that is not delivered is a non-terminating error (InvokeAttestationSweepWebhookFailed) and changes nothing else. With -WebhookSecret (at least 16 characters, shared with the receiver) each attempt carries X-TrustedCompute-Timestamp (Unix seconds) and X-TrustedCompute-Signature: sha256= and the hex HMAC-SHA256 of "<timestamp>.<body>" under the secret's UTF-8 bytes; a receiver recomputes it, compares in constant time and refuses a timestamp outside its window (a few minutes). The body's id (sweep id and sequence) stays the same across attempts: a receiver that keeps the ids it took within that window refuses a replay too. The signature does not cover the URI, so give each receiver its own secret.

With -SyncOpenStack the sweep then runs Sync-TrustedPool with the latest result of every swept host (a host without one counts as Unknown): a host whose latest result is not a fresh Trusted loses the trait, with Sync-TrustedPool's guard rails (a mass removal is refused without a person to confirm it). It uses the current OpenStack connection (Connect-OpenStack, or the OS_* variables). What it changed is in the summary's PoolChanges.

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
        PassThru             = 'Write one SweepSummary at the end (Total, Trusted, Untrusted, Unknown, NotTrusted, Elsewhere, Duration, ExitCode, SweepId, WebhookDelivered, PoolChanges) instead of the results.'
        StoreConnectionString = 'The store: a SQLite file path or a PostgreSQL connection string (no password in it: use a pgpass file). Default: $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file.'
        WebhookUri           = 'Post each verdict change to this URI as JSON (https; http only to loopback).'
        WebhookSecret        = 'Sign each post with this secret (SecureString or PSCredential, at least 16 characters): HMAC-SHA256 of timestamp and body, in X-TrustedCompute-Signature.'
        SyncOpenStack        = 'After the sweep, bring the OpenStack trusted pool in line with the latest results of the swept hosts (Sync-TrustedPool).'
        EventLogPath         = 'The TCG event log file on each host, resolved there (~ is the SSH user''s home). Default: each host''s platform log, or none.'
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
