using System.Buffers.Binary;

namespace TrustedCompute.Txt;

public enum LcpElementType : uint
{
    Mle = 0x00,
    Pconf = 0x01,
    Mle2 = 0x10,
    Pconf2 = 0x11,
    Sbios2 = 0x12,
    Custom2 = 0x13,
    Stm2 = 0x14,
}

/// <summary>A policy element: <c>u32 Size | u32 Type | u32 PolEltControl | body</c>.</summary>
public abstract class LcpElement
{
    internal const int HeaderSize = 12;

    public abstract LcpElementType Type { get; }

    /// <summary>PolEltControl; bit 0 lets the PO override the PS policy for this element type.</summary>
    public uint Control { get; set; }

    public int Size => ToBytes().Length;

    internal abstract void WriteBody(LcpWriter writer);

    public byte[] ToBytes()
    {
        var body = new LcpWriter();
        WriteBody(body);
        var writer = new LcpWriter();
        writer.U32((uint)(HeaderSize + body.Length));
        writer.U32((uint)Type);
        writer.U32(Control);
        writer.Bytes(body.ToArray());
        return writer.ToArray();
    }

    /// <summary>Parses one element file (exactly one element, nothing after it).</summary>
    public static LcpElement Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var reader = new LcpReader(bytes, "Element");
        var element = Read(reader);
        reader.End("Size");
        return element;
    }

    internal static LcpElement Read(LcpReader reader, string prefix = "")
    {
        uint size = reader.U32(prefix + "Size");
        reader.Expect(size >= HeaderSize, prefix + "Size", $"{size} is smaller than the 12-byte element header");
        uint type = reader.U32(prefix + "Type");
        uint control = reader.U32(prefix + "PolEltControl");
        var body = reader.Sub(size - HeaderSize, prefix + "Size", prefix + ((LcpElementType)type).ToString());
        LcpElement element = type switch
        {
            (uint)LcpElementType.Mle => LcpMleElement.ReadLegacy(body),
            (uint)LcpElementType.Mle2 => LcpMleElement.ReadMle2(body),
            (uint)LcpElementType.Pconf => LcpPconfElement.ReadLegacy(body),
            (uint)LcpElementType.Pconf2 => LcpPconfElement.ReadPconf2(body),
            (uint)LcpElementType.Sbios2 => LcpSbiosElement.Read(body),
            (uint)LcpElementType.Stm2 => LcpStmElement.Read(body),
            (uint)LcpElementType.Custom2 => LcpCustomElement.Read(body),
            _ => new LcpUnknownElement((LcpElementType)type, body.Bytes(body.Remaining, "Data")),
        };
        body.End("Size");
        element.Control = control;
        return element;
    }

    internal static LcpHashAlgorithm ReadHashAlgorithm(LcpReader reader, string field)
    {
        ushort value = reader.U16(field);
        reader.Expect(LcpHash.IsKnown(value), field, $"unknown hash algorithm 0x{value:X4}");
        return (LcpHashAlgorithm)value;
    }

    internal static List<byte[]> ReadHashes(LcpReader reader, LcpHashAlgorithm algorithm, int count, string field)
    {
        int size = LcpHash.DigestSize(algorithm);
        if ((long)count * size > reader.Remaining)
        {
            throw reader.Error(field, $"{count} hashes of {size} bytes do not fit in the {reader.Remaining} bytes left");
        }
        var hashes = new List<byte[]>(count);
        for (int i = 0; i < count; i++) hashes.Add(reader.Bytes(size, $"{field}[{i}]"));
        return hashes;
    }

    internal static void CheckHashes(IEnumerable<byte[]> hashes, LcpHashAlgorithm algorithm, string what)
    {
        int size = LcpHash.DigestSize(algorithm);
        foreach (var hash in hashes)
        {
            if (hash.Length != size) throw new ArgumentException($"{what}: a {algorithm} hash has {size} bytes, not {hash.Length}.");
        }
    }
}

/// <summary>MLE element: legacy LCP_MLE_ELEMENT (type 0, SHA-1 only) or LCP_MLE_ELEMENT2 (type 0x10).</summary>
public sealed class LcpMleElement : LcpElement
{
    public bool Legacy { get; set; }
    public byte SinitMinVersion { get; set; }
    public LcpHashAlgorithm HashAlgorithm { get; set; } = LcpHashAlgorithm.Sha256;
    public List<byte[]> Hashes { get; set; } = [];

