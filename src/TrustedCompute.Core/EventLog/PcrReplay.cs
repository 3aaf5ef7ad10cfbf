using TrustedCompute.Tpm;

namespace TrustedCompute.EventLog;

/// <summary>One replayed PCR value.</summary>
public sealed record ReplayedPcr(TpmAlgId Algorithm, int Index, byte[] Value)
{
    public string Bank => PcrBanks.Name(Algorithm);
    public string Hex => HexText.Lower(Value);
}

/// <summary>One PCR whose replayed value differs from the value given (read from a TPM or a quote).</summary>
public sealed record PcrDifference(TpmAlgId Algorithm, int Index, byte[]? Replayed, byte[] Actual, string Reason)
{
    public string Bank => PcrBanks.Name(Algorithm);
    public string? ReplayedHex => Replayed is null ? null : HexText.Lower(Replayed);
    public string ActualHex => HexText.Lower(Actual);
}

/// <summary>A replay compared with given PCR values: every differing PCR, and the quirks the replay used.</summary>
public sealed record PcrComparison(PcrReplay Replay, IReadOnlyList<PcrDifference> Differences)
{
    public bool IsMatch => Differences.Count == 0;
    public EventLogQuirks AppliedQuirks => Replay.AppliedQuirks;
}

/// <summary>Final PCR values per bank from extending every logged digest, as the TPM would have.</summary>
public sealed class PcrReplay
{
    public const int PcrCount = 24;
    private readonly Dictionary<TpmAlgId, byte[][]> _values;
    private readonly Dictionary<TpmAlgId, bool[]> _touched;
    private readonly Dictionary<TpmAlgId, int?[]> _unbound;
    private readonly byte _locality;

    private PcrReplay(Dictionary<TpmAlgId, byte[][]> values, Dictionary<TpmAlgId, bool[]> touched, Dictionary<TpmAlgId, int?[]> unbound,
        byte locality, IReadOnlyList<TpmAlgId> skipped, EventLogQuirks applied)
    {
        _values = values;
        _touched = touched;
        _unbound = unbound;
        _locality = locality;
        SkippedBanks = skipped;
        AppliedQuirks = applied;
        Pcrs = [.. values.SelectMany(kv => Enumerable.Range(0, PcrCount).Where(i => touched[kv.Key][i]).Select(i => new ReplayedPcr(kv.Key, i, kv.Value[i])))];
    }

    /// <summary>The banks replayed.</summary>
    public IReadOnlyList<TpmAlgId> Banks => [.. _values.Keys];
    /// <summary>Banks of the log whose algorithm we cannot compute (e.g. SM3).</summary>
    public IReadOnlyList<TpmAlgId> SkippedBanks { get; }
    public EventLogQuirks AppliedQuirks { get; }
    /// <summary>Every PCR some event extended, per bank.</summary>
    public IReadOnlyList<ReplayedPcr> Pcrs { get; }

    internal static PcrReplay Run(TcgEventLog log, EventLogQuirks quirks)
    {
        var banks = log.Banks.Where(PcrBanks.IsSupported).ToList();
        var skipped = log.Banks.Where(b => !PcrBanks.IsSupported(b)).ToList();
        var plan = EventLogQuirkRules.Plan(log.Events, quirks, out var applied);
        var values = new Dictionary<TpmAlgId, byte[][]>();
        var touchedPerBank = new Dictionary<TpmAlgId, bool[]>();
        var unboundPerBank = new Dictionary<TpmAlgId, int?[]>();
        Span<byte> buffer = stackalloc byte[128];
        var hasher = BankHasher.ForThisThread;
        foreach (var bank in banks)
        {
            int size = PcrBanks.DigestSize(bank);
            var touched = new bool[PcrCount];
            foreach (var step in plan)
                if (step.Event is null || step.Event.GetDigest(bank) is not null) touched[step.PcrIndex] = true;
            // per PCR, the first extended event without a digest for this bank: the bank's replay cannot vouch for it
            var unbound = new int?[PcrCount];
            var pcrs = new byte[PcrCount][];
            for (int i = 0; i < PcrCount; i++) pcrs[i] = InitialValue(i, size, log.StartupLocality, touched[i]);
            foreach (var step in plan)
            {
                var pcr = pcrs[step.PcrIndex];
                pcr.CopyTo(buffer);
                if (step.Event is not null)
                {
                    var digest = step.Event.GetDigest(bank);
                    if (digest is null)
                    {
                        unbound[step.PcrIndex] ??= step.Event.Index;
                        continue;
                    }
                    digest.CopyTo(buffer[size..]);
                }
                else
                {
                    hasher.Hash(bank, step.Data, buffer[size..]);
                }
                hasher.Hash(bank, buffer[..(2 * size)], pcr);
            }
            values[bank] = pcrs;
            touchedPerBank[bank] = touched;
            unboundPerBank[bank] = unbound;
        }
        return new PcrReplay(values, touchedPerBank, unboundPerBank, log.StartupLocality, skipped, applied);
    }

    /// <summary>Reset value: zeros; PCR 0 ends in the startup locality; PCR 17-22 all ones unless a dynamic launch reset them.</summary>
    private static byte[] InitialValue(int index, int size, byte locality, bool touched)
    {
        var value = new byte[size];
        if (index == 0) value[^1] = locality;
        else if (index is >= 17 and <= 22 && !touched) value.AsSpan().Fill(0xFF);
        return value;
    }

    /// <summary>The replayed value of a PCR; for a PCR no event touched, its reset value. Null for a bank not replayed.</summary>
    public byte[]? GetValue(TpmAlgId bank, int index)
    {
        if (index is < 0 or >= PcrCount) throw new ArgumentOutOfRangeException(nameof(index), index, "PCR index must be 0-23");
        if (!_values.TryGetValue(bank, out var pcrs)) return null;
        return (byte[])(_touched[bank][index] ? pcrs[index] : InitialValue(index, pcrs[index].Length, _locality, false)).Clone();
    }

    /// <summary>
    /// Compares with PCR values read elsewhere; lists every (bank, index) given whose value differs, and every one whose
    /// log has an extended event without a digest for that bank (such an event is not bound by the value, whatever it is).
    /// </summary>
    public IReadOnlyList<PcrDifference> Compare(IReadOnlyDictionary<(TpmAlgId Bank, int Index), byte[]> pcrs)
    {
        ArgumentNullException.ThrowIfNull(pcrs);
        var differences = new List<PcrDifference>();
        foreach (var ((bank, index), actual) in pcrs.OrderBy(kv => kv.Key.Bank).ThenBy(kv => kv.Key.Index))
        {
            var replayed = GetValue(bank, index);
            if (replayed is null)
                differences.Add(new PcrDifference(bank, index, null, actual, $"the log has no replayable {PcrBanks.Name(bank)} bank"));
            else if (_unbound[bank][index] is { } unboundEvent)
                differences.Add(new PcrDifference(bank, index, replayed, actual,
                    $"event #{unboundEvent} extends PCR {index} but has no {PcrBanks.Name(bank)} digest, so this bank cannot vouch for it"));
            else if (!replayed.AsSpan().SequenceEqual(actual))
                differences.Add(new PcrDifference(bank, index, replayed, actual,
                    replayed.Length != actual.Length ? $"value is {actual.Length} bytes, not {replayed.Length}" : "replayed value differs"));
        }
        return differences;
    }
}
