using System.Buffers.Binary;

namespace TrustedCompute.Tpm;

/// <summary>Big-endian writer for TPM commands and structures.</summary>
public sealed class TpmWriter
{
    private byte[] _buffer = new byte[256];

    public int Length { get; private set; }

    private Span<byte> Grow(int count)
    {
        if (Length + count > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        var span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }

    public TpmWriter Byte(byte value) { Grow(1)[0] = value; return this; }
    public TpmWriter UInt16(ushort value) { BinaryPrimitives.WriteUInt16BigEndian(Grow(2), value); return this; }
    public TpmWriter UInt32(uint value) { BinaryPrimitives.WriteUInt32BigEndian(Grow(4), value); return this; }
    public TpmWriter UInt64(ulong value) { BinaryPrimitives.WriteUInt64BigEndian(Grow(8), value); return this; }
    public TpmWriter Alg(TpmAlgId alg) => UInt16((ushort)alg);
    public TpmWriter Bytes(ReadOnlySpan<byte> value) { value.CopyTo(Grow(value.Length)); return this; }

    /// <summary>A TPM2B: u16 size then the bytes.</summary>
    public TpmWriter Sized(ReadOnlySpan<byte> value)
    {
        if (value.Length > ushort.MaxValue) throw new ArgumentException("A TPM2B holds at most 65535 bytes", nameof(value));
        return UInt16((ushort)value.Length).Bytes(value);
    }

    /// <summary>A TPM2B whose content is written by <paramref name="body"/>.</summary>
    public TpmWriter Sized(Action<TpmWriter> body)
    {
        var inner = new TpmWriter();
        body(inner);
        return Sized(inner.AsSpan());
    }

    public void PatchUInt32(int offset, uint value) => BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(offset, 4), value);

    public ReadOnlySpan<byte> AsSpan() => _buffer.AsSpan(0, Length);
    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();
}
