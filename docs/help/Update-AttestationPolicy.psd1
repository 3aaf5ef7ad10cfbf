@{
    Synopsis    = 'Patch day: allows what a known-good, updated host now shows, and stores the policy''s next version.'
    Description = 'Update-AttestationPolicy reads the newest version of a stored policy and the evidence of an enrolled, known-good host that was updated (a new kernel, boot loader or firmware). The evidence must verify under the attestation key the registry enrolled for that host, with nothing failing (a missing nonce is tolerated: you approve the evidence yourself). Every PCR value the policy names, and the boot application, kernel command line and TXT SINIT/MLE digests its event rules allow, that the host shows and the policy does not allow yet is added as an allowed alternative; old values stay until -Retire removes every allowed value the host does not show. A reference log is replaced by the host''s. The change is recorded in the policy (approvals: who, when, from which host and evidence, what was added and retired) and stored as the next version, so the history stays in the store (Get-AttestationPolicy -AllVersions). -WhatIf lists each value it would add or retire and stores nothing. A host with any other change stays Untrusted.'
    Parameters  = @{
        PolicyName = 'The stored policy to update (its newest version).'
        Evidence   = 'The known-good host''s evidence: an object from Get-AttestationEvidence or Import-AttestationEvidence, or an evidence file path.'
        HostName   = 'The enrolled host the evidence is from. Default: the host enrolled with the evidence''s attestation key.'
        Retire     = 'Also remove every allowed value the host does not show, so the old boot is Untrusted again.'
        Comment    = 'Why the change was approved; kept in the policy and with the stored version.'
        ApprovedBy = 'Who approved the change. Default: the current user name.'
        StoreConnectionString = 'The store of the host registry and policies: a SQLite file path or a PostgreSQL connection string without a password. Default: $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file.'
    }
    Outputs     = 'TrustedCompute.Store.StoredPolicy: the new version. Nothing with -WhatIf or when the host shows nothing new (a warning says so).'
    Inputs      = @{ Evidence = 'Evidence from Get-AttestationEvidence, Import-AttestationEvidence or remoting.' }
    Examples    = @(
        @{
            Code    = @'
Get-AttestationEvidence -PcrIndex 16 | New-AttestationPolicy -Name lab | Register-AttestationPolicy
Register-TrustedHost -HostName lab-01 -EkTrustPath ./ek-roots -PolicyName lab
$null = Update-TpmPcr -PcrIndex 16 -Text 'patched boot loader' -Confirm:$false
Get-AttestationEvidence -PcrIndex 16 | Update-AttestationPolicy lab -WhatIf
'@
            Remarks = 'Enrolls this machine as lab-01 under policy lab, changes its boot (PCR 16) and lists what patch day would add: "add pcrs.sha256.16 ...". Nothing is stored.'
        }
        @{
            Code    = 'Get-AttestationEvidence -PcrIndex 16 | Update-AttestationPolicy lab -Comment ''November patch'''
            Remarks = 'Stores version 2 of lab, which allows both the old and the patched boot.'
        }
        @{
            Code    = 'Get-AttestationEvidence -PcrIndex 16 | Update-AttestationPolicy lab -Retire -Comment ''old boot loader retired'''
            Remarks = 'Once the fleet is patched: stores version 3, which allows only the patched boot.'
        }
    )
    RelatedLinks = @('Register-AttestationPolicy', 'Get-AttestationPolicy', 'Compare-AttestationEvidence', 'about_TrustedCompute_Reporting')
}
