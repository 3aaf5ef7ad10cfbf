using System.Text;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.EventLog;

public class PcrReplayTests
{
    private static byte[] Extend(TpmAlgId bank, byte[] pcr, byte[] digest) => PcrBanks.Hash(bank, [.. pcr, .. digest]);

    [Fact]
    public void Replay_extends_from_the_reset_value_and_skips_no_action_events()
    {
        var action = Encoding.ASCII.GetBytes("Calling EFI Application from Boot Option");
        var log = TcgEventLog.Parse(new SyntheticLog().Add(4, TcgEventType.EV_EFI_ACTION, action)
            .Add(4, TcgEventType.EV_NO_ACTION, [.. "SP800-155 Event\0"u8, 1, 2]).Separator(4).ToArray());
        foreach (var bank in new[] { TpmAlgId.Sha1, TpmAlgId.Sha256 })
        {
            int n = PcrBanks.DigestSize(bank);
            var expected = Extend(bank, Extend(bank, new byte[n], PcrBanks.Hash(bank, action)), PcrBanks.Hash(bank, new byte[4]));
            Assert.Equal(expected, log.Replay().GetValue(bank, 4));
        }
        Assert.Equal(new byte[32], log.Replay().GetValue(TpmAlgId.Sha256, 5));
        Assert.Equal(Enumerable.Repeat((byte)0xFF, 32), log.Replay().GetValue(TpmAlgId.Sha256, 17));
        Assert.Null(log.Replay().GetValue(TpmAlgId.Sha384, 4));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void Startup_locality_sets_the_initial_value_of_pcr0(byte locality)
    {
        var log = TcgEventLog.Parse(new SyntheticLog().StartupLocality(locality).Add(0, TcgEventType.EV_S_CRTM_VERSION, [1, 2, 3, 4]).ToArray());
        var initial = new byte[32];
        initial[^1] = locality;
        Assert.Equal(Extend(TpmAlgId.Sha256, initial, PcrBanks.Hash(TpmAlgId.Sha256, [1, 2, 3, 4])), log.Replay().GetValue(TpmAlgId.Sha256, 0));
    }

    [Fact]
    public void An_hcrtm_event_starts_pcr0_at_4()
    {
        var hcrtm = Encoding.ASCII.GetBytes("HCRTM");
        var log = TcgEventLog.Parse(new SyntheticLog().Add(0, TcgEventType.EV_EFI_HCRTM_EVENT, hcrtm).ToArray());
        var initial = new byte[20];
        initial[^1] = 4;
        Assert.Equal(Extend(TpmAlgId.Sha1, initial, PcrBanks.Hash(TpmAlgId.Sha1, hcrtm)), log.Replay().GetValue(TpmAlgId.Sha1, 0));
    }

    [Fact]
    public void Compare_lists_every_differing_pcr()
    {
        var log = TcgEventLog.Parse(new SyntheticLog().Action(4, "a").Action(5, "b").Separator(7).ToArray());
        var replay = log.Replay();
        var actual = replay.Pcrs.ToDictionary(p => (p.Algorithm, p.Index), p => p.Value);
        Assert.Empty(replay.Compare(actual));
        actual[(TpmAlgId.Sha1, 4)] = new byte[20];
        actual[(TpmAlgId.Sha256, 7)] = new byte[32];
        actual[(TpmAlgId.Sha384, 0)] = new byte[48];
        var differences = replay.Compare(actual);
        Assert.Equal([(TpmAlgId.Sha1, 4), (TpmAlgId.Sha256, 7), (TpmAlgId.Sha384, 0)], differences.Select(d => (d.Algorithm, d.Index)));
        Assert.Null(differences[2].Replayed);
        Assert.Equal(replay.GetValue(TpmAlgId.Sha256, 7), differences[1].Replayed);
    }

    [Fact]
    public void Quirks_apply_only_when_allowed_and_are_reported()
    {
        var log = TcgEventLog.Parse(new SyntheticLog().Action(4, "x").Separator(4).Separator(4).Separator(5).ToArray());
        // The TPM saw one separator in PCR 4, and the two ExitBootServices actions in PCR 5.
        var tpm = TcgEventLog.Parse(new SyntheticLog().Action(4, "x").Separator(4).Separator(5)
            .Action(5, EventLogQuirkRules.ExitBootServicesInvocation).Action(5, EventLogQuirkRules.ExitBootServicesReturned).ToArray()).Replay();
        var pcrs = tpm.Pcrs.ToDictionary(p => (p.Algorithm, p.Index), p => p.Value);

        var strict = log.CompareWith(pcrs);
        Assert.False(strict.IsMatch);
        Assert.Equal([4, 5, 4, 5], strict.Differences.Select(d => d.Index));
        Assert.Equal(EventLogQuirks.None, strict.AppliedQuirks);

        Assert.False(log.CompareWith(pcrs, EventLogQuirks.DuplicateSeparator).IsMatch);
        var allowed = log.CompareWith(pcrs, EventLogQuirks.DuplicateSeparator | EventLogQuirks.MissingExitBootServices);
        Assert.True(allowed.IsMatch);
        Assert.Equal(EventLogQuirks.DuplicateSeparator | EventLogQuirks.MissingExitBootServices, allowed.AppliedQuirks);
    }

    [Fact]
    public void Trailing_padding_is_an_error_unless_the_quirk_is_asked_for()
    {
        var bytes = new SyntheticLog().Action(4, "x").ToArray();
        var padded = bytes.Concat(new byte[100]).ToArray();
        Assert.Throws<EventLogFormatException>(() => TcgEventLog.Parse(padded));
        var log = TcgEventLog.Parse(padded, new EventLogParseOptions { Quirks = EventLogQuirks.TrailingPadding });
        Assert.Equal(2, log.Events.Count);
        Assert.Equal(EventLogQuirks.TrailingPadding, log.AppliedParseQuirks);
        Assert.Equal(EventLogQuirks.None, TcgEventLog.Parse(bytes, new EventLogParseOptions { Quirks = EventLogQuirks.TrailingPadding }).AppliedParseQuirks);
    }
}
