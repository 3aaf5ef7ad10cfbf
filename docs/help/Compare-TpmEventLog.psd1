@{
    Synopsis    = 'Compares the replay of a TPM event log with PCR values and lists every PCR that differs.'
    Description = @'
Compare-TpmEventLog replays an event log and compares the result with reference PCR values, such as those read from the TPM or carried by a verified quote. It writes one object per differing PCR (Bank, Index, Replayed, Actual, Reason) and nothing when every given PCR agrees, like Compare-Object. A PCR that no event touched is compared with its reset value.

If the plain replay differs and -AllowQuirk names replay quirks, each allowed quirk is tried alone, then all together; a replay that matches only with quirks is reported as a warning naming them. Without -AllowQuirk no quirk is ever applied.
'@
    Parameters  = @{
        Path         = 'Event log files to compare. Wildcards are allowed.'
        LiteralPath  = 'Event log files to compare, used exactly as typed. Binds to PSPath from Get-ChildItem.'
        ReferencePcr = 'The PCR values to compare with: objects with Bank (or Algorithm), Index and Value (bytes or a hex string) properties, such as the output of Get-TpmEventLogPcr, or a hashtable of bank to a hashtable of PCR index to value, for example @{ sha256 = @{ 0 = ''3d45...''; 7 = ''...'' } }.'
        AllowQuirk   = 'Replay quirks a policy accepts: DuplicateSeparator, MissingExitBootServices. Tried only when the plain replay differs.'
        Quirk        = 'Parse quirks to tolerate (TrailingPadding, SpecIdVendorInfoOutsideEvent); replay quirks named here are allowed as with -AllowQuirk.'
    }
    Examples    = @(
        @{ Code = 'Compare-TpmEventLog -ReferencePcr @{ sha256 = @{ 7 = $goldenPcr7 } }'; Remarks = 'Checks that the local log replays to the expected Secure Boot PCR 7; writes a difference if not.' }
        @{ Code = '$pcrs = Get-TpmEventLogPcr -Path golden.bin; Compare-TpmEventLog -Path host.bin -ReferencePcr $pcrs'; Remarks = 'Lists every PCR and bank where a host''s log replays differently from a golden log.' }
    )
    RelatedLinks = @('Get-TpmEventLog', 'Get-TpmEventLogPcr', 'about_TrustedCompute_EventLog')
}