    public override LcpElementType Type => Legacy ? LcpElementType.Mle : LcpElementType.Mle2;

    internal override void WriteBody(LcpWriter writer)
    {
        if (Legacy && HashAlgorithm != LcpHashAlgorithm.Sha1) throw new ArgumentException("A legacy MLE element holds SHA-1 hashes only.");
        CheckHashes(Hashes, HashAlgorithm, "MLE element");
        writer.U8(SinitMinVersion);
        if (Legacy)
        {
            writer.U8(0);
        }
        else
        {
            writer.U8(0);
            writer.U16((ushort)HashAlgorithm);
        }
        writer.U16(checked((ushort)Hashes.Count));
        foreach (var hash in Hashes) writer.Bytes(hash);
    }

    internal static LcpMleElement ReadLegacy(LcpReader reader)
    {
        var element = new LcpMleElement { Legacy = true, HashAlgorithm = LcpHashAlgorithm.Sha1 };
        element.SinitMinVersion = reader.U8("SINITMinVersion");
        byte alg = reader.U8("HashAlg");
        reader.Expect(alg == 0, "HashAlg", $"legacy MLE hash algorithm must be 0 (SHA-1), not {alg}");
        int count = reader.U16("NumHashes");
        element.Hashes = ReadHashes(reader, LcpHashAlgorithm.Sha1, count, "Hashes");
        return element;
    }

    internal static LcpMleElement ReadMle2(LcpReader reader)
    {
        var element = new LcpMleElement { SinitMinVersion = reader.U8("SINITMinVersion") };
        reader.U8("Reserved");
        element.HashAlgorithm = ReadHashAlgorithm(reader, "HashAlg");
        int count = reader.U16("NumHashes");
        element.Hashes = ReadHashes(reader, element.HashAlgorithm, count, "Hashes");
        return element;
    }
}

/// <summary>One allowed PCR configuration: which PCRs of which bank, and the digest of their values.</summary>
public sealed class LcpPcrInfo
{
    public LcpHashAlgorithm Bank { get; set; } = LcpHashAlgorithm.Sha256;

    /// <summary>The pcrSelect bitmap as stored (bit n of byte n/8 selects PCR n).</summary>
    public byte[] Select { get; set; } = new byte[3];

    /// <summary>localityAtRelease (legacy PCONF only).</summary>
    public byte Locality { get; set; } = 0x1F;

    public byte[] Digest { get; set; } = [];

    public int[] PcrIndexes => Enumerable.Range(0, Select.Length * 8).Where(i => (Select[i / 8] & (1 << (i % 8))) != 0).ToArray();

    public static byte[] SelectFor(IEnumerable<int> pcrs, int size = 3)
    {
        var select = new byte[size];
        foreach (int pcr in pcrs)
        {
            if (pcr < 0 || pcr >= size * 8) throw new ArgumentOutOfRangeException(nameof(pcrs), $"PCR {pcr} is outside 0..{size * 8 - 1}.");
            select[pcr / 8] |= (byte)(1 << (pcr % 8));
        }
        return select;
    }
}

/// <summary>PCONF element: legacy LCP_PCONF_ELEMENT (type 1, TPM 1.2) or LCP_PCONF_ELEMENT2 (type 0x11).</summary>
public sealed class LcpPconfElement : LcpElement
{
    public bool Legacy { get; set; }
    public LcpHashAlgorithm HashAlgorithm { get; set; } = LcpHashAlgorithm.Sha256;
    public List<LcpPcrInfo> PcrInfos { get; set; } = [];

    public override LcpElementType Type => Legacy ? LcpElementType.Pconf : LcpElementType.Pconf2;

