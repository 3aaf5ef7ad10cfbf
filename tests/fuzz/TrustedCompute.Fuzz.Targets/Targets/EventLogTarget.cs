using TrustedCompute.EventLog;
using TrustedCompute.Tpm;

namespace TrustedCompute.Fuzz.Targets;

/// <summary>
/// TCG event log: parse (with the digest check), decode every event's data, replay with and without quirks, and
/// compare with PCR values. Only <see cref="EventLogFormatException"/> may come out, and only of the parse.
/// </summary>
public sealed class EventLogTarget : FuzzTarget
{
    private static readonly EventLogQuirks AllQuirks = EventLogQuirkRules.All.Aggregate(EventLogQuirks.None, (a, q) => a | q);

    public override string Name => "eventlog";
    public override string Description => "TcgEventLog.Parse, every event's Decoded/Summary, Replay, CompareWith";

    public override bool IsDocumented(Exception exception) => exception is EventLogFormatException;

    public override IReadOnlyList<string> SharedSeeds => ["eventlogs/synthetic/*.bin", "eventlogs/tpm2-tools/*.bin"];

    public override IEnumerable<(string Name, byte[] Bytes)> GeneratedSeeds()
    {
        yield return ("agile-sha1-sha256.bin", FuzzSamples.EventLog());
        var sha384 = new FuzzSamples.LogWriter([TpmAlgId.Sha256, TpmAlgId.Sha384]);
        sha384.Add(0, TcgEventType.EV_EFI_PLATFORM_FIRMWARE_BLOB, new byte[16]);
        sha384.Add(7, TcgEventType.EV_SEPARATOR, new byte[4]);
        sha384.Add(7, TcgEventType.EV_SEPARATOR, new byte[4]);
        yield return ("agile-sha256-sha384-duplicate-separator.bin", sha384.ToArray());
    }

    public override void Run(byte[] input)
    {
        // The last bit of the length picks the parse quirks, so the fuzzer reaches both paths.
        var options = new EventLogParseOptions { Quirks = input.Length % 2 == 1 ? AllQuirks : EventLogQuirks.None };
        var log = TcgEventLog.Parse(input, options);
        foreach (var e in log.Events)
        {
            _ = e.Decoded;
            _ = e.ToString();
        }
        _ = log.DigestMismatches.Count;
        var replay = log.Replay(AllQuirks);
        var pcrs = log.Replay().Pcrs.ToDictionary(p => (p.Algorithm, p.Index), p => p.Value);
        if (pcrs.Count > 0)
        {
            var first = pcrs.Keys.First();
            pcrs[first] = new byte[pcrs[first].Length];
        }
        _ = log.CompareWith(pcrs, AllQuirks).Differences.Count;
        _ = replay.Compare(pcrs).Count;
    }
}
