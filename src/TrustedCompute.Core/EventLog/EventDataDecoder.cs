using System.Buffers.Binary;
using System.Text;
using TrustedCompute.Tpm;

namespace TrustedCompute.EventLog;

/// <summary>
/// Turns event data into typed objects. The log's framing is already checked; data that does not decode as its
/// type says is kept raw with the reason, so one odd event never hides the rest of the log.
/// </summary>
internal static class EventDataDecoder
{
    public static TcgEventData Decode(TcgEvent e)
    {
        try
        {
            return ShimVariable(e) ?? Decode(e.EventType, e.Data) ?? new RawEventData(e.Data);
        }
        catch (InvalidDataException ex)
        {
            return new RawEventData(e.Data, ex.Message);
        }
    }

    private static TcgEventData? Decode(TcgEventType type, byte[] data) => type switch
    {
        TcgEventType.EV_NO_ACTION => NoAction(data),
        TcgEventType.EV_SEPARATOR when data.Length == 4 => new SeparatorEventData(BinaryPrimitives.ReadUInt32LittleEndian(data)),
        TcgEventType.EV_SEPARATOR => throw new InvalidDataException($"separator data is {data.Length} bytes, not 4"),
        TcgEventType.EV_ACTION or TcgEventType.EV_EFI_ACTION or TcgEventType.EV_IPL or TcgEventType.EV_COMPACT_HASH
            or TcgEventType.EV_OMIT_BOOT_DEVICE_EVENTS or TcgEventType.EV_NONHOST_INFO => Text(data),
        TcgEventType.EV_S_CRTM_VERSION => (TcgEventData?)Text(data) ?? (data.Length == 16 ? new StringEventData(new Guid(data).ToString(), "GUID") : null),
        TcgEventType.EV_POST_CODE or TcgEventType.EV_S_CRTM_CONTENTS =>
            (TcgEventData?)Text(data) ?? (data.Length == 16 ? Blob(data, false) : null),
        TcgEventType.EV_POST_CODE2 or TcgEventType.EV_EFI_PLATFORM_FIRMWARE_BLOB2 => Blob(data, true),
        TcgEventType.EV_EFI_PLATFORM_FIRMWARE_BLOB => Blob(data, false),
        TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG or TcgEventType.EV_EFI_VARIABLE_BOOT or TcgEventType.EV_EFI_VARIABLE_BOOT2
            or TcgEventType.EV_EFI_VARIABLE_AUTHORITY => Variable(data, type == TcgEventType.EV_EFI_VARIABLE_AUTHORITY),
        TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION or TcgEventType.EV_EFI_BOOT_SERVICES_DRIVER
            or TcgEventType.EV_EFI_RUNTIME_SERVICES_DRIVER => ImageLoad(data),
        TcgEventType.EV_EFI_GPT_EVENT or TcgEventType.EV_EFI_GPT_EVENT2 => Gpt(data),
        TcgEventType.EV_EFI_HANDOFF_TABLES => Handoff(data, false),
        TcgEventType.EV_EFI_HANDOFF_TABLES2 => Handoff(data, true),
        TcgEventType.EV_EVENT_TAG => Tagged(data),
        _ => null,
    };

    /// <summary>
    /// shim logs MokListTrusted in PCR 14 as an EV_IPL whose data is the name and whose digest covers the one-byte
    /// value: the value is known when every computable bank's digest is the hash of the same 0x00 or 0x01.
    /// </summary>
    private static ShimVariableEventData? ShimVariable(TcgEvent e)
    {
        if (e.EventType != TcgEventType.EV_IPL || e.PcrIndex != 14) return null;
        if (!e.Data.AsSpan().TrimEnd((byte)0).SequenceEqual(MokListTrusted)) return null;
        foreach (byte candidate in (ReadOnlySpan<byte>)[0, 1])
            if (DigestsCover(e, [candidate])) return new ShimVariableEventData("MokListTrusted", [candidate]);
        return new ShimVariableEventData("MokListTrusted", null);
    }

    private static ReadOnlySpan<byte> MokListTrusted => "MokListTrusted"u8;

    private static bool DigestsCover(TcgEvent e, ReadOnlySpan<byte> value)
    {
        Span<byte> hash = stackalloc byte[64];
        int covered = 0;
        foreach (var d in e.Digests)
        {
            if (!PcrBanks.IsSupported(d.Algorithm)) continue;
            int n = PcrBanks.Hash(d.Algorithm, value, hash);
            if (!hash[..n].SequenceEqual(d.Digest)) return false;
            covered++;
        }
        return covered > 0;
    }

