using System.Text.Json.Serialization;

namespace TrustedCompute.Reporting;

[JsonConverter(typeof(JsonStringEnumConverter<EventChange>))]
public enum EventChange
{
    /// <summary>The event is in the new log only.</summary>
    Added,
    /// <summary>The event is in the reference log only.</summary>
    Removed,
    /// <summary>The same component (same PCR, kind and name) was measured with another digest.</summary>
    Changed,
    /// <summary>The same measurement, at another place in the PCR's order.</summary>
    Moved,
}

/// <summary>One difference between a reference log and a new one. Texts are the hosts' own: show them, never trust them.</summary>
public sealed record EventDifference
{
    public required EventChange Change { get; init; }
    public required int Pcr { get; init; }
    public required string EventType { get; init; }
    public required EventComponent Component { get; init; }
    /// <summary>Path, variable or component name (from the new event when there is one).</summary>
    public string Name { get; init; } = "";
    public string OldDescription { get; init; } = "";
    public string NewDescription { get; init; } = "";
    /// <summary>The bank of <see cref="OldDigest"/> and <see cref="NewDigest"/>: the strongest both events have.</summary>
    public string Bank { get; init; } = "";
    public string OldDigest { get; init; } = "";
    public string NewDigest { get; init; } = "";
    /// <summary>Positions in the logs (-1: none, or the event came from a policy).</summary>
    public int OldIndex { get; init; } = -1;
    public int NewIndex { get; init; } = -1;

    /// <summary>"Changed boot application \EFI\ubuntu\grubx64.efi (PCR 4)".</summary>
    public string Summary
    {
        get
        {
            string what = EventLogDiff.Describe(Component);
            string name = Name.Length > 0 ? Name : Component == EventComponent.KernelCommandLine ? NewDescription.Length > 0 ? NewDescription : OldDescription : "";
            return $"{Change} {what}{(name.Length > 0 ? " " + name : "")} (PCR {Pcr})";
        }
    }

    public override string ToString() => Summary;
}

/// <summary>
/// Event-level diff of two logs, PCR by PCR: the longest common run of equal measurements stays, the rest is paired
/// into Changed (same component), Moved (same measurement elsewhere), else Added or Removed. It only explains; it
/// judges nothing.
/// </summary>
public static class EventLogDiff
{
    /// <summary>Beyond this many events in one PCR the diff pairs events by position instead of searching.</summary>
    public const int MaxEventsPerPcr = 1024;

    public static IReadOnlyList<EventDifference> Compare(IReadOnlyList<LogEvent> reference, IReadOnlyList<LogEvent> actual, IEnumerable<int>? pcrs = null)
    {
        var wanted = pcrs?.ToHashSet();
        var result = new List<EventDifference>();
        var all = reference.Select(e => e.Pcr).Concat(actual.Select(e => e.Pcr)).Distinct().Order();
        foreach (int pcr in all)
        {
            if (wanted is not null && !wanted.Contains(pcr)) continue;
            ComparePcr(reference.Where(e => e.Pcr == pcr).ToList(), actual.Where(e => e.Pcr == pcr).ToList(), result);
        }
        return result;
    }

    public static string Describe(EventComponent component) => component switch
    {
        EventComponent.BootApplication => "boot application",
        EventComponent.Driver => "UEFI driver",
        EventComponent.EfiVariable => "EFI variable",
        EventComponent.KernelCommandLine => "kernel command line",
        EventComponent.BootLoader => "boot loader measurement",
        EventComponent.FirmwareBlob => "firmware blob",
        EventComponent.TxtSinit => "TXT SINIT ACM",
        EventComponent.TxtMle => "TXT MLE",
        EventComponent.Txt => "TXT measurement",
        EventComponent.Separator => "separator",
        EventComponent.Action => "action",
        _ => "event",
    };

    private static void ComparePcr(List<LogEvent> old, List<LogEvent> now, List<EventDifference> result)
    {
        var (oldKept, newKept) = CommonRun(old, now);
        var removed = Enumerable.Range(0, old.Count).Where(i => !oldKept[i]).ToList();
        var added = Enumerable.Range(0, now.Count).Where(j => !newKept[j]).ToList();
        var found = new List<(int Order, EventDifference Difference)>();

        Pair(removed, added, (a, b) => old[a].SameMeasurement(now[b]), EventChange.Moved, old, now, found);
        Pair(removed, added, (a, b) => SameComponent(old[a], now[b]) && old[a].Name.Length > 0, EventChange.Changed, old, now, found);
        // An event replaced in place (between the same unchanged neighbours) by one of its kind changed.
        int[] oldGap = Gaps(oldKept), newGap = Gaps(newKept);
        Pair(removed, added, (a, b) => SameComponent(old[a], now[b]) && oldGap[a] == newGap[b], EventChange.Changed, old, now, found);
        Pair(removed, added, (a, b) => SameComponent(old[a], now[b]) && PairsInOrder(old[a].Component), EventChange.Changed, old, now, found);
        foreach (int a in removed) found.Add((Order(a, -1, old, now), Make(EventChange.Removed, old[a], null)));
        foreach (int b in added) found.Add((Order(-1, b, old, now), Make(EventChange.Added, null, now[b])));
        result.AddRange(found.OrderBy(f => f.Order).Select(f => f.Difference));
    }