    internal override void WriteBody(LcpWriter writer)
    {
        if (!Legacy) writer.U16((ushort)HashAlgorithm);
        writer.U16(checked((ushort)PcrInfos.Count));
        foreach (var info in PcrInfos)
        {
            int size = LcpHash.DigestSize(Legacy ? LcpHashAlgorithm.Sha1 : HashAlgorithm);
            if (info.Digest.Length != size) throw new ArgumentException($"A PCONF digest has {size} bytes, not {info.Digest.Length}.");
            if (Legacy)
            {
                writer.U16BE(checked((ushort)info.Select.Length));
                writer.Bytes(info.Select);
                writer.U8(info.Locality);
                writer.Bytes(info.Digest);
            }
            else
            {
                writer.U32BE(1);
                writer.U16BE((ushort)info.Bank);
                writer.U8(checked((byte)info.Select.Length));
                writer.Bytes(info.Select);
                writer.U16BE((ushort)info.Digest.Length);
                writer.Bytes(info.Digest);
            }
        }
    }

    internal static LcpPconfElement ReadLegacy(LcpReader reader)
    {
        var element = new LcpPconfElement { Legacy = true, HashAlgorithm = LcpHashAlgorithm.Sha1 };
        int count = reader.U16("NumPCRInfos");
        reader.Expect((long)count * 24 <= reader.Remaining, "NumPCRInfos", $"{count} PCR infos do not fit in {reader.Remaining} bytes");
        for (int i = 0; i < count; i++)
        {
            string f = $"PcrInfos[{i}]";
            int selectSize = reader.U16BE(f + ".SizeOfSelect");
            element.PcrInfos.Add(new LcpPcrInfo
            {
                Bank = LcpHashAlgorithm.Sha1,
                Select = reader.Bytes(selectSize, f + ".Select"),
                Locality = reader.U8(f + ".LocalityAtRelease"),
                Digest = reader.Bytes(20, f + ".DigestAtRelease"),
            });
        }
        return element;
    }

    internal static LcpPconfElement ReadPconf2(LcpReader reader)
    {
        var element = new LcpPconfElement { HashAlgorithm = ReadHashAlgorithm(reader, "HashAlg") };
        int count = reader.U16("NumPCRInfos");
        reader.Expect((long)count * 10 <= reader.Remaining, "NumPCRInfos", $"{count} PCR infos do not fit in {reader.Remaining} bytes");
        for (int i = 0; i < count; i++)
        {
            string f = $"PcrInfos[{i}]";
            uint selections = reader.U32BE(f + ".Count");
            reader.Expect(selections == 1, f + ".Count", $"exactly one PCR selection is supported, found {selections}");
            ushort bank = reader.U16BE(f + ".Hash");
            reader.Expect(LcpHash.IsKnown(bank), f + ".Hash", $"unknown hash algorithm 0x{bank:X4}");
            int selectSize = reader.U8(f + ".SizeOfSelect");
            var select = reader.Bytes(selectSize, f + ".PcrSelect");
            int digestSize = reader.U16BE(f + ".PcrDigest.Size");
            int expected = LcpHash.DigestSize(element.HashAlgorithm);
            reader.Expect(digestSize == expected, f + ".PcrDigest.Size", $"{digestSize} bytes, not the {expected} of HashAlg");
            element.PcrInfos.Add(new LcpPcrInfo
            {
                Bank = (LcpHashAlgorithm)bank,
                Select = select,
                Digest = reader.Bytes(digestSize, f + ".PcrDigest"),
            });
        }
        return element;
    }
}

/// <summary>LCP_SBIOS_ELEMENT2 (type 0x12): allowed startup BIOS hashes plus a fallback hash.</summary>
public sealed class LcpSbiosElement : LcpElement
{
    public LcpHashAlgorithm HashAlgorithm { get; set; } = LcpHashAlgorithm.Sha256;
    public byte[] FallbackHash { get; set; } = [];
    public List<byte[]> Hashes { get; set; } = [];

    public override LcpElementType Type => LcpElementType.Sbios2;

    internal override void WriteBody(LcpWriter writer)
    {
        var fallback = FallbackHash.Length == 0 ? new byte[LcpHash.DigestSize(HashAlgorithm)] : FallbackHash;
        CheckHashes([fallback, .. Hashes], HashAlgorithm, "SBIOS element");
        writer.U16((ushort)HashAlgorithm);
        writer.Zeros(2);
        writer.Bytes(fallback);
        writer.Zeros(2);
        writer.U16(checked((ushort)Hashes.Count));
        foreach (var hash in Hashes) writer.Bytes(hash);
    }

