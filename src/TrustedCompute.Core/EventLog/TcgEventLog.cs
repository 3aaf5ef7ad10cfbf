using TrustedCompute.Tpm;

namespace TrustedCompute.EventLog;

public enum EventLogFormat
{
    /// <summary>TCG_PCR_EVENT records with one SHA-1 digest each (TPM 1.2 style, or a TPM 2.0 SHA-1 log).</summary>
    Sha1Legacy,
    /// <summary>A Spec ID Event03 header, then TCG_PCR_EVENT2 records with one digest per bank.</summary>
    CryptoAgile,
}

/// <summary>Limits and tolerances for parsing untrusted log bytes.</summary>
public sealed record EventLogParseOptions
{
    public static EventLogParseOptions Default { get; } = new();

    /// <summary>Largest EventSize accepted for one event.</summary>
    public int MaxEventSize { get; init; } = 4 << 20;
    /// <summary>Largest log accepted, in bytes.</summary>
    public long MaxLogSize { get; init; } = 64 << 20;
    /// <summary>Most events accepted.</summary>
    public int MaxEvents { get; init; } = 1 << 20;
    /// <summary>
    /// How long reading a log that is not a regular file (securityfs, a FIFO, a device) may take in all;
    /// then the read fails with an IOException whose inner exception is a TimeoutException.
    /// </summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Parse-time quirks to tolerate (see <see cref="EventLogQuirks"/>).</summary>
    public EventLogQuirks Quirks { get; init; }
}

/// <summary>A parsed TCG PC Client event log: its format, banks, events and replay.</summary>
public sealed class TcgEventLog
{
    internal TcgEventLog(EventLogFormat format, SpecIdEventData? specId, IReadOnlyList<TpmAlgId> banks,
        IReadOnlyList<TcgEvent> events, long length, EventLogQuirks appliedQuirks)
    {
        Format = format;
        SpecId = specId;
        Banks = banks;
        Events = events;
        Length = length;
        AppliedParseQuirks = appliedQuirks;
        var hasher = BankHasher.ForThisThread;
        foreach (var e in events) DigestChecker.Check(e, hasher);
        // An H-CRTM (EV_EFI_HCRTM_EVENT in PCR 0) starts PCR 0 at 4 like a StartupLocality of 4.
        StartupLocality = events.Where(e => e.EventType == TcgEventType.EV_NO_ACTION && e.PcrIndex == 0 && e.Data.AsSpan().StartsWith("StartupLocality\0"u8))
            .Select(e => e.Decoded).OfType<StartupLocalityEventData>().FirstOrDefault()?.Locality
            ?? (events.Any(e => e.EventType == TcgEventType.EV_EFI_HCRTM_EVENT && e.PcrIndex == 0) ? (byte)4 : (byte)0);
    }

    public EventLogFormat Format { get; }
    public SpecIdEventData? SpecId { get; }
    /// <summary>The banks the log carries digests for, in the Spec ID table's order (SHA-1 alone for a legacy log).</summary>
    public IReadOnlyList<TpmAlgId> Banks { get; }
    public IReadOnlyList<TcgEvent> Events { get; }
    /// <summary>Bytes parsed.</summary>
    public long Length { get; }
    /// <summary>Locality from the StartupLocality event (4 for an H-CRTM log): PCR0 starts at this value (0 when absent).</summary>
    public byte StartupLocality { get; }
    public EventLogQuirks AppliedParseQuirks { get; }
    public IReadOnlyList<TcgEvent> DigestMismatches => Events.Where(e => e.DigestCheck == DigestCheckStatus.Mismatch).ToList();

    public static TcgEventLog Parse(byte[] data, EventLogParseOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream(data, 0, data.Length, writable: false, publiclyVisible: true);
        return EventLogParser.Parse(stream, options ?? EventLogParseOptions.Default, cancellationToken);
    }

    /// <summary>Parses from a stream without reading more than the events need: junk fails at its first bad field.</summary>
    public static TcgEventLog Parse(Stream stream, EventLogParseOptions? options = null, CancellationToken cancellationToken = default) =>
        EventLogParser.Parse(stream, options ?? EventLogParseOptions.Default, cancellationToken);

    /// <summary>Final PCR values per bank, optionally with replay quirks applied.</summary>
    public PcrReplay Replay(EventLogQuirks quirks = EventLogQuirks.None) => PcrReplay.Run(this, quirks);

    /// <summary>
    /// Replays and compares with PCR values read from a TPM or a quote. Without quirks first; when PCRs differ and
    /// <paramref name="allowedQuirks"/> names some, each allowed replay quirk alone, then all together. The
    /// first replay that matches wins; otherwise the result lists every differing PCR of the plain replay.
    /// </summary>
    public PcrComparison CompareWith(IReadOnlyDictionary<(TpmAlgId Bank, int Index), byte[]> pcrs, EventLogQuirks allowedQuirks = EventLogQuirks.None)
    {
        var plain = Replay();
        var first = new PcrComparison(plain, plain.Compare(pcrs));
        if (first.IsMatch) return first;
        var candidates = EventLogQuirkRules.ReplayQuirks.Where(q => allowedQuirks.HasFlag(q)).ToList();
        var attempts = candidates.Select(q => q).ToList();
        var all = candidates.Aggregate(EventLogQuirks.None, (a, q) => a | q);
        if (candidates.Count > 1) attempts.Add(all);
        foreach (var quirks in attempts)
        {
            var replay = Replay(quirks);
            if (replay.AppliedQuirks == EventLogQuirks.None) continue;
            var result = new PcrComparison(replay, replay.Compare(pcrs));
            if (result.IsMatch) return result;
        }
        return first;
    }
}
