@{
    Synopsis    = 'Gets the events of a TPM measured-boot (TCG) event log.'
    Description = @'
Get-TpmEventLog parses a TCG PC Client event log, SHA-1 legacy or crypto-agile, and writes one object per event: its index, byte offset, PCR index, event type name, digests per bank, raw data, decoded data (Secure Boot variables, boot options, images with their device paths, GPT, firmware blobs, GRUB/shim/systemd-boot strings, TXT/DRTM types by name) and the result of the digest check.

The digest check compares each event's digests with the hash of its data for the event types whose digest the specification defines that way (separators, actions, UEFI variables, GPT, GRUB and systemd-boot command lines). DigestCheck is Verified, Mismatch (MismatchedBanks names the banks) or NotChecked (the digest covers something outside the log, such as an image file).

Without -Path or -LiteralPath it reads this machine's log: /sys/kernel/security/tpm0/binary_bios_measurements on Linux (root needed), TBS on Windows. A log that cannot be read or parsed is a non-terminating error whose message names the field and byte offset.
'@
    Parameters  = @{
        Path        = 'Event log files to read. Wildcards are allowed.'
        LiteralPath = 'Event log files to read, used exactly as typed (no wildcards). Binds to PSPath from Get-ChildItem.'
        PcrIndex    = 'Writes only events that extend (or are logged for) these PCR indexes, 0-23. Default: every PCR.'
        EventType   = 'Writes only events whose type name matches one of these names, such as EV_SEPARATOR or EV_EFI_*. Wildcards are allowed. Default: every type.'
        Quirk       = 'Known firmware deviations to tolerate while parsing: TrailingPadding (the log ends in 0x00 or 0xFF padding) and SpecIdVendorInfoOutsideEvent (the header''s vendor data follows its declared size). Nothing is tolerated unless named here.'
    }
    Outputs     = 'TrustedCompute.EventLog.TcgEvent, one per event.'
    Examples    = @(
        @{
            Code    = 'Get-TpmEventLog -Path ./log.bin | Where-Object DigestCheck -EQ Mismatch'
            Remarks = 'Lists the events of a saved log whose data does not match their digests. Without -Path or -LiteralPath the local log is read (as root on Linux).'
        }
        @{
            Code    = 'Get-TpmEventLog -Path ./log.bin -PcrIndex 7 | Format-List EventTypeName, Summary'
            Remarks = 'Shows what was measured into PCR 7 (on a real machine, the Secure Boot configuration).'
        }
        @{
            Code    = 'Get-TpmEventLog -LiteralPath ./log.bin -EventType ''EV_EFI_*'' | ForEach-Object { "$($_.PcrIndex) $($_.EventTypeName)" }'
            Remarks = 'Prints the PCR and type of each UEFI event, matched with a wildcard.'
        }
    )
    RelatedLinks = @('Get-TpmEventLogPcr', 'Compare-TpmEventLog', 'about_TrustedCompute_EventLog')
}
