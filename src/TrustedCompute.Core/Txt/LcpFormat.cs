using System.Buffers.Binary;

namespace TrustedCompute.Txt;

/// <summary>Malformed LCP bytes; <see cref="Field"/> names the structure field that is wrong.</summary>
public sealed class LcpFormatException : FormatException
{
    public LcpFormatException(string field, string message) : base($"{field}: {message}") => Field = field;

    public string Field { get; }
}

/// <summary>Bounded little-endian reader: every read names its field and never passes the end.</summary>
internal sealed class LcpReader
{
    private readonly byte[] _data;
    private readonly int _end;
    private readonly string _context;

    public LcpReader(byte[] data, string context) : this(data, 0, data.Length, context) { }

    private LcpReader(byte[] data, int start, int end, string context)
    {
        _data = data;
        Position = start;
        _end = end;
        _context = context;
    }

    public int Position { get; private set; }
    public int Remaining => _end - Position;

    public string Name(string field) => _context.Length == 0 ? field : _context + "." + field;

    public LcpFormatException Error(string field, string message) => new(Name(field), message);

    public ReadOnlySpan<byte> Span(long count, string field)
    {
        if (count < 0 || count > Remaining)
        {
            throw Error(field, $"needs {count} bytes at offset {Position} but only {Remaining} remain (truncated or size past the end)");
        }
        var span = new ReadOnlySpan<byte>(_data, Position, (int)count);
        Position += (int)count;
        return span;
    }

    public byte[] Bytes(long count, string field) => Span(count, field).ToArray();
    public byte U8(string field) => Span(1, field)[0];
    public ushort U16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Span(2, field));
    public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Span(4, field));
    public ushort U16BE(string field) => BinaryPrimitives.ReadUInt16BigEndian(Span(2, field));
    public uint U32BE(string field) => BinaryPrimitives.ReadUInt32BigEndian(Span(4, field));

    /// <summary>A reader over the next <paramref name="count"/> bytes, named <paramref name="context"/>.</summary>
    public LcpReader Sub(long count, string field, string context)
    {
        int start = Position;
        Span(count, field);
        return new LcpReader(_data, start, Position, Name(context));
    }

    /// <summary>A reader from here to the end, named <paramref name="context"/>; see <see cref="MoveTo"/>.</summary>
    public LcpReader Nested(string context) => new(_data, Position, _end, Name(context));

    /// <summary>Continues after what a <see cref="Nested"/> reader consumed.</summary>
    public void MoveTo(LcpReader nested) => Position = nested.Position;

    /// <summary>Throws when bytes are left over.</summary>
    public void End(string what)
    {
        if (Remaining != 0) throw Error(what, $"{Remaining} bytes left over at offset {Position}: the declared size is larger than the contents, or the data runs on");
    }

    public void Expect(bool condition, string field, string message)
    {
        if (!condition) throw Error(field, message);
    }
}

/// <summary>Little-endian writer (with big-endian helpers for embedded TPM structures).</summary>
internal sealed class LcpWriter
{
    private readonly MemoryStream _stream = new();

    public int Length => (int)_stream.Length;
    public void U8(byte value) => _stream.WriteByte(value);
    public void Bytes(ReadOnlySpan<byte> value) => _stream.Write(value);
    public void Zeros(int count) { for (int i = 0; i < count; i++) _stream.WriteByte(0); }

    public void U16(ushort value) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, value); Bytes(b); }
    public void U32(uint value) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, value); Bytes(b); }
    public void U16BE(ushort value) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16BigEndian(b, value); Bytes(b); }
    public void U32BE(uint value) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, value); Bytes(b); }

    public byte[] ToArray() => _stream.ToArray();
}
