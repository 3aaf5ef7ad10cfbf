using TrustedCompute.Tpm;

namespace TrustedCompute.EventLog;

/// <summary>One digest of an event in one PCR bank.</summary>
public sealed class TcgDigest(TpmAlgId algorithm, byte[] digest)
{
    public TpmAlgId Algorithm { get; } = algorithm;
    public string Bank => PcrBanks.Name(Algorithm);
    public byte[] Digest { get; } = digest;
    public string Hex => HexText.Lower(Digest);
    public override string ToString() => $"{Bank}:{Hex}";
}

/// <summary>Whether an event's digests equal the hash of its data, for types where the spec defines them so.</summary>
public enum DigestCheckStatus
{
    /// <summary>The digest covers something other than the event data (an image, a firmware volume) or the form is unknown.</summary>
    NotChecked,
    /// <summary>Every bank's digest equals the hash of the event data.</summary>
    Verified,
    /// <summary>At least one bank's digest differs from the hash of the event data.</summary>
    Mismatch,
}

/// <summary>One event of a TCG event log (TCG_PCR_EVENT or TCG_PCR_EVENT2), with its decoded data.</summary>
public sealed class TcgEvent
{
    internal TcgEvent(int index, long offset, int length, int pcrIndex, uint eventType, TcgDigest[] digests, byte[] data)
    {
        Index = index;
        Offset = offset;
        Length = length;
        PcrIndex = pcrIndex;
        RawEventType = eventType;
        DigestArray = digests;
        Data = data;
    }

    /// <summary>The <see cref="PcrIndex"/> of an event logged against no PCR (0xFFFFFFFF in the log).</summary>
    public const int NoPcr = -1;

    private TcgEventData? _decoded;

    /// <summary>Position in the log, 0 for the first (header) event.</summary>
    public int Index { get; }
    /// <summary>Byte offset of the event in the log.</summary>
    public long Offset { get; }
    /// <summary>Bytes the whole event occupies in the log.</summary>
    public int Length { get; }
    /// <summary>0-23, or <see cref="NoPcr"/> (-1) for an EV_NO_ACTION logged against PCR 0xFFFFFFFF.</summary>
    public int PcrIndex { get; }
    public uint RawEventType { get; }
    public TcgEventType EventType => (TcgEventType)RawEventType;
    /// <summary>The spec's name, or hex for a type the spec does not name.</summary>
    public string EventTypeName => Enum.IsDefined(EventType) ? EventType.ToString() : $"0x{RawEventType:x8}";
    public IReadOnlyList<TcgDigest> Digests => DigestArray;
    /// <summary>The digests as an array: looping over it allocates no enumerator.</summary>
    internal TcgDigest[] DigestArray { get; }
    public byte[] Data { get; }
    /// <summary>The data decoded by type (decoded on first use).</summary>
    public TcgEventData Decoded => _decoded ??= EventDataDecoder.Decode(this);
    /// <summary>False for EV_NO_ACTION: such events are logged but never extended.</summary>
    public bool IsExtended => EventType != TcgEventType.EV_NO_ACTION && PcrIndex != NoPcr;
    public DigestCheckStatus DigestCheck { get; internal set; }
    /// <summary>Banks whose digest differs from the hash of the data (empty unless <see cref="DigestCheck"/> is Mismatch).</summary>
    public IReadOnlyList<TpmAlgId> MismatchedBanks { get; internal set; } = [];
    public string Summary => Decoded.ToString() ?? "";

    public byte[]? GetDigest(TpmAlgId bank)
    {
        foreach (var d in DigestArray) if (d.Algorithm == bank) return d.Digest;
        return null;
    }

    public override string ToString() => $"#{Index} {(PcrIndex == NoPcr ? "no PCR" : $"PCR{PcrIndex}")} {EventTypeName} {Summary}";
}
