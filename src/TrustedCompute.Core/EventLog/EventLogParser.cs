using System.Buffers.Binary;
using TrustedCompute.Tpm;

namespace TrustedCompute.EventLog;

/// <summary>
/// Streaming parser of TCG PC Client event logs (little-endian). Every size field is checked against the
/// options' maxima and, for seekable streams, against the bytes left, before anything is allocated.
/// </summary>
internal sealed class EventLogParser
{
    private const int MaxPcrIndex = 23;
    private const uint NoPcrIndex = 0xFFFFFFFF;
    private static readonly byte[] SpecId03 = "Spec ID Event03\0"u8.ToArray();

    private readonly Stream _stream;
    private readonly EventLogParseOptions _options;
    private readonly long _knownLength;
    private readonly byte[] _scratch = new byte[64];
    private long _offset;
    private int _eventIndex;
    private int _peeked = -1;
    private bool _vendorTail;

    /// <summary>The bytes of a MemoryStream whose buffer is visible, read in place instead of through the stream.</summary>
    private readonly ArraySegment<byte> _memory;

    private EventLogParser(Stream stream, EventLogParseOptions options)
    {
        _stream = stream;
        _options = options;
        _knownLength = stream.CanSeek ? stream.Length - stream.Position : -1;
        if (stream is MemoryStream memory && memory.TryGetBuffer(out var buffer))
            _memory = buffer[(int)memory.Position..];
    }

    public static TcgEventLog Parse(Stream stream, EventLogParseOptions options, CancellationToken cancellationToken) =>
        new EventLogParser(stream, options).Run(cancellationToken);