    private static TcgEventData NoAction(byte[] data)
    {
        if (data.Length < 16) return new RawEventData(data, $"EV_NO_ACTION data is {data.Length} bytes, shorter than its 16-byte signature");
        string signature = Encoding.ASCII.GetString(data, 0, 16).TrimEnd('\0');
        var r = new DataReader(data, 16);
        switch (signature)
        {
            case "Spec ID Event03":
            {
                uint platformClass = r.U32("platformClass");
                byte minor = r.U8("specVersionMinor"), major = r.U8("specVersionMajor"), errata = r.U8("specErrata"), uintn = r.U8("uintnSize");
                int count = r.Count("numberOfAlgorithms", 4);
                if (count == 0) throw new InvalidDataException("numberOfAlgorithms is 0 at data offset 24");
                var algorithms = new List<SpecIdAlgorithm>(count);
                for (int i = 0; i < count; i++) algorithms.Add(new SpecIdAlgorithm((TpmAlgId)r.U16("algorithmId"), r.U16("digestSize")));
                var vendor = r.Bytes(r.U8("vendorInfoSize"), "vendorInfo");
                r.End("TCG_EfiSpecIDEvent");
                return new SpecIdEventData
                {
                    Signature = signature, PlatformClass = platformClass, SpecVersionMajor = major, SpecVersionMinor = minor,
                    SpecErrata = errata, UintnSize = uintn, Algorithms = algorithms, VendorInfo = vendor,
                };
            }
            case "Spec ID Event00" or "Spec ID Event02":
            {
                uint platformClass = r.U32("platformClass");
                byte minor = r.U8("specVersionMinor"), major = r.U8("specVersionMajor"), errata = r.U8("specErrata"), uintn = r.U8("uintnSize");
                var vendor = r.Bytes(r.U8("vendorInfoSize"), "vendorInfo");
                r.End("TCG_EfiSpecIdEventStruct");
                return new SpecIdEventData
                {
                    Signature = signature, PlatformClass = platformClass, SpecVersionMajor = major, SpecVersionMinor = minor,
                    SpecErrata = errata, UintnSize = uintn, Algorithms = [new SpecIdAlgorithm(TpmAlgId.Sha1, 20)], VendorInfo = vendor,
                };
            }
            case "StartupLocality":
            {
                byte locality = r.U8("StartupLocality");
                r.End("TCG_EfiStartupLocalityEvent");
                return new StartupLocalityEventData(locality);
            }
            default:
                return new NoActionEventData(signature, data[16..]);
        }
    }

