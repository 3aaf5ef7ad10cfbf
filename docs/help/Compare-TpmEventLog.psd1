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
        AllowQuirk   = 'Replay quirks a policy accepts: DuplicateSeparator, MissingExitBootServices. Tried only when the plain replay differs. Default: none.'
        Quirk        = 'Parse quirks to tolerate (TrailingPadding, SpecIdVendorInfoOutsideEvent); replay quirks named here are allowed as with -AllowQuirk. Default: none.'
    }
    Outputs     = 'TrustedCompute.EventLog.PcrDifference: Bank, Index, Replayed, Actual and Reason, one per PCR that differs; nothing when every given PCR agrees.'
    Examples    = @(
        @{
            Code    = @'
$pcr7 = (Get-TpmPcr -PcrIndex 7 -Bank sha256).Hex
Compare-TpmEventLog -Path ./log.bin -ReferencePcr @{ sha256 = @{ 7 = $pcr7 } }
'@
            Remarks = 'Checks whether a saved log replays to this TPM''s PCR 7 (Secure Boot) and writes the difference if not. Without -Path or -LiteralPath the local log is read.'
        }
        @{
            Code    = @'
$reference = Get-TpmEventLogPcr -Path ./log.bin
Compare-TpmEventLog -Path ./log.bin -ReferencePcr $reference
'@
            Remarks = 'Compares a host''s log with the PCR values a known-good log replays to; here both are the same file, so nothing is written.'
        }
    )
    RelatedLinks = @('Get-TpmEventLog', 'Get-TpmEventLogPcr', 'about_TrustedCompute_EventLog')
}
