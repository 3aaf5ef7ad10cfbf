using System.Buffers.Binary;
using System.Text;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;

namespace TrustedCompute.Tests.EventLog;

/// <summary>Builds crypto-agile logs for tests; each event's digests are the hashes of its data unless given.</summary>
internal sealed class SyntheticLog
{
    private readonly MemoryStream _bytes = new();
    private readonly TpmAlgId[] _banks;

    public SyntheticLog(params TpmAlgId[] banks)
    {
        _banks = banks.Length == 0 ? [TpmAlgId.Sha1, TpmAlgId.Sha256] : banks;
        var spec = new MemoryStream();
        spec.Write("Spec ID Event03\0"u8);
        spec.Write([0, 0, 0, 0, 0, 2, 0, 2]);
        Write(spec, (uint)_banks.Length);
        foreach (var b in _banks) { Write(spec, (ushort)b); Write(spec, (ushort)Size(b)); }
        spec.WriteByte(0);
        Write(_bytes, 0u);
        Write(_bytes, (uint)TcgEventType.EV_NO_ACTION);
        _bytes.Write(new byte[20]);
        Write(_bytes, (uint)spec.Length);
        spec.WriteTo(_bytes);
    }

    public SyntheticLog Add(int pcr, TcgEventType type, byte[] data, Func<TpmAlgId, byte[]>? digest = null)
    {
        Write(_bytes, (uint)pcr);
        Write(_bytes, (uint)type);
        Write(_bytes, (uint)_banks.Length);
        foreach (var b in _banks)
        {
            Write(_bytes, (ushort)b);
            _bytes.Write(type == TcgEventType.EV_NO_ACTION ? new byte[Size(b)] : digest?.Invoke(b)
                ?? (PcrBanks.IsSupported(b) ? PcrBanks.Hash(b, data) : new byte[Size(b)]));
        }
        Write(_bytes, (uint)data.Length);
        _bytes.Write(data);
        return this;
    }

    public SyntheticLog Action(int pcr, string text) => Add(pcr, TcgEventType.EV_EFI_ACTION, Encoding.ASCII.GetBytes(text));
    public SyntheticLog Separator(int pcr) => Add(pcr, TcgEventType.EV_SEPARATOR, new byte[4]);
    public SyntheticLog StartupLocality(byte locality) => Add(0, TcgEventType.EV_NO_ACTION, [.. "StartupLocality\0"u8, locality]);

    private static int Size(TpmAlgId b) => b == TpmAlgId.Sm3_256 ? 32 : PcrBanks.DigestSize(b);

    public byte[] ToArray() => _bytes.ToArray();

    private static void Write(Stream s, uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); s.Write(b); }
    private static void Write(Stream s, ushort v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, v); s.Write(b); }
}
