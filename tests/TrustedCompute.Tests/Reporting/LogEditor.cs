using System.Buffers.Binary;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;

namespace TrustedCompute.Tests.Reporting;

/// <summary>Rewrites a parsed crypto-agile log with some events changed, added or removed (the header kept as it was).</summary>
internal sealed class LogEditor
{
    public sealed record Entry(int Pcr, uint Type, IReadOnlyList<(TpmAlgId Bank, byte[] Digest)> Digests, byte[] Data);

    private readonly byte[] _header;

    public LogEditor(byte[] log)
    {
        var parsed = TcgEventLog.Parse(log);
        _header = log[..(int)parsed.Events[1].Offset];
        Entries = parsed.Events.Skip(1).Select(e => new Entry(e.PcrIndex, e.RawEventType,
            e.Digests.Select(d => (d.Algorithm, d.Digest)).ToList(), e.Data)).ToList();
    }

    public List<Entry> Entries { get; }

    public TcgEventLog Log => TcgEventLog.Parse(ToArray());

    /// <summary>The index in <see cref="Entries"/> of the n-th event matching.</summary>
    public int Find(Func<Entry, bool> match, int nth = 0) =>
        Entries.Select((e, i) => (e, i)).Where(x => match(x.e)).Select(x => x.i).Skip(nth).First();

    /// <summary>An entry whose digests are the hashes of <paramref name="data"/> in every bank of the log.</summary>
    public Entry Hashed(int pcr, TcgEventType type, byte[] data) =>
        new(pcr, (uint)type, Entries[0].Digests.Select(d => (d.Bank, PcrBanks.Hash(d.Bank, data))).ToList(), data);

    public LogEditor SetDigests(int at, byte[] measured)
    {
        var e = Entries[at];
        Entries[at] = e with { Digests = e.Digests.Select(d => (d.Bank, PcrBanks.Hash(d.Bank, measured))).ToList() };
        return this;
    }

    public LogEditor SetData(int at, byte[] data)
    {
        var e = Entries[at];
        Entries[at] = e with { Data = data, Digests = e.Digests.Select(d => (d.Bank, PcrBanks.Hash(d.Bank, data))).ToList() };
        return this;
    }

    public byte[] ToArray()
    {
        var s = new MemoryStream();
        s.Write(_header);
        foreach (var e in Entries)
        {
            U32(s, (uint)e.Pcr);
            U32(s, e.Type);
            U32(s, (uint)e.Digests.Count);
            foreach (var (bank, digest) in e.Digests)
            {
                s.WriteByte((byte)((ushort)bank & 0xFF));
                s.WriteByte((byte)((ushort)bank >> 8));
                s.Write(digest);
            }
            U32(s, (uint)e.Data.Length);
            s.Write(e.Data);
        }
        return s.ToArray();
    }

    private static void U32(Stream s, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        s.Write(b);
    }
}
