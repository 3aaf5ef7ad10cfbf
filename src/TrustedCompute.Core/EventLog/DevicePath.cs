using System.Buffers.Binary;
using System.Text;

namespace TrustedCompute.EventLog;

/// <summary>UEFI device paths as text, in the UEFI spec's notation for the common nodes; others as Path(type,subtype,hex).</summary>
public static class DevicePath
{
    public static string ToText(ReadOnlySpan<byte> path)
    {
        var text = new StringBuilder();
        int at = 0;
        while (at < path.Length)
        {
            if (path.Length - at < 4) return text.Append($"/<truncated node at {at}>").ToString();
            byte type = path[at], subtype = path[at + 1];
            int length = BinaryPrimitives.ReadUInt16LittleEndian(path[(at + 2)..]);
            if (length < 4 || length > path.Length - at) return text.Append($"/<bad node length {length} at {at}>").ToString();
            var body = path.Slice(at + 4, length - 4);
            at += length;
            if (type == 0x7F)
            {
                if (subtype == 0xFF) break;
                text.Append(',');
                continue;
            }
            if (text.Length > 0 && text[^1] != ',') text.Append('/');
            text.Append(Node(type, subtype, body));
        }
        return text.ToString();
    }

    private static string Node(byte type, byte subtype, ReadOnlySpan<byte> b)
    {
        static uint U32(ReadOnlySpan<byte> s, int o) => BinaryPrimitives.ReadUInt32LittleEndian(s[o..]);
        static ulong U64(ReadOnlySpan<byte> s, int o) => BinaryPrimitives.ReadUInt64LittleEndian(s[o..]);
        static ushort U16(ReadOnlySpan<byte> s, int o) => BinaryPrimitives.ReadUInt16LittleEndian(s[o..]);
        switch (type, subtype, b.Length)
        {
            case (0x01, 0x01, 2): return $"Pci(0x{b[1]:x},0x{b[0]:x})";
            case (0x01, 0x04, >= 16): return $"VenHw({new Guid(b[..16])})";
            case (0x02, 0x01, 8):
                uint hid = U32(b, 0), uid = U32(b, 4);
                return hid == 0x0a0341d0 ? $"PciRoot(0x{uid:x})" : hid == 0x0a0841d0 ? $"PcieRoot(0x{uid:x})" : $"Acpi(0x{hid:x},0x{uid:x})";
            case (0x03, 0x02, 4): return $"Scsi(0x{U16(b, 0):x},0x{U16(b, 2):x})";
            case (0x03, 0x05, 2): return $"USB(0x{b[0]:x},0x{b[1]:x})";
            case (0x03, 0x0B, 33): return $"MAC({HexText.Lower(b[..6])},0x{b[32]:x})";
            case (0x03, 0x0A, >= 16): return $"VenMsg({new Guid(b[..16])})";
            case (0x03, 0x12, 6): return $"Sata(0x{U16(b, 0):x},0x{U16(b, 2):x},0x{U16(b, 4):x})";
            case (0x03, 0x17, 12): return $"NVMe(0x{U32(b, 0):x},{HexText.Lower(b[4..12])})";
            case (0x04, 0x01, 38):
                string signature = b[37] == 2 ? new Guid(b.Slice(20, 16)).ToString() : $"0x{U32(b, 20):x}";
                string scheme = b[37] == 2 ? "GPT" : b[37] == 1 ? "MBR" : $"0x{b[37]:x}";
                return $"HD({U32(b, 0)},{scheme},{signature},0x{U64(b, 4):x},0x{U64(b, 12):x})";
            case (0x04, 0x02, 20): return $"CDROM(0x{U32(b, 0):x},0x{U64(b, 4):x},0x{U64(b, 12):x})";
            case (0x04, 0x03, >= 16): return $"VenMedia({new Guid(b[..16])})";
            case (0x04, 0x04, _): return Utf16(b);
            case (0x04, 0x06, 16): return $"FvFile({new Guid(b)})";
            case (0x04, 0x07, 16): return $"Fv({new Guid(b)})";
            case (0x04, 0x08, 20): return $"Offset(0x{U64(b, 4):x},0x{U64(b, 12):x})";
            default: return $"Path({type},{subtype},{HexText.Lower(b)})";
        }
    }

    internal static string Utf16(ReadOnlySpan<byte> b)
    {
        var s = Encoding.Unicode.GetString(b[..(b.Length & ~1)]);
        int nul = s.IndexOf('\0', StringComparison.Ordinal);
        return nul >= 0 ? s[..nul] : s;
    }
}