    /// <summary>For each event, how many kept (unchanged) events come before it in its log.</summary>
    private static int[] Gaps(bool[] kept)
    {
        var gaps = new int[kept.Length];
        for (int i = 0, n = 0; i < kept.Length; i++)
        {
            gaps[i] = n;
            if (kept[i]) n++;
        }
        return gaps;
    }

    /// <summary>Components that a PCR normally holds once or in a fixed order, so the n-th old pairs with the n-th new.</summary>
    private static bool PairsInOrder(EventComponent c) =>
        c is EventComponent.KernelCommandLine or EventComponent.BootApplication or EventComponent.FirmwareBlob
            or EventComponent.TxtSinit or EventComponent.TxtMle or EventComponent.Driver;

    private static bool SameComponent(LogEvent a, LogEvent b) =>
        a.Component == b.Component && a.EventType == b.EventType && string.Equals(a.Name, b.Name, StringComparison.Ordinal);

    private static void Pair(List<int> removed, List<int> added, Func<int, int, bool> match, EventChange change,
        List<LogEvent> old, List<LogEvent> now, List<(int, EventDifference)> found)
    {
        for (int r = 0; r < removed.Count; r++)
        {
            int b = added.FindIndex(x => match(removed[r], x));
            if (b < 0) continue;
            found.Add((Order(removed[r], added[b], old, now), Make(change, old[removed[r]], now[added[b]])));
            added.RemoveAt(b);
            removed.RemoveAt(r--);
        }
    }

    /// <summary>Sorts differences by where they are in the new log (old-only events by their old position).</summary>
    private static int Order(int oldAt, int newAt, List<LogEvent> old, List<LogEvent> now) =>
        newAt >= 0 ? 2 * newAt + 1 : 2 * Math.Min(oldAt, now.Count);

    /// <summary>Marks the longest common subsequence of equal measurements (by position beyond the size limit).</summary>
    private static (bool[] Old, bool[] New) CommonRun(List<LogEvent> old, List<LogEvent> now)
    {
        bool[] keptOld = new bool[old.Count], keptNew = new bool[now.Count];
        if (old.Count > MaxEventsPerPcr || now.Count > MaxEventsPerPcr)
        {
            for (int i = 0; i < Math.Min(old.Count, now.Count); i++)
                keptOld[i] = keptNew[i] = old[i].SameMeasurement(now[i]);
            return (keptOld, keptNew);
        }
        var length = new int[old.Count + 1, now.Count + 1];
        for (int i = old.Count - 1; i >= 0; i--)
            for (int j = now.Count - 1; j >= 0; j--)
                length[i, j] = old[i].SameMeasurement(now[j]) ? length[i + 1, j + 1] + 1 : Math.Max(length[i + 1, j], length[i, j + 1]);
        for (int i = 0, j = 0; i < old.Count && j < now.Count;)
        {
            if (old[i].SameMeasurement(now[j])) { keptOld[i++] = keptNew[j++] = true; }
            else if (length[i + 1, j] >= length[i, j + 1]) i++;
            else j++;
        }
        return (keptOld, keptNew);
    }

    private static EventDifference Make(EventChange change, LogEvent? old, LogEvent? now)
    {
        var any = now ?? old!;
        string bank = old is not null && now is not null ? LogEvent.CommonBank(old, now) ?? "" : Strongest(any);
        return new EventDifference
        {
            Change = change, Pcr = any.Pcr, EventType = any.EventType, Component = any.Component, Name = any.Name,
            OldDescription = old?.Description ?? "", NewDescription = now?.Description ?? "",
            Bank = bank,
            OldDigest = old is not null && old.Digests.TryGetValue(bank, out var o) ? o : "",
            NewDigest = now is not null && now.Digests.TryGetValue(bank, out var n) ? n : "",
            OldIndex = old?.Index ?? -1, NewIndex = now?.Index ?? -1,
        };
    }

    private static string Strongest(LogEvent e) =>
        e.Digests.Keys.OrderByDescending(k => TrustedCompute.EventLog.PcrBanks.DigestSize(TrustedCompute.EventLog.PcrBanks.Parse(k)))
            .FirstOrDefault() ?? "";
}
