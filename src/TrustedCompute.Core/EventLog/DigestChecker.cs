using System.Buffers.Binary;
using TrustedCompute.Tpm;

namespace TrustedCompute.EventLog;

/// <summary>Checks the digests of events whose digest the spec defines as the hash of (part of) the event data.</summary>
internal static class DigestChecker
{
    private static readonly byte[][] GrubPrefixes =
        ["grub_cmd: "u8.ToArray(), "kernel_cmdline: "u8.ToArray(), "module_cmdline: "u8.ToArray(),
            "grub_kernel_cmdline "u8.ToArray()];

    public static void Check(TcgEvent e, BankHasher hasher)
    {
        if (!TryGetForm(e, out bool strict, out var inputs)) return;
        List<TpmAlgId>? mismatched = null;
        int checkedBanks = 0, preferred = 0;
        Span<byte> hash = stackalloc byte[64];
        foreach (var d in e.DigestArray)
        {
            if (!PcrBanks.IsSupported(d.Algorithm)) continue;
            checkedBanks++;
            bool match = false;
            // Try first the input that matched the previous bank: each bank's digest normally covers the same form.
            for (int k = 0; k < inputs.Length && !match; k++)
            {
                int i = (preferred + k) % inputs.Length;
                if (Matches(hasher, d, inputs[i].Span, hash)) (match, preferred) = (true, i);
            }
            if (!match) (mismatched ??= []).Add(d.Algorithm);
        }
        if (checkedBanks == 0) return; // no digest we can compute (e.g. SM3 only): NotChecked, not Verified
        if (mismatched is null) e.DigestCheck = DigestCheckStatus.Verified;
        else if (strict)
        {
            e.DigestCheck = DigestCheckStatus.Mismatch;
            e.MismatchedBanks = mismatched;
        }
    }

    /// <summary>
    /// Whether the spec defines the event's digests as the hash of its data; then every input firmware is known to hash
    /// (the data, or the part of it that is hashed, likeliest first), and whether a digest matching none is a mismatch.
    /// </summary>
    internal static bool TryGetForm(TcgEvent e, out bool strict, out ReadOnlyMemory<byte>[] inputs)
    {
        strict = true;
        inputs = [e.Data];
        if (!e.IsExtended) return false;
        switch (e.EventType)
        {
            case TcgEventType.EV_SEPARATOR or TcgEventType.EV_ACTION or TcgEventType.EV_EFI_ACTION or TcgEventType.EV_S_CRTM_VERSION
                or TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG or TcgEventType.EV_EFI_VARIABLE_BOOT2
                or TcgEventType.EV_EFI_GPT_EVENT or TcgEventType.EV_EFI_GPT_EVENT2 or TcgEventType.EV_PLATFORM_CONFIG_FLAGS
                or TcgEventType.EV_TABLE_OF_DEVICES or TcgEventType.EV_OMIT_BOOT_DEVICE_EVENTS or TcgEventType.EV_COMPACT_HASH
                or TcgEventType.EV_NONHOST_CONFIG or TcgEventType.EV_NONHOST_INFO:
                return true;
            case TcgEventType.EV_EFI_VARIABLE_BOOT:
                // PFP says the whole UEFI_VARIABLE_DATA; EDK2-derived firmware hashes only the variable's value.
                if (VariableValue(e.Data) is { } value) inputs = [e.Data, value];
                return true;
            case TcgEventType.EV_EFI_VARIABLE_AUTHORITY:
                // Firmware hashes the UEFI_VARIABLE_DATA of a db entry; shim's own authority events (SHIM_LOCK
                // namespace) do not hash their event data, so those pass only when they happen to.
                strict = e.Data.Length >= 16 && new Guid(e.Data.AsSpan(0, 16)) == EfiGuids.ImageSecurityDatabase;
                return true;
            case TcgEventType.EV_IPL:
                (strict, inputs) = IplForm(e);
                return true;
            default:
                return false;
        }
    }

    /// <summary>VariableData of a UEFI_VARIABLE_DATA (a slice of the data), or null when the sizes do not fit.</summary>
    private static ReadOnlyMemory<byte>? VariableValue(byte[] data)
    {
        if (data.Length < 32) return null;
        ulong nameLength = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(16)), valueLength = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(24));
        if (nameLength > (ulong)data.Length || valueLength > (ulong)data.Length || 32 + 2 * nameLength + valueLength > (ulong)data.Length) return null;
        return data.AsMemory(32 + 2 * (int)nameLength, (int)valueLength);
    }

    private static bool Matches(BankHasher hasher, TcgDigest digest, ReadOnlySpan<byte> data, Span<byte> hash)
    {
        int n = hasher.Hash(digest.Algorithm, data, hash);
        return hash[..n].SequenceEqual(digest.Digest);
    }

    /// <summary>
    /// EV_IPL has no single form. GRUB logs "grub_cmd: X" and hashes X; systemd-boot logs a UTF-16 string and hashes
    /// it whole; shim's MokListTrusted hashes the value its decoding found: those are checked strictly. Other EV_IPL
    /// events (a file path whose digest covers the file) pass only when the digest happens to cover the data.
    /// </summary>
    private static (bool Strict, ReadOnlyMemory<byte>[] Inputs) IplForm(TcgEvent e)
    {
        // GRUB's prefixes are found on the bytes: the same test as on the decoded ASCII text, without decoding it.
        var text = e.Data.AsSpan().TrimEnd((byte)0);
        foreach (var prefix in GrubPrefixes)
        {
            if (!text.StartsWith(prefix) || !EventDataDecoder.IsAsciiText(text)) continue;
            var rest = e.Data.AsMemory(prefix.Length, text.Length - prefix.Length);
            ReadOnlyMemory<byte> withNul = text.Length < e.Data.Length
                ? e.Data.AsMemory(prefix.Length, rest.Length + 1)
                : (byte[])[.. rest.Span, 0];
            return (true, [rest, withNul, e.Data]);
        }
        return e.Decoded switch
        {
            ShimVariableEventData { Value: { } value } => (true, [value, e.Data]),
            StringEventData { Encoding: "UTF-16" } => (true, [e.Data]),
            _ => (false, [e.Data]),
        };
    }
}
