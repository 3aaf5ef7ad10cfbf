using System.Buffers.Binary;
using System.Text;
using TrustedCompute.Tpm;

namespace TrustedCompute.EventLog;

/// <summary>Checks the digests of events whose digest the spec defines as the hash of (part of) the event data.</summary>
internal static class DigestChecker
{
    private static readonly string[] GrubPrefixes = ["grub_cmd: ", "kernel_cmdline: ", "module_cmdline: ", "grub_kernel_cmdline "];

    public static void Check(TcgEvent e, BankHasher hasher)
    {
        if (!e.IsExtended) return;
        bool strict = true;
        byte[][] alternatives = [];
        switch (e.EventType)
        {
            case TcgEventType.EV_SEPARATOR or TcgEventType.EV_ACTION or TcgEventType.EV_EFI_ACTION or TcgEventType.EV_S_CRTM_VERSION
                or TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG or TcgEventType.EV_EFI_VARIABLE_BOOT2
                or TcgEventType.EV_EFI_GPT_EVENT or TcgEventType.EV_EFI_GPT_EVENT2 or TcgEventType.EV_PLATFORM_CONFIG_FLAGS
                or TcgEventType.EV_TABLE_OF_DEVICES or TcgEventType.EV_OMIT_BOOT_DEVICE_EVENTS or TcgEventType.EV_COMPACT_HASH
                or TcgEventType.EV_NONHOST_CONFIG or TcgEventType.EV_NONHOST_INFO:
                break;
            case TcgEventType.EV_EFI_VARIABLE_BOOT:
                // PFP says the whole UEFI_VARIABLE_DATA; EDK2-derived firmware hashes only the variable's value.
                if (VariableValue(e.Data) is { } value) alternatives = [value];
                break;
            case TcgEventType.EV_EFI_VARIABLE_AUTHORITY:
                // Firmware hashes the UEFI_VARIABLE_DATA of a db entry; shim's own authority events (SHIM_LOCK
                // namespace) do not hash their event data, so those pass only when they happen to.
                strict = e.Data.Length >= 16 && new Guid(e.Data.AsSpan(0, 16)) == EfiGuids.ImageSecurityDatabase;
                break;
            case TcgEventType.EV_IPL:
                (strict, alternatives) = IplForm(e);
                break;
            default:
                return;
        }

        var mismatched = new List<TpmAlgId>();
        int checkedBanks = 0;
        Span<byte> hash = stackalloc byte[64];
        foreach (var d in e.Digests)
        {
            if (!PcrBanks.IsSupported(d.Algorithm)) continue;
            checkedBanks++;
            bool match = Matches(hasher, d, e.Data, hash);
            foreach (var a in alternatives) match = match || Matches(hasher, d, a, hash);
            if (!match) mismatched.Add(d.Algorithm);
        }
        if (checkedBanks == 0) return; // no digest we can compute (e.g. SM3 only): NotChecked, not Verified
        if (mismatched.Count == 0) e.DigestCheck = DigestCheckStatus.Verified;
        else if (strict)
        {
            e.DigestCheck = DigestCheckStatus.Mismatch;
            e.MismatchedBanks = mismatched;
        }
    }

    /// <summary>VariableData of a UEFI_VARIABLE_DATA, or null when the sizes do not fit.</summary>
    private static byte[]? VariableValue(byte[] data)
    {
        if (data.Length < 32) return null;
        ulong nameLength = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(16)), valueLength = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(24));
        if (nameLength > (ulong)data.Length || valueLength > (ulong)data.Length || 32 + 2 * nameLength + valueLength > (ulong)data.Length) return null;
        return data.AsSpan(32 + 2 * (int)nameLength, (int)valueLength).ToArray();
    }

    private static bool Matches(BankHasher hasher, TcgDigest digest, ReadOnlySpan<byte> data, Span<byte> hash)
    {
        int n = hasher.Hash(digest.Algorithm, data, hash);
        return hash[..n].SequenceEqual(digest.Digest);
    }

    /// <summary>
    /// EV_IPL has no single form. GRUB logs "grub_cmd: X" and hashes X; systemd-boot logs a UTF-16 string and hashes
    /// it whole; shim's MokListTrusted hashes the value its decoding found: those are checked strictly. Other EV_IPL events (a file path whose digest covers the file) pass
    /// only when the digest happens to cover the data.
    /// </summary>
    private static (bool Strict, byte[][] Alternatives) IplForm(TcgEvent e)
    {
        if (e.Decoded is ShimVariableEventData { Value: { } value }) return (true, [value]);
        if (e.Decoded is not StringEventData text) return (false, []);
        if (text.Encoding == "UTF-16") return (true, []);
        foreach (var prefix in GrubPrefixes)
        {
            if (!text.Text.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var rest = Encoding.ASCII.GetBytes(text.Text[prefix.Length..]);
            return (true, [rest, [.. rest, 0]]);
        }
        return (false, []);
    }
}
