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
        PcrIndex    = 'Writes only events that extend (or are logged for) these PCR indexes, 0-23.'
        EventType   = 'Writes only events whose type name matches one of these names, such as EV_SEPARATOR or EV_EFI_*. Wildcards are allowed.'
        Quirk       = 'Known firmware deviations to tolerate while parsing: TrailingPadding (the log ends in 0x00 or 0xFF padding) and SpecIdVendorInfoOutsideEvent (the header''s vendor data follows its declared size). Nothing is tolerated unless named here.'
    }
    Examples    = @(
        @{ Code = 'Get-TpmEventLog | Where-Object DigestCheck -EQ Mismatch'; Remarks = 'Lists the events of the local log whose data does not match their digests.' }
        @{ Code = 'Get-TpmEventLog -Path ./binary_bios_measurements -PcrIndex 7 | Format-List EventTypeName, Summary'; Remarks = 'Shows the Secure Boot configuration measured into PCR 7 of a saved log.' }
        @{ Code = "Get-TpmEventLog -LiteralPath log.bin -EventType 'EV_EFI_VARIABLE_*' | ForEach-Object { `$_.Decoded.VariableName + ': ' + `$_.Decoded.Value }"; Remarks = 'Prints each measured UEFI variable with its decoded value (SecureBoot Enabled, BootOrder, signature database contents).' }
    )
    RelatedLinks = @('Get-TpmEventLogPcr', 'Compare-TpmEventLog', 'about_TrustedCompute_EventLog')
}
