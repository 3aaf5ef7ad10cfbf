@{
    Synopsis    = 'Attests hosts: verifies their TPM evidence against a policy and gives a verdict with reasons.'
    Description = @'
Invoke-HostAttestation decides whether a host booted what it should. It collects evidence from the local TPM or from remote hosts (-Session, SSH with -HostName, WinRM with -ComputerName, or enrolled hosts from Get-TrustedHost with -UserName/-KeyFilePath), with a fresh random nonce every time, or takes evidence from the pipeline or from files, and verifies it on this machine: the quote's magic and type, the nonce, the PCR selection, the PCR digest, the signature under the expected attestation key, the qualified signer, the clock's safe flag, the TPM counters against a previous result, the event log replay, and the policy's rules.

Each host gives one AttestationResult: HostName (the name this verifier targeted: this machine, or the session's computer name), ClaimedHostName (the name the evidence claims), Verdict (Trusted, Untrusted or Unknown), Reasons (each with a stable Id such as quote.signature, quote.nonce, quote.pcrdigest, eventlog.replay, policy.pcr, policy.event, tpm.rollback, and its Pcr, Bank, Expected and Actual), Time, EvidenceDigest, Policy (the policy that judged: a stored policy's "name vN", else the given policy's name) and PolicyDigest (SHA-256 of that policy's canonical YAML, so an audit can tell exactly which rules judged). The verdict is Trusted only when every check passed, which needs the enrolled attestation key (-AttestationKey) and a policy that constrains something: without -Policy or -PolicyPath the verdict is at best Unknown (policy.none), and -TrustEvidenceKey caps it at Unknown (quote.key.untrusted). A failed check makes it Untrusted, and a check that cannot be decided (no expected key, no expected nonce for saved evidence, an unsafe clock, evidence that could not be collected) makes it Unknown. Bad evidence from a host never stops the pipeline: it becomes a reason.

Remote hosts are attested in parallel, at most -ThrottleLimit at once (default 32, as Invoke-Command), each within -TimeoutSec; each result is written as soon as its host is done, and a progress bar shows done/total and the count of each verdict. A host that fails gives an Unknown result with one stable reason and a non-terminating error (InvokeHostAttestationRemoteFailed, its target the host), and the sweep goes on: collect.unreachable (no route, connection refused or cut; tried again -RetryCount times), collect.auth (the key or credential was refused), collect.timeout (no answer within -TimeoutSec; tried again), collect.tpm (the host's TPM failed), collect.module (the host has no PowerShell subsystem, or not this version of the module: see Install-TrustedComputeModule). Ctrl+C (or Stop-Job) stops every host in flight within about 2 seconds; the sessions this command opened are closed, so no remote process stays behind. With -AsJob the command returns at once with a job that has one child job per host: Receive-Job gives the results, Wait-Job and Stop-Job work as on Invoke-Command's jobs.

Without -AttestationKey or -TrustEvidenceKey the host registry decides (see about_TrustedCompute_Enrollment): the host named by the session, -HostName or this machine must be enrolled (Register-TrustedHost). Its enrolled attestation key must have signed the quote, its stored policy (unless -Policy or -PolicyPath is given) is applied, its previous result comes from the store (so reboots and rollbacks are seen across runs and processes), and the result is recorded. Evidence piped without -HostName is named by the registry after the key that signed it. An enrolled host that presents another attestation or endorsement key is Untrusted (enrollment.mismatch); a host that is not enrolled is at best Unknown (enrollment.none); a host whose EK certificate did not validate at enrollment is at best Unknown (enrollment.ek).
'@
    Parameters  = @{
        Session              = 'PSSessions to remote hosts with the TrustedCompute module; each collects evidence over a fresh nonce and it is verified here. The result carries the session''s computer name.'
        InputObject          = 'Evidence to verify (from Get-AttestationEvidence, remoting or Import-AttestationEvidence).'
        Path                 = 'Evidence files to verify; wildcards are allowed.'
        HostName             = 'SSH targets to attest, as Invoke-Command -HostName takes them (name, address, user@host:port); each result is named by its target, which must be the name it is enrolled under. With -InputObject, -Path or the local TPM: the one host, as the registry names it, whose evidence is verified (default: this machine''s name). It is the result''s HostName. The evidence''s own name is only a claim (ClaimedHostName): with -AttestationKey and without -HostName the verdict is at best Unknown (host.identity).'
        UserName             = 'The SSH user name. With enrolled hosts from Get-TrustedHost on the pipeline, any SSH parameter makes each host''s registry name its SSH target.'
        KeyFilePath          = 'The private key file for SSH (key-only; BatchMode is always on, so nothing prompts).'
        Port                 = 'The SSH or WinRM port.'
        Options              = 'SSH options as New-PSSession -Options takes them (ssh -o), for example @{ UserKnownHostsFile = ''./known_hosts''; StrictHostKeyChecking = ''yes'' }. Names are letters and digits; values are one line.'
        ComputerName         = 'WinRM targets (Windows PowerShell remoting). WinRM is reachable from Windows admin nodes only; on Linux use SSH.'
        Credential           = 'The credential for WinRM. It is used to connect and is never written to output, logs or the store.'
        ThrottleLimit        = 'Remote hosts attested at once. Default: 32.'
        TimeoutSec           = 'Seconds one remote host may take, connecting included (the connection itself gets half, at most 15 s). Then it is Unknown (collect.timeout, or collect.unreachable when it never answered). Default: 60.'
        RetryCount           = 'Times a host that was unreachable or timed out is tried again, each time with a fresh nonce. Default: 1.'
        AsJob                = 'Return a job at once: one child job per remote host, whose output is its result. Use Receive-Job, Wait-Job and Stop-Job.'
        JobName              = 'The name of the job (with -AsJob).'
        StoreConnectionString = 'The store of the host registry: a SQLite file path (sqlite:<path> also works) or a PostgreSQL connection string or URI without a password (use a .pgpass file). Default: $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file.'
        RetainEvidence       = 'Keep each host''s evidence in the store beside its result (registry mode), so it can be verified again later.'
        Policy               = 'The policy to apply (from Import-AttestationPolicy or New-AttestationPolicy). Without a policy, or with one that constrains nothing, the verdict is at best Unknown (policy.none).'
        PolicyPath           = 'A YAML policy file to apply, instead of -Policy.'
        AttestationKey       = 'The expected attestation key: a TpmPublic or Get-TpmAttestationKey output, TPM2B_PUBLIC bytes, DER SubjectPublicKeyInfo bytes, PEM text, or a .pub or .pem file. Evidence quoted by another key is Untrusted. A Trusted verdict needs it.'
        TrustEvidenceKey     = 'Take the attestation key from the evidence itself, for enrollment and labs. The verdict is then at best Unknown (quote.key.untrusted): a key the host supplies proves nothing.'
        AttestationKeyHandle = 'The persistent handle of the attestation key that quotes, locally or on each remote host. Default: 0x81010002.'
        Nonce                = 'The nonce saved evidence must carry. Without it, saved evidence may be a replay and the verdict is at best Unknown.'
        PcrIndex             = 'PCRs to quote when collecting. Default: the PCRs the policy reads, else 0-7.'
        Bank                 = 'Banks to quote when collecting. Default: the policy''s banks, else sha256.'
        EventLogPath         = 'A TCG event log file to send with the evidence. For the local TPM a path here; for remote hosts (sessions, SSH, WinRM, enrolled hosts) a path on each host, resolved there (~ is the remote user''s home). Default: the platform''s log, or none.'
        NoEventLog           = 'Collect no event log.'
        Previous             = 'The host''s previous AttestationResult: a TPM reboot is reported (tpm.reboot) and counters that went back are Untrusted (tpm.rollback). Default: none, and no counter check.'
        Tpm                  = 'The TPM to use: swtpm:host=H,port=P[,locality=N][,timeout=S] for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'TrustedCompute.Attestation.AttestationResult, one per host: HostName, ClaimedHostName, Verdict, Reasons, Time, EvidenceDigest, Policy and PolicyDigest. With -AsJob: a TrustedCompute.PowerShell.Commands.Fleet.AttestationJob.'
    Inputs      = @{
        InputObject = 'Evidence from Get-AttestationEvidence, Import-AttestationEvidence or remoting; or enrolled hosts from Get-TrustedHost.'
        HostName    = 'SSH targets, by property name.'
        ComputerName = 'WinRM targets, by property name.'
    }
    Examples    = @(
        @{
            Code    = 'Invoke-HostAttestation -AttestationKey (Get-TpmAttestationKey 0x81010002) -PolicyPath ./golden.yaml'
            Remarks = 'Attests this machine against a golden policy with its attestation key: Trusted, or Untrusted naming each PCR that differs.'
        }
        @{
            Code    = 'Invoke-HostAttestation -Session $sessions -AttestationKey ./ak.pem -PolicyPath ./golden.yaml | Format-List'
            Remarks = 'Attests the remote hosts of the PSSessions in $sessions and lists every reason.'
        }
        @{
            Code    = @'
$results = Invoke-HostAttestation -Session $sessions -ThrottleLimit 16 -TimeoutSec 30 -ErrorVariable failed
$results | Group-Object Verdict -NoElement
$failed | ForEach-Object { "$($_.TargetObject): $($_.Exception.ReasonId)" }
'@
            Remarks = 'Attests many hosts at once through the registry, 16 at a time with 30 s each; counts the verdicts and lists the hosts that could not be attested with their reason (collect.unreachable, collect.auth, collect.timeout, collect.tpm, collect.module).'
        }
        @{
            Code    = @'
$job = Invoke-HostAttestation -Session $sessions -AsJob
$job | Wait-Job -Timeout 120 | Receive-Job | Format-Table HostName, Verdict
$job.ChildJobs | Format-Table Location, State
'@
            Remarks = 'Attests as a background job with one child job per host, then gathers the results.'
        }
        @{
            Code    = @'
[byte[]] $akBytes = Invoke-Command -Session $s { (Get-TpmAttestationKey 0x81010002).Public.ToTpm2BPublic() }
Invoke-HostAttestation -Session $s -AttestationKey $akBytes -PolicyPath ./golden.yaml
'@
            Remarks = 'Takes a remote host''s AK public area as TPM2B_PUBLIC bytes and attests the host with it, without the registry.'
        }
        @{
            Code    = @'
Register-AttestationPolicy -PolicyPath ./golden.yaml
Register-TrustedHost -EkTrustPath ./ek-roots -PolicyName golden
Invoke-HostAttestation
Get-AttestationResult -Last 1
'@
            Remarks = 'Enrolls this machine with the stored policy golden, then attests it through the registry: the enrolled key and policy are used and the result is kept in the store.'
        }
        @{
            Code    = @'
$nonce = [Security.Cryptography.RandomNumberGenerator]::GetBytes(32)
Get-AttestationEvidence -Nonce $nonce | Export-AttestationEvidence -Path ./saved.json
$policy = Import-AttestationPolicy ./golden.yaml
Import-AttestationEvidence ./saved.json | Invoke-HostAttestation -AttestationKey ./ak.pub -Nonce $nonce -Policy $policy
'@
            Remarks = 'Verifies saved evidence again, offline, with the nonce it was collected over.'
        }
        @{
            Code    = 'Invoke-HostAttestation -TrustEvidenceKey -PolicyPath ./golden.yaml'
            Remarks = 'Enrollment and labs: checks the evidence with its own key. The verdict is at best Unknown (quote.key.untrusted).'
        }
    )
    Notes = 'Over SSH without sessions: Get-TrustedHost -Tag rack1 | Invoke-HostAttestation -UserName root -KeyFilePath ~/.ssh/fleet -Options @{ StrictHostKeyChecking = ''yes'' } attests every enrolled host of the tag, reaching each by its registry name; Invoke-HostAttestation -HostName web1, web2 -UserName admin does the same for named hosts. The remote hosts need the same version of this module (collect.module otherwise). The qualified-signer check assumes the attestation key is a child of the RSA endorsement key, as New-TpmAttestationKey makes it.'
    RelatedLinks = @('Get-AttestationEvidence', 'Get-TrustedHost', 'about_TrustedCompute_Fleet', 'Import-AttestationPolicy', 'Register-TrustedHost', 'about_TrustedCompute_Attestation', 'about_TrustedCompute_Enrollment')
}
