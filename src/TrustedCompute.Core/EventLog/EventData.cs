using TrustedCompute.Tpm;

namespace TrustedCompute.EventLog;

/// <summary>Decoded event data; <see cref="object.ToString"/> is a one-line summary.</summary>
public abstract class TcgEventData;

/// <summary>Event data of a type we do not decode, or that did not decode (then <see cref="DecodeError"/> says why).</summary>
public sealed class RawEventData(byte[] bytes, string? decodeError = null) : TcgEventData
{
    public byte[] Bytes { get; } = bytes;
    public string? DecodeError { get; } = decodeError;
    public override string ToString() => DecodeError is null
        ? (Bytes.Length <= 32 ? HexText.Lower(Bytes) : $"{HexText.Lower(Bytes.AsSpan(0, 32))}… ({Bytes.Length} bytes)")
        : $"undecodable: {DecodeError}";
}

public sealed record SpecIdAlgorithm(TpmAlgId Algorithm, int DigestSize)
{
    public string Name => PcrBanks.Name(Algorithm);
}

/// <summary>The log header (TCG_EfiSpecIDEvent): "Spec ID Event03" with its algorithm table, or a legacy "Spec ID Event00".</summary>
public sealed class SpecIdEventData : TcgEventData
{
    public required string Signature { get; init; }
    public uint PlatformClass { get; init; }
    public byte SpecVersionMajor { get; init; }
    public byte SpecVersionMinor { get; init; }
    public byte SpecErrata { get; init; }
    public byte UintnSize { get; init; }
    public required IReadOnlyList<SpecIdAlgorithm> Algorithms { get; init; }
    public required byte[] VendorInfo { get; init; }
    public override string ToString() =>
        $"{Signature} v{SpecVersionMajor}.{SpecVersionMinor} errata {SpecErrata}; banks {string.Join(",", Algorithms.Select(a => a.Name))}";
}

/// <summary>EV_NO_ACTION "StartupLocality": the locality the TPM was started from (3, or 4 for an H-CRTM).</summary>
public sealed class StartupLocalityEventData(byte locality) : TcgEventData
{
    public byte Locality { get; } = locality;
    public override string ToString() => $"StartupLocality {Locality}";
}

/// <summary>Any other EV_NO_ACTION event: its 16-byte signature and the rest.</summary>
public sealed class NoActionEventData(string signature, byte[] payload) : TcgEventData
{
    public string Signature { get; } = signature;
    public byte[] Payload { get; } = payload;
    public override string ToString() => $"{Signature} ({Payload.Length} bytes)";
}

/// <summary>EV_SEPARATOR: 0x00000000 or 0xFFFFFFFF normally; 0x00000001 means the firmware hit an error.</summary>
public sealed class SeparatorEventData(uint value) : TcgEventData
{
    public uint Value { get; } = value;
    public bool IsError => Value == 1;
    public override string ToString() => IsError ? "separator (error)" : $"separator 0x{Value:x8}";
}

/// <summary>A text event: EV_ACTION, EV_EFI_ACTION, EV_IPL, EV_POST_CODE, EV_S_CRTM_VERSION, EV_COMPACT_HASH, …</summary>
public sealed class StringEventData(string text, string encoding) : TcgEventData
{
    public string Text { get; } = text;
    /// <summary>ASCII, UTF-16 or GUID (an EV_S_CRTM_VERSION that is a GUID).</summary>
    public string Encoding { get; } = encoding;
    public override string ToString() => Text;
}

public sealed record EfiSignature(Guid Owner, byte[] Data, string? CertificateSubject)
{
    public override string ToString() => CertificateSubject ?? HexText.Lower(Data);
}

/// <summary>One EFI_SIGNATURE_LIST of db, dbx, KEK, PK or a MOK list.</summary>
public sealed record EfiSignatureList(Guid SignatureType, IReadOnlyList<EfiSignature> Signatures)
{
    public string TypeName => EfiGuids.Name(SignatureType);
}

/// <summary>An EFI_LOAD_OPTION (Boot####, Driver####).</summary>
public sealed record EfiLoadOption(uint Attributes, string Description, string DevicePath, byte[] OptionalData)
{
    public bool IsActive => (Attributes & 1) != 0;
    public override string ToString() => $"{Description} {DevicePath}";
}

/// <summary>UEFI_VARIABLE_DATA of EV_EFI_VARIABLE_DRIVER_CONFIG, _BOOT, _BOOT2 and _AUTHORITY, with the value decoded for well-known variables.</summary>
public sealed class EfiVariableEventData : TcgEventData
{
    public required Guid VariableGuid { get; init; }
    public required string VariableName { get; init; }
    public required byte[] VariableData { get; init; }
    /// <summary>The value as text: Enabled/Disabled, a boot order, a load option, signature counts, a certificate subject.</summary>
    public string? Value { get; init; }
    /// <summary>
    /// For one-byte flags (SecureBoot, SetupMode, MokListTrusted, …): true only for the single byte 0x01; false for
    /// 0x00 and for an empty value (a variable measured with no data is not enabled); null for any other value.
    /// </summary>
    public bool? Enabled { get; init; }
    public IReadOnlyList<ushort>? BootOrder { get; init; }
    public EfiLoadOption? LoadOption { get; init; }
    public IReadOnlyList<EfiSignatureList>? SignatureLists { get; init; }
    public override string ToString() => Value is null ? $"{VariableName} ({VariableData.Length} bytes)" : $"{VariableName}: {Value}";
}