    internal static LcpSbiosElement Read(LcpReader reader)
    {
        var element = new LcpSbiosElement { HashAlgorithm = ReadHashAlgorithm(reader, "HashAlg") };
        reader.U16("Reserved1");
        element.FallbackHash = reader.Bytes(LcpHash.DigestSize(element.HashAlgorithm), "FallbackHash");
        reader.U16("Reserved2");
        int count = reader.U16("NumHashes");
        element.Hashes = ReadHashes(reader, element.HashAlgorithm, count, "Hashes");
        return element;
    }
}

/// <summary>LCP_STM_ELEMENT2 (type 0x14): allowed SMI transfer monitor hashes.</summary>
public sealed class LcpStmElement : LcpElement
{
    public LcpHashAlgorithm HashAlgorithm { get; set; } = LcpHashAlgorithm.Sha256;
    public List<byte[]> Hashes { get; set; } = [];

    public override LcpElementType Type => LcpElementType.Stm2;

    internal override void WriteBody(LcpWriter writer)
    {
        CheckHashes(Hashes, HashAlgorithm, "STM element");
        writer.U16((ushort)HashAlgorithm);
        writer.U16(checked((ushort)Hashes.Count));
        foreach (var hash in Hashes) writer.Bytes(hash);
    }

    internal static LcpStmElement Read(LcpReader reader)
    {
        var element = new LcpStmElement { HashAlgorithm = ReadHashAlgorithm(reader, "HashAlg") };
        int count = reader.U16("NumHashes");
        element.Hashes = ReadHashes(reader, element.HashAlgorithm, count, "Hashes");
        return element;
    }
}

/// <summary>LCP_CUSTOM_ELEMENT2 (type 0x13): a UUID and opaque data, e.g. tboot's verified launch policy.</summary>
public sealed class LcpCustomElement : LcpElement
{
    /// <summary>tboot's UUID for an embedded tboot launch policy (VLP).</summary>
    public const string TbootUuid = "c3930641-e3cb-4f40-91d7-27f8b9e25c86";

    public string Uuid { get; set; } = TbootUuid;
    public byte[] Data { get; set; } = [];

    public bool IsTbootPolicy => string.Equals(Uuid, TbootUuid, StringComparison.OrdinalIgnoreCase);

    public override LcpElementType Type => LcpElementType.Custom2;

    internal override void WriteBody(LcpWriter writer)
    {
        writer.Bytes(LcpUuid.ToBytes(Uuid));
        writer.Bytes(Data);
    }

    internal static LcpCustomElement Read(LcpReader reader) => new()
    {
        Uuid = LcpUuid.FromBytes(reader.Span(16, "Uuid")),
        Data = reader.Bytes(reader.Remaining, "Data"),
    };
}

/// <summary>An element of a type this module does not model; its bytes are kept as they are.</summary>
public sealed class LcpUnknownElement(LcpElementType type, byte[] data) : LcpElement
{
    public override LcpElementType Type { get; } = type;
    public byte[] Data { get; } = data;

    internal override void WriteBody(LcpWriter writer) => writer.Bytes(Data);
}

/// <summary>UUIDs as tboot stores them: u32, u16, u16, u16 little-endian, then 6 bytes.</summary>
public static class LcpUuid
{
    public static byte[] ToBytes(string uuid)
    {
        var parts = uuid.Trim().Trim('{', '}').Split('-');
        if (parts.Length != 5 || parts[0].Length != 8 || parts[1].Length != 4 || parts[2].Length != 4 || parts[3].Length != 4 || parts[4].Length != 12)
        {
            throw new FormatException($"'{uuid}' is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).");
        }
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Convert.ToUInt32(parts[0], 16));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), Convert.ToUInt16(parts[1], 16));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), Convert.ToUInt16(parts[2], 16));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), Convert.ToUInt16(parts[3], 16));
        Convert.FromHexString(parts[4]).CopyTo(bytes, 10);
        return bytes;
    }

    public static string FromBytes(ReadOnlySpan<byte> b) =>
        $"{BinaryPrimitives.ReadUInt32LittleEndian(b):x8}-{BinaryPrimitives.ReadUInt16LittleEndian(b[4..]):x4}-{BinaryPrimitives.ReadUInt16LittleEndian(b[6..]):x4}-{BinaryPrimitives.ReadUInt16LittleEndian(b[8..]):x4}-{Convert.ToHexString(b[10..16]).ToLowerInvariant()}";
}