    /// <summary>ASCII or UTF-16LE text (trailing NULs dropped); null when the bytes are neither.</summary>
    internal static StringEventData? Text(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 4 && data[1] == 0 && data[0] != 0 && IsUtf16Text(data[..(data.Length & ~1)]) && (data.Length % 2 == 0 || data[^1] == 0))
            return new StringEventData(Encoding.Unicode.GetString(data[..(data.Length & ~1)]).TrimEnd('\0'), "UTF-16");
        var trimmed = data.TrimEnd((byte)0);
        return IsAsciiText(trimmed) ? new StringEventData(Encoding.ASCII.GetString(trimmed), "ASCII") : null;
    }

    /// <summary>Non-empty printable ASCII, tabs and line breaks allowed.</summary>
    internal static bool IsAsciiText(ReadOnlySpan<byte> text)
    {
        if (text.Length == 0) return false;
        foreach (byte b in text)
            if (b is < 0x20 and not (byte)'\n' and not (byte)'\r' and not (byte)'\t' || b >= 0x7F) return false;
        return true;
    }

    private static bool IsUtf16Text(ReadOnlySpan<byte> data)
    {
        var trimmed = data;
        while (trimmed.Length >= 2 && trimmed[^1] == 0 && trimmed[^2] == 0) trimmed = trimmed[..^2];
        for (int i = 0; i + 1 < trimmed.Length; i += 2)
        {
            char c = (char)(trimmed[i] | trimmed[i + 1] << 8);
            if (char.IsControl(c) && c is not '\n' and not '\r' and not '\t' || char.IsSurrogate(c)) return false;
        }
        return trimmed.Length >= 2;
    }

    private static FirmwareBlobEventData Blob(byte[] data, bool withDescription)
    {
        var r = new DataReader(data, 0);
        string? description = null;
        if (withDescription) description = Encoding.ASCII.GetString(r.Bytes(r.U8("BlobDescriptionSize"), "BlobDescription")).TrimEnd('\0');
        var blob = new FirmwareBlobEventData(description, r.U64("BlobBase"), r.U64("BlobLength"));
        r.End("UEFI_PLATFORM_FIRMWARE_BLOB");
        return blob;
    }

    private static HandoffTablesEventData Handoff(byte[] data, bool withDescription)
    {
        var r = new DataReader(data, 0);
        string? description = null;
        if (withDescription) description = Encoding.ASCII.GetString(r.Bytes(r.U8("TableDescriptionSize"), "TableDescription")).TrimEnd('\0');
        int count = r.Count64("NumberOfTables", 24);
        var tables = new List<EfiHandoffTable>(count);
        for (int i = 0; i < count; i++) tables.Add(new EfiHandoffTable(r.Guid("VendorGuid"), r.U64("VendorTable")));
        r.End("UEFI_HANDOFF_TABLE_POINTERS");
        return new HandoffTablesEventData(description, tables);
    }

    private static TaggedEventData Tagged(byte[] data)
    {
        var r = new DataReader(data, 0);
        uint id = r.U32("taggedEventID");
        var tagged = r.Bytes(checked((int)Math.Min(r.U32("taggedEventDataSize"), int.MaxValue)), "taggedEventData");
        r.End("TCG_PCClientTaggedEvent");
        return new TaggedEventData(id, tagged);
    }

    private static EfiImageLoadEventData ImageLoad(byte[] data)
    {
        var r = new DataReader(data, 0);
        ulong location = r.U64("ImageLocationInMemory"), length = r.U64("ImageLengthInMemory"), link = r.U64("ImageLinkTimeAddress");
        int pathLength = r.Count64("LengthOfDevicePath", 1);
        var path = r.Bytes(pathLength, "DevicePath");
        // Some firmware logs LengthOfDevicePath 0 and then the path (or junk) anyway: keep those bytes, shown by length.
        var extra = r.Bytes(r.Remaining, "extra bytes");
        return new EfiImageLoadEventData
        {
            ImageLocationInMemory = location, ImageLengthInMemory = length, ImageLinkTimeAddress = link,
            DevicePathBytes = path, DevicePath = DevicePath.ToText(path), ExtraBytes = extra,
        };
    }

    private static EfiGptEventData Gpt(byte[] data)
    {
        var r = new DataReader(data, 0);
        if (r.U64("Signature") != 0x5452415020494645) throw new InvalidDataException("GPT header signature is not \"EFI PART\" at data offset 0");
        r.Bytes(48, "UEFI_PARTITION_TABLE_HEADER");
        var disk = r.Guid("DiskGUID");
        r.U64("PartitionEntryLBA");
        r.U32("NumberOfPartitionEntries");
        int at = r.Position;
        uint entrySize = r.U32("SizeOfPartitionEntry");
        r.U32("PartitionEntryArrayCRC32");
        if (entrySize < 128 || entrySize > 4096) throw new InvalidDataException($"SizeOfPartitionEntry {entrySize} at data offset {at} is out of range 128-4096");
        int count = r.Count64("NumberOfPartitions", (int)entrySize);
        var partitions = new List<GptPartition>(count);
        for (int i = 0; i < count; i++)
        {
            var entry = new DataReader(r.Bytes((int)entrySize, "Partitions"), 0);
            partitions.Add(new GptPartition(entry.Guid("PartitionTypeGUID"), entry.Guid("UniquePartitionGUID"), entry.U64("StartingLBA"),
                entry.U64("EndingLBA"), entry.U64("Attributes"), DevicePath.Utf16(entry.Bytes(72, "PartitionName"))));
        }
        r.End("UEFI_GPT_DATA");
        return new EfiGptEventData { DiskGuid = disk, Partitions = partitions };
    }

    private static EfiVariableEventData Variable(byte[] data, bool authority)
    {
        var r = new DataReader(data, 0);
        var guid = r.Guid("VariableName");
        int nameLength = r.Count64("UnicodeNameLength", 2);
        int dataOffset = r.Position;
        ulong dataLength = r.U64("VariableDataLength");
        string name = Encoding.Unicode.GetString(r.Bytes(nameLength * 2, "UnicodeName")).TrimEnd('\0');
        if (dataLength > (ulong)r.Remaining)
            throw new InvalidDataException($"VariableDataLength {dataLength} at data offset {dataOffset} exceeds the {r.Remaining} byte(s) left");
        var value = r.Bytes((int)dataLength, "VariableData");
        return EfiVariables.Describe(guid, name, value, authority);
    }
}

/// <summary>Bounds-checked little-endian reader over event data; errors name the field and the offset in the data.</summary>
internal ref struct DataReader(ReadOnlySpan<byte> data, int position)
{
    private readonly ReadOnlySpan<byte> _data = data;
    public int Position { get; private set; } = position;
    public readonly int Remaining => _data.Length - Position;

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count < 0 || count > Remaining)
            throw new InvalidDataException($"{field} needs {count} byte(s) at data offset {Position}, {Remaining} left");
        var span = _data.Slice(Position, count);
        Position += count;
        return span;
    }

    public byte U8(string field) => Take(1, field)[0];
    public ushort U16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));
    public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));
    public ulong U64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field));
    public Guid Guid(string field) => new(Take(16, field));
    public byte[] Bytes(int count, string field) => Take(count, field).ToArray();

    /// <summary>A u32 count of items of at least <paramref name="itemSize"/> bytes each, checked against the bytes left.</summary>
    public int Count(string field, int itemSize)
    {
        int at = Position;
        uint n = U32(field);
        if ((ulong)n * (ulong)itemSize > (ulong)Remaining)
            throw new InvalidDataException($"{field} {n} at data offset {at} needs more than the {Remaining} byte(s) left");
        return (int)n;
    }

    public int Count64(string field, int itemSize)
    {
        int at = Position;
        ulong n = U64(field);
        if (n > (ulong)Remaining || n * (ulong)itemSize > (ulong)Remaining)
            throw new InvalidDataException($"{field} {n} at data offset {at} needs more than the {Remaining} byte(s) left");
        return (int)n;
    }

    public readonly void End(string structure)
    {
        if (Remaining != 0) throw new InvalidDataException($"{structure} has {Remaining} unexpected trailing byte(s) at data offset {Position}");
    }
}