/// <summary>UEFI_IMAGE_LOAD_EVENT of EV_EFI_BOOT_SERVICES_APPLICATION / _DRIVER / EV_EFI_RUNTIME_SERVICES_DRIVER.</summary>
public sealed class EfiImageLoadEventData : TcgEventData
{
    public ulong ImageLocationInMemory { get; init; }
    public ulong ImageLengthInMemory { get; init; }
    public ulong ImageLinkTimeAddress { get; init; }
    public required byte[] DevicePathBytes { get; init; }
    public required string DevicePath { get; init; }
    /// <summary>Bytes after the device path that LengthOfDevicePath does not cover (some firmware logs 0, then a path).</summary>
    public byte[] ExtraBytes { get; init; } = [];
    public override string ToString() =>
        (DevicePath.Length > 0 ? DevicePath : $"image at 0x{ImageLocationInMemory:x} ({ImageLengthInMemory} bytes)")
        + (ExtraBytes.Length > 0 ? $" (+{ExtraBytes.Length} extra byte(s) after the device path)" : "");
}

public sealed record GptPartition(Guid PartitionTypeGuid, Guid UniquePartitionGuid, ulong StartingLba, ulong EndingLba, ulong Attributes, string Name)
{
    public string TypeName => EfiGuids.Name(PartitionTypeGuid);
}

/// <summary>UEFI_GPT_DATA of EV_EFI_GPT_EVENT: the disk GUID and the partitions in use.</summary>
public sealed class EfiGptEventData : TcgEventData
{
    public required Guid DiskGuid { get; init; }
    public required IReadOnlyList<GptPartition> Partitions { get; init; }
    public override string ToString() => $"GPT disk {DiskGuid}: {Partitions.Count} partition(s)";
}

/// <summary>UEFI_PLATFORM_FIRMWARE_BLOB (1) or _BLOB2 (with a description) of EV_EFI_PLATFORM_FIRMWARE_BLOB*, EV_POST_CODE*.</summary>
public sealed class FirmwareBlobEventData(string? description, ulong blobBase, ulong blobLength) : TcgEventData
{
    public string? Description { get; } = description;
    public ulong BlobBase { get; } = blobBase;
    public ulong BlobLength { get; } = blobLength;
    public override string ToString() => $"{(Description is null ? "" : Description + " ")}blob at 0x{BlobBase:x} ({BlobLength} bytes)";
}

public sealed record EfiHandoffTable(Guid VendorGuid, ulong VendorTable)
{
    public string Name => EfiGuids.Name(VendorGuid);
}

/// <summary>UEFI_HANDOFF_TABLE_POINTERS (1 and 2) of EV_EFI_HANDOFF_TABLES*.</summary>
public sealed class HandoffTablesEventData(string? description, IReadOnlyList<EfiHandoffTable> tables) : TcgEventData
{
    public string? Description { get; } = description;
    public IReadOnlyList<EfiHandoffTable> Tables { get; } = tables;
    public override string ToString() => $"{(Description is null ? "" : Description + ": ")}{string.Join(", ", Tables.Select(t => t.Name))}";
}

/// <summary>TCG_PCClientTaggedEvent of EV_EVENT_TAG.</summary>
public sealed class TaggedEventData(uint taggedEventId, byte[] taggedData) : TcgEventData
{
    public uint TaggedEventId { get; } = taggedEventId;
    public byte[] TaggedData { get; } = taggedData;
    public override string ToString() => $"tag 0x{TaggedEventId:x8} ({TaggedData.Length} bytes)";
}

/// <summary>
/// shim's EV_IPL in PCR 14 naming a MOK variable (MokListTrusted) whose value only the digest covers. <see cref="Value"/>
/// is the one-byte value every computable bank's digest is the hash of, or null when no candidate matches them all.
/// </summary>
public sealed class ShimVariableEventData(string variableName, byte[]? value) : TcgEventData
{
    public string VariableName { get; } = variableName;
    public byte[]? Value { get; } = value;
    /// <summary>True for 0x01, false for 0x00, null when the value is unknown.</summary>
    public bool? Enabled => Value switch { [1] => true, [0] => false, _ => null };
    public override string ToString() =>
        $"{VariableName}: {Enabled switch { true => "Enabled", false => "Disabled", null => "unknown value" }}";
}
