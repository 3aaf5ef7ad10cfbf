using System.Text.RegularExpressions;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.EventLog;

/// <summary>Every shared log against its two independent oracles: tpm2_eventlog 5.4 and replay-py.</summary>
public class EventLogOracleTests
{
    public static IEnumerable<object[]> Logs => Oracle.AllLogs;

    private static TcgEventLog Parse(string name) => Oracle.Load(name);

    [SkippableTheory]
    [MemberData(nameof(Logs))]
    public void Event_count_and_types_equal_tpm2_eventlog(string name)
    {
        var log = Parse(name);
        var expected = Oracle.YamlEventTypes(name);
        Assert.Equal(expected, log.Events.Select(e => e.EventTypeName).ToList());
    }

    [SkippableTheory]
    [MemberData(nameof(Logs))]
    public void Replay_equals_tpm2_eventlog_pcrs(string name)
    {
        var expected = Oracle.YamlPcrs(name);
        var actual = Oracle.Touched(Parse(name).Replay());
        Assert.Equal(expected.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
    }

    [SkippableTheory]
    [MemberData(nameof(Logs))]
    public void Replay_equals_replay_py(string name)
    {
        var oracle = Oracle.ReplayPy(name);
        Skip.If(oracle is null, $"{name} has no replay-py oracle");
        var log = Parse(name);
        var header = Regex.Match(oracle.Value.Header, @"^format: (crypto-agile|legacy SHA-1)(?: \{(.*)\})? events: (\d+)$");
        Assert.True(header.Success, oracle.Value.Header);
        Assert.Equal(header.Groups[1].Value == "crypto-agile" ? EventLogFormat.CryptoAgile : EventLogFormat.Sha1Legacy, log.Format);
        Assert.Equal(int.Parse(header.Groups[3].Value), log.Events.Count);
        if (header.Groups[2].Success)
        {
            var banks = Regex.Matches(header.Groups[2].Value, @"'(\w+)': (\d+)").Select(m => (PcrBanks.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value)));
            Assert.Equal(banks, log.SpecId!.Algorithms.Select(a => (a.Algorithm, a.DigestSize)));
        }
        Assert.Equal(oracle.Value.Pcrs.OrderBy(kv => kv.Key), Oracle.Touched(log.Replay()).OrderBy(kv => kv.Key));
    }

    [SkippableTheory]
    [MemberData(nameof(Logs))]
    public void Digest_mismatches_are_exactly_the_ones_the_oracle_warns_of(string name)
    {
        string warn = Oracle.LogPath(name) + ".warn";
        var expected = File.Exists(warn)
            ? Regex.Matches(File.ReadAllText(warn), @"Event (\d+)'s digest does not match").Select(m => int.Parse(m.Groups[1].Value)).ToList()
            : [];
        var log = Parse(name);
        Assert.Equal(expected, log.DigestMismatches.Select(e => e.Index).ToList());
        Assert.All(log.DigestMismatches, e => Assert.Equal(e.Digests.Select(d => d.Algorithm), e.MismatchedBanks));
    }

    [SkippableFact]
    public void Arch_linux_mismatch_is_event_24_the_systemd_boot_command_line()
    {
        var log = Oracle.Load("tpm2-tools/event-arch-linux.bin");
        var bad = Assert.Single(log.DigestMismatches);
        Assert.Equal(24, bad.Index);
        Assert.Equal(TcgEventType.EV_IPL, bad.EventType);
        Assert.StartsWith("initrd=\\intel-ucode.img", Assert.IsType<StringEventData>(bad.Decoded).Text);
        Assert.True(log.Events.Count(e => e.DigestCheck == DigestCheckStatus.Verified) > 10);
    }

    [SkippableFact]
    public void Spec_id_vendor_info_outside_the_event_needs_its_quirk()
    {
        var bytes = File.ReadAllBytes(Oracle.LogPath("tpm2-tools/specid-vendordata.bin"));
        var ex = Assert.Throws<EventLogFormatException>(() => TcgEventLog.Parse(bytes));
        Assert.Equal(0, ex.EventIndex);
        var log = TcgEventLog.Parse(bytes, new EventLogParseOptions { Quirks = EventLogQuirks.SpecIdVendorInfoOutsideEvent });
        Assert.Equal(EventLogQuirks.SpecIdVendorInfoOutsideEvent, log.AppliedParseQuirks);
        Assert.Equal(Convert.FromHexString("deadbeef"), log.SpecId!.VendorInfo);
        Assert.Equal([TpmAlgId.Sha1, TpmAlgId.Sha256], log.Banks);
    }

    [SkippableFact]
    public void Tampered_event_data_is_reported_and_replay_is_unchanged()
    {
        var bytes = File.ReadAllBytes(Oracle.LogPath("tpm2-tools/event-gce-ubuntu-2104-log.bin"));
        var log = TcgEventLog.Parse(bytes);
        Assert.Empty(log.DigestMismatches);
        var target = log.Events.First(e => e.EventType == TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG && e.DigestCheck == DigestCheckStatus.Verified);
        var tampered = (byte[])bytes.Clone();
        tampered[target.Offset + target.Length - 1] ^= 0x01;
        var again = TcgEventLog.Parse(tampered);
        Assert.Equal([target.Index], again.DigestMismatches.Select(e => e.Index));
        Assert.Equal(log.Banks, again.DigestMismatches[0].MismatchedBanks);
        Assert.Equal(Oracle.Touched(log.Replay()), Oracle.Touched(again.Replay()));
    }
}
