using System.Globalization;
using System.Text.RegularExpressions;
using TrustedCompute.EventLog;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tpm;

namespace TrustedCompute.Tests.EventLog;

/// <summary>Reads the shared logs and their independent oracles (tpm2_eventlog 5.4 YAML, replay-py).</summary>
internal static partial class Oracle
{
    public static readonly string[] TpmToolsLogs =
    [
        "event-arch-linux.bin", "event-bootorder.bin", "event-gce-ubuntu-2104-log.bin", "event-moklisttrusted.bin",
        "event-postcode.bin", "event-sd-boot-fedora37.bin", "event-uefi-sha1-log.bin", "event-uefiaction.bin",
        "event-uefiservices.bin", "event-uefivar.bin", "event.bin", "specid-vendordata.bin",
    ];

    public static IEnumerable<object[]> AllLogs =>
        TpmToolsLogs.Select(n => new object[] { "tpm2-tools/" + n }).Append(["synthetic/synthetic_agile_eventlog.bin"]);

    public static string LogPath(string name) => TestPaths.Shared(["eventlogs", .. name.Split('/')]);

    /// <summary>Parses a shared log; the hand-made specid-vendordata.bin needs its named quirk.</summary>
    public static TcgEventLog Load(string name) => TcgEventLog.Parse(File.ReadAllBytes(LogPath(name)),
        name.EndsWith("specid-vendordata.bin", StringComparison.Ordinal)
            ? new EventLogParseOptions { Quirks = EventLogQuirks.SpecIdVendorInfoOutsideEvent } : null);

    /// <summary>The largest shared log, for the truncation sweep and the benchmark.</summary>
    public static string Largest() => TpmToolsLogs.Select(n => LogPath("tpm2-tools/" + n)).OrderByDescending(p => new FileInfo(p).Length).First();

    /// <summary>A "bank:\n  index : 0xhex" block as written by both oracles.</summary>
    public static Dictionary<(TpmAlgId, int), string> ParsePcrs(IEnumerable<string> lines)
    {
        var result = new Dictionary<(TpmAlgId, int), string>();
        TpmAlgId? bank = null;
        foreach (var line in lines)
        {
            var b = BankLine().Match(line);
            if (b.Success) { bank = PcrBanks.Parse(b.Groups[1].Value); continue; }
            var p = PcrLine().Match(line);
            if (p.Success && bank is not null)
                result[(bank.Value, int.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture))] = p.Groups[2].Value.ToLowerInvariant();
        }
        return result;
    }

    public static Dictionary<(TpmAlgId, int), string> YamlPcrs(string name) =>
        ParsePcrs(File.ReadLines(LogPath(name) + ".tpm2_eventlog-5.4.yaml").SkipWhile(l => !l.StartsWith("pcrs:", StringComparison.Ordinal)).Skip(1));

    public static List<string> YamlEventTypes(string name) =>
        File.ReadLines(LogPath(name) + ".tpm2_eventlog-5.4.yaml").Select(l => EventTypeLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

    public static (string Header, Dictionary<(TpmAlgId, int), string> Pcrs)? ReplayPy(string name)
    {
        string path = LogPath(name) + ".replay-py.txt";
        if (!File.Exists(path)) return null;
        var lines = File.ReadAllLines(path);
        return (lines[0], ParsePcrs(lines.Skip(1)));
    }

    public static Dictionary<(TpmAlgId, int), string> Touched(PcrReplay replay) =>
        replay.Pcrs.ToDictionary(p => (p.Algorithm, p.Index), p => p.Hex);

    [GeneratedRegex(@"^\s{2}(sha\d+):\s*$")] private static partial Regex BankLine();
    [GeneratedRegex(@"^\s{4}(\d+)\s*:\s*0x([0-9a-fA-F]+)\s*$")] private static partial Regex PcrLine();
    [GeneratedRegex(@"^\s*EventType:\s*(\S+)\s*$")] private static partial Regex EventTypeLine();
}
