@{
    Synopsis    = 'Replays a TPM event log and gets the PCR values it implies, per bank.'
    Description = @'
Get-TpmEventLogPcr extends every logged digest, in order, into simulated PCRs as the TPM did at boot, and writes one object per PCR and bank that an event touched: Bank (sha1, sha256, sha384, sha512), Index and Value (bytes; Hex as text).

EV_NO_ACTION events are not extended. A StartupLocality event sets the initial value of PCR 0 to 3 or 4. Banks whose algorithm cannot be computed (such as SM3) are skipped. Replay quirks (DuplicateSeparator, MissingExitBootServices) change the replay only when named by -Quirk.
'@
    Parameters  = @{
        Path        = 'Event log files to replay. Wildcards are allowed.'
        LiteralPath = 'Event log files to replay, used exactly as typed. Binds to PSPath from Get-ChildItem.'
        PcrIndex    = 'Writes only these PCR indexes, 0-23. Default: every PCR an event touched.'
        Bank        = 'Writes only these banks: sha1, sha256, sha384 or sha512. Default: every bank of the log.'
        Quirk       = 'Known firmware deviations to apply: TrailingPadding and SpecIdVendorInfoOutsideEvent while parsing; DuplicateSeparator (extend a PCR''s separator once) and MissingExitBootServices (extend the two ExitBootServices actions into PCR 5 when the log lacks them) while replaying. Default: none.'
    }
    Outputs     = 'TrustedCompute.EventLog.ReplayedPcr, one per PCR and bank an event touched: Bank, Index, Value and Hex.'
    Examples    = @(
        @{
            Code    = 'Get-TpmEventLogPcr -Path ./log.bin -Bank sha256'
            Remarks = 'Shows the SHA-256 PCR values a saved log implies. Without -Path or -LiteralPath the local log is read.'
        }
        @{
            Code    = 'Get-ChildItem ./*.bin | Get-TpmEventLogPcr -PcrIndex 0, 7 | Group-Object Bank, Index, Hex'
            Remarks = 'Compares the firmware and Secure Boot PCRs that a set of saved logs imply.'
        }
    )
    RelatedLinks = @('Get-TpmEventLog', 'Compare-TpmEventLog', 'about_TrustedCompute_EventLog')
}
