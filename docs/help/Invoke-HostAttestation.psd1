@{
    Synopsis    = 'Attests hosts: verifies their TPM evidence against a policy and gives a verdict with reasons.'
    Description = @'
Invoke-HostAttestation decides whether a host booted what it should. It collects evidence from the local TPM or from remote hosts (-Session), with a fresh random nonce every time, or takes evidence from the pipeline or from files, and verifies it on this machine: the quote's magic and type, the nonce, the PCR selection, the PCR digest, the signature under the expected attestation key, the qualified signer, the clock's safe flag, the TPM counters against a previous result, the event log replay, and the policy's rules.

Each host gives one AttestationResult: HostName (the name this verifier targeted: this machine, or the session's computer name), ClaimedHostName (the name the evidence claims), Verdict (Trusted, Untrusted or Unknown), Reasons (each with a stable Id such as quote.signature, quote.nonce, quote.pcrdigest, eventlog.replay, policy.pcr, policy.event, tpm.rollback, and its Pcr, Bank, Expected and Actual), Time and EvidenceDigest. The verdict is Trusted only when every check passed, which needs the enrolled attestation key (-AttestationKey) and a policy that constrains something: without -Policy or -PolicyPath the verdict is at best Unknown (policy.none), and -TrustEvidenceKey caps it at Unknown (quote.key.untrusted). A failed check makes it Untrusted, and a check that cannot be decided (no expected key, no expected nonce for saved evidence, an unsafe clock, evidence that could not be collected) makes it Unknown. Bad evidence from a host never stops the pipeline: it becomes a reason.

Without -AttestationKey or -TrustEvidenceKey the host registry decides (see about_TrustedCompute_Enrollment): the host named by the session, -HostName or this machine must be enrolled (Register-TrustedHost). Its enrolled attestation key must have signed the quote, its stored policy (unless -Policy or -PolicyPath is given) is applied, its previous result comes from the store (so reboots and rollbacks are seen across runs and processes), and the result is recorded. Evidence piped without -HostName is named by the registry after the key that signed it. An enrolled host that presents another attestation or endorsement key is Untrusted (enrollment.mismatch); a host that is not enrolled is at best Unknown (enrollment.none); a host whose EK certificate did not validate at enrollment is at best Unknown (enrollment.ek).
'@
    Parameters  = @{
        Session              = 'PSSessions to remote hosts with the TrustedCompute module; each collects evidence over a fresh nonce and it is verified here. The result carries the session''s computer name.'
        InputObject          = 'Evidence to verify (from Get-AttestationEvidence, remoting or Import-AttestationEvidence).'
        Path                 = 'Evidence files to verify; wildcards are allowed.'
        HostName             = 'The host, as the registry names it: whose evidence is verified (with -InputObject or -Path), or the name of the local TPM''s host (default: this machine''s name). It is the result''s HostName. The evidence''s own name is only a claim (ClaimedHostName): with -AttestationKey and without -HostName the verdict is at best Unknown (host.identity).'
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
        EventLogPath         = 'A TCG event log file to send with local evidence. Default: the platform''s log, or none.'
        NoEventLog           = 'Collect no event log.'
        Previous             = 'The host''s previous AttestationResult: a TPM reboot is reported (tpm.reboot) and counters that went back are Untrusted (tpm.rollback). Default: none, and no counter check.'
        Tpm                  = 'The TPM to use: swtpm:host=H,port=P[,locality=N][,timeout=S] for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'TrustedCompute.Attestation.AttestationResult, one per host: HostName, ClaimedHostName, Verdict, Reasons, Time and EvidenceDigest.'
    Inputs      = @{
        InputObject = 'Evidence from Get-AttestationEvidence, Import-AttestationEvidence or remoting.'
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
    Notes = 'The qualified-signer check assumes the attestation key is a child of the RSA endorsement key, as New-TpmAttestationKey makes it.'
    RelatedLinks = @('Get-AttestationEvidence', 'Import-AttestationPolicy', 'Register-TrustedHost', 'about_TrustedCompute_Attestation', 'about_TrustedCompute_Enrollment')
}