    private TcgEventLog Run(CancellationToken cancellationToken)
    {
        if (_knownLength == 0 || (_knownLength < 0 && !HasMore()))
            throw Error("the log is empty", "TCG_PCR_EVENT", 0);
        if (_knownLength > _options.MaxLogSize)
            throw Error($"the log is {_knownLength} bytes, more than the maximum {_options.MaxLogSize}", "log", 0);

        var events = new List<TcgEvent>(_knownLength > 0 ? (int)Math.Min(_knownLength / 128, 4096) : 16);
        var applied = EventLogQuirks.None;
        var first = ReadLegacyEvent(header: true);
        if (_vendorTail) applied |= EventLogQuirks.SpecIdVendorInfoOutsideEvent;
        events.Add(first);
        SpecIdEventData? specId = null;
        var format = EventLogFormat.Sha1Legacy;
        IReadOnlyList<TpmAlgId> banks = [TpmAlgId.Sha1];
        Dictionary<TpmAlgId, int>? sizes = null;
        if (first.EventType == TcgEventType.EV_NO_ACTION && first.Data.AsSpan().StartsWith(SpecId03))
        {
            specId = first.Decoded as SpecIdEventData
                ?? throw Error($"the Spec ID Event03 header is malformed: {(first.Decoded as RawEventData)?.DecodeError}", "TCG_EfiSpecIDEvent", first.Offset + 32, 0);
            format = EventLogFormat.CryptoAgile;
            sizes = ValidateSpecId(specId, first.Offset + 32);
            banks = specId.Algorithms.Select(a => a.Algorithm).ToList();
        }
        else if (first.Decoded is SpecIdEventData legacySpec)
        {
            specId = legacySpec;
        }

        while (HasMore())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (events.Count >= _options.MaxEvents)
                throw Error($"more than the maximum {_options.MaxEvents} events", "TCG_PCR_EVENT", _offset);
            if (_options.Quirks.HasFlag(EventLogQuirks.TrailingPadding) && RestIsPadding())
            {
                applied |= EventLogQuirks.TrailingPadding;
                break;
            }
            events.Add(format == EventLogFormat.CryptoAgile ? ReadAgileEvent(sizes!) : ReadLegacyEvent());
        }
        if (_memory.Array is not null) _stream.Position += _offset;
        return new TcgEventLog(format, specId, banks, events, _offset, applied);
    }

    private Dictionary<TpmAlgId, int> ValidateSpecId(SpecIdEventData specId, long offset)
    {
        var sizes = new Dictionary<TpmAlgId, int>();
        foreach (var a in specId.Algorithms)
        {
            int expected = PcrBanks.DigestSize(a.Algorithm);
            if (expected != 0 && expected != a.DigestSize)
                throw Error($"the Spec ID table gives {PcrBanks.Name(a.Algorithm)} a digest size of {a.DigestSize}, not {expected}", "digestSizes", offset, 0);
            if (a.DigestSize == 0 || a.DigestSize > 128)
                throw Error($"the Spec ID table gives algorithm {PcrBanks.Name(a.Algorithm)} an impossible digest size {a.DigestSize}", "digestSizes", offset, 0);
            if (!sizes.TryAdd(a.Algorithm, a.DigestSize))
                throw Error($"the Spec ID table lists {PcrBanks.Name(a.Algorithm)} twice", "digestSizes", offset, 0);
        }
        return sizes;
    }

    private TcgEvent ReadLegacyEvent(bool header = false)
    {
        long start = _offset;
        var (pcr, type) = ReadPcrAndType();
        var digest = ReadBytes(20, "digest");
        var data = ReadEventData();
        if (header && _options.Quirks.HasFlag(EventLogQuirks.SpecIdVendorInfoOutsideEvent) && data.AsSpan().StartsWith(SpecId03) && data.Length >= 28)
        {
            // The header ends at vendorInfoSize when its size is exactly 28 + 4 per algorithm + 1.
            uint algorithms = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(24));
            if (algorithms <= 64 && data.Length == 28 + 4 * algorithms + 1 && data[^1] != 0)
            {
                data = [.. data, .. ReadBytes(data[^1], "vendorInfo")];
                _vendorTail = true;
            }
        }
        return new TcgEvent(_eventIndex++, start, checked((int)(_offset - start)), pcr, type, [new TcgDigest(TpmAlgId.Sha1, digest)], data);
    }

    private TcgEvent ReadAgileEvent(Dictionary<TpmAlgId, int> sizes)
    {
        long start = _offset;
        var (pcr, type) = ReadPcrAndType();
        long countOffset = _offset;
        uint count = ReadUInt32("digests.count");
        if (count == 0 || count > sizes.Count)
            throw Error($"digest count {count} is not 1-{sizes.Count}, the algorithms of the Spec ID table", "digests.count", countOffset);
        var digests = new TcgDigest[count];
        for (int i = 0; i < count; i++)
        {
            long algOffset = _offset;
            var alg = (TpmAlgId)ReadUInt16("digests.hashAlg");
            if (!sizes.TryGetValue(alg, out int size))
                throw Error($"algorithm {PcrBanks.Name(alg)} is not in the Spec ID table", "digests.hashAlg", algOffset);
            for (int j = 0; j < i; j++)
                if (digests[j].Algorithm == alg) throw Error($"algorithm {PcrBanks.Name(alg)} appears twice", "digests.hashAlg", algOffset);
            digests[i] = new TcgDigest(alg, ReadBytes(size, "digests.digest"));
        }
        var data = ReadEventData();
        return new TcgEvent(_eventIndex++, start, checked((int)(_offset - start)), pcr, type, digests, data);
    }

    /// <summary>
    /// PCR 0-23, or <see cref="TcgEvent.NoPcr"/> for an EV_NO_ACTION logged against PCR 0xFFFFFFFF (Windows TBS logs
    /// end with such events); any other index is an error, so nothing replays into a PCR that does not exist.
    /// </summary>
    private (int Pcr, uint Type) ReadPcrAndType()
    {
        long at = _offset;
        uint pcr = ReadUInt32("pcrIndex");
        uint type = ReadUInt32("eventType");
        if (pcr == NoPcrIndex && type == (uint)TcgEventType.EV_NO_ACTION) return (TcgEvent.NoPcr, type);
        if (pcr > MaxPcrIndex)
            throw Error($"PCR index 0x{pcr:x} of a {(TcgEventType)type} event is out of range 0-{MaxPcrIndex}", "pcrIndex", at);
        return ((int)pcr, type);
    }

    private byte[] ReadEventData()
    {
        long at = _offset;
        uint size = ReadUInt32("eventSize");
        if (size == 0) throw Error("event data size is 0", "eventSize", at);
        if (size > _options.MaxEventSize)
            throw Error($"event data size {size} exceeds the maximum {_options.MaxEventSize}", "eventSize", at);
        if (_knownLength >= 0 && size > _knownLength - _offset)
            throw Error($"event data size {size} exceeds the {_knownLength - _offset} byte(s) left", "eventSize", at);
        return ReadBytes((int)size, "event");
    }

    private uint ReadUInt32(string field)
    {
        Fill(_scratch.AsSpan(0, 4), field);
        return BinaryPrimitives.ReadUInt32LittleEndian(_scratch);
    }

    private ushort ReadUInt16(string field)
    {
        Fill(_scratch.AsSpan(0, 2), field);
        return BinaryPrimitives.ReadUInt16LittleEndian(_scratch);
    }

    private byte[] ReadBytes(int count, string field)
    {
        if (_knownLength >= 0 && count > _knownLength - _offset)
            throw Error($"truncated: {count} byte(s) needed, {_knownLength - _offset} left", field, _offset);
        var result = new byte[count];
        Fill(result, field);
        return result;
    }

    private void Fill(Span<byte> buffer, string field)
    {
        if (_memory.Array is not null)
        {
            int left = _memory.Count - (int)_offset;
            if (left < buffer.Length) throw Error($"truncated: {buffer.Length} byte(s) needed, {left} left", field, _offset);
            _memory.AsSpan((int)_offset, buffer.Length).CopyTo(buffer);
            _offset += buffer.Length;
            if (_offset > _options.MaxLogSize)
                throw Error($"the log exceeds the maximum size {_options.MaxLogSize}", field, _offset - buffer.Length);
            return;
        }
        int read = 0;
        if (_peeked >= 0 && buffer.Length > 0)
        {
            buffer[0] = (byte)_peeked;
            _peeked = -1;
            read = 1;
        }
        read += _stream.ReadAtLeast(buffer[read..], buffer.Length - read, throwOnEndOfStream: false);
        if (read < buffer.Length)
            throw Error($"truncated: {buffer.Length} byte(s) needed, {read} left", field, _offset);
        _offset += read;
        if (_offset > _options.MaxLogSize)
            throw Error($"the log exceeds the maximum size {_options.MaxLogSize}", field, _offset - read);
    }

    private bool HasMore()
    {
        if (_knownLength >= 0) return _offset < _knownLength;
        if (_peeked < 0) _peeked = _stream.ReadByte();
        return _peeked >= 0;
    }

    /// <summary>True when every byte left is 0x00 or every byte left is 0xFF (firmware padding its log buffer).</summary>
    private bool RestIsPadding()
    {
        if (_memory.Array is not null)
        {
            var rest = _memory.AsSpan((int)_offset);
            return rest.Length > 0 && rest[0] is 0x00 or 0xFF && !rest.ContainsAnyExcept(rest[0]);
        }
        if (!_stream.CanSeek) return false;
        long position = _stream.Position;
        int first = _stream.ReadByte();
        bool padding = first is 0x00 or 0xFF;
        var buffer = new byte[4096];
        int n;
        while (padding && (n = _stream.Read(buffer)) > 0)
            padding = !buffer.AsSpan(0, n).ContainsAnyExcept((byte)first);
        _stream.Position = position;
        return padding;
    }

    private EventLogFormatException Error(string problem, string field, long offset, int? eventIndex = null) =>
        new(problem, field, offset, eventIndex ?? _eventIndex);
}
