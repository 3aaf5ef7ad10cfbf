using System.Buffers.Binary;

namespace TrustedCompute.Tpm;

/// <summary>
/// Big-endian reader over untrusted TPM bytes. Every read is bounds-checked and every size field is checked
/// against both the remaining bytes and the structure's maximum; failures are <see cref="TpmProtocolException"/>
/// naming the field and the byte offset.
/// </summary>
public sealed class TpmReader(ReadOnlyMemory<byte> data)
{
    private readonly ReadOnlyMemory<byte> _data = data;

    public TpmReader(byte[] data) : this(new ReadOnlyMemory<byte>(data)) { }

    public int Position { get; private set; }
    public int Remaining => _data.Length - Position;

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count < 0 || count > Remaining)
            throw new TpmProtocolException($"Truncated TPM data: {field} needs {count} byte(s) at offset {Position}, {Remaining} left");
        var span = _data.Span.Slice(Position, count);
        Position += count;
        return span;
    }

    public byte ReadByte(string field) => Take(1, field)[0];
    public ushort ReadUInt16(string field) => BinaryPrimitives.ReadUInt16BigEndian(Take(2, field));
    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32BigEndian(Take(4, field));
    public ulong ReadUInt64(string field) => BinaryPrimitives.ReadUInt64BigEndian(Take(8, field));
    public byte[] ReadBytes(int count, string field) => Take(count, field).ToArray();

    /// <summary>A TPM2B: u16 size then that many bytes, at most <paramref name="max"/>.</summary>
    public byte[] ReadSized(string field, int max)
    {
        int start = Position;
        ushort size = ReadUInt16(field + ".size");
        if (size > max)
        {
            Position = start;
            throw new TpmProtocolException($"{field} size {size} at offset {start} exceeds the maximum {max}");
        }
        return ReadBytes(size, field);
    }

    /// <summary>A count field (TPML): at most <paramref name="max"/>.</summary>
    public int ReadCount(string field, int max)
    {
        int start = Position;
        uint count = ReadUInt32(field);
        if (count > (uint)max) throw new TpmProtocolException($"{field} {count} at offset {start} exceeds the maximum {max}");
        return (int)count;
    }

    public TpmAlgId ReadAlg(string field) => (TpmAlgId)ReadUInt16(field);

    /// <summary>A nested TPM2B whose content is parsed by <paramref name="parse"/> and must be consumed exactly.</summary>
    public T ReadSizedStructure<T>(string field, int max, Func<TpmReader, T> parse)
    {
        int start = Position;
        var body = new TpmReader(ReadSized(field, max));
        T value = parse(body);
        if (body.Remaining != 0)
            throw new TpmProtocolException($"{field} at offset {start} has {body.Remaining} unexpected trailing byte(s)");
        return value;
    }

    public void ExpectEnd(string structure)
    {
        if (Remaining != 0) throw new TpmProtocolException($"{structure} has {Remaining} unexpected trailing byte(s) at offset {Position}");
    }
}
