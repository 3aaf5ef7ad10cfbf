@{
    Synopsis    = 'Makes an attestation policy from a known-good host''s evidence.'
    Description = 'New-AttestationPolicy takes the PCR values of evidence from a host you know to be good (verify it first with Invoke-HostAttestation) and makes a policy (schema version 1) whose golden values are those PCRs and whose required banks are the banks taken. Add event rules, more allowed values or tolerated quirks by editing the exported YAML.'
    Parameters  = @{
        FromEvidence = 'The known-good evidence (live or deserialized).'
        PcrIndex     = 'The PCRs to take golden values of. Default: every PCR in the evidence.'
        Bank         = 'The banks to take golden values of. Default: every bank in the evidence.'
        Name         = 'The policy''s name. Default: golden-<HostName>.'
        KeepReferenceLog = 'Also keep the evidence''s event log in the policy (its events in the policy''s PCRs, with the digests of the policy''s banks and a decoded description), so that a later result whose PCR breaks the policy carries an event-level diff (EventDifferences) against it. The log must replay to the evidence''s PCR values. The reference log only explains; it never changes a verdict.'
    }
    Outputs     = 'TrustedCompute.Attestation.AttestationPolicy (schema version 1), for Export-AttestationPolicy or Invoke-HostAttestation -Policy.'
    Inputs      = @{
        FromEvidence = 'Evidence from Get-AttestationEvidence, Import-AttestationEvidence or remoting.'
    }
    Examples    = @(
        @{
            Code    = 'Get-AttestationEvidence -PcrIndex (0..7) | New-AttestationPolicy -PcrIndex 0, 2, 4, 7 -Name web-tier | Export-AttestationPolicy ./web-tier.yaml'
            Remarks = 'Saves the local machine''s PCRs 0, 2, 4 and 7 as golden values.'
        }
    )
    RelatedLinks = @('Export-AttestationPolicy', 'Invoke-HostAttestation', 'about_TrustedCompute_Attestation')
}
