using System.Buffers.Binary;
using System.Text;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.EventLog;

/// <summary>
/// A crypto-agile event must carry a digest for every bank of the Spec ID table: an event with fewer digests would be
/// left out of the other banks' replay, so it could show in the log without being bound by those PCRs.
/// </summary>
public class EventLogBankCoverageTests
{
    /// <summary>The header of a SHA-1 + SHA-256 log, then one EV_IPL event with only a SHA-1 digest.</summary>
    internal static byte[] LogWithASha1OnlyEvent(int pcr = 8, string text = "kernel_cmdline: lockdown=integrity")
    {
        var header = new SyntheticLog(TpmAlgId.Sha1, TpmAlgId.Sha256).ToArray();
        var data = Encoding.ASCII.GetBytes(text);
        var ev = new MemoryStream();
        void U32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); ev.Write(b); }
        U32((uint)pcr);
        U32((uint)TcgEventType.EV_IPL);
        U32(1);
        ev.Write([(byte)TpmAlgId.Sha1, 0]);
        ev.Write(PcrBanks.Hash(TpmAlgId.Sha1, data));
        U32((uint)data.Length);
        ev.Write(data);
        return [.. header, .. ev.ToArray()];
    }

    [Fact]
    public void A_comparison_does_not_vouch_for_an_event_missing_the_compared_bank()
    {
        var log = TcgEventLog.Parse(LogWithASha1OnlyEvent());
        var replay = log.Replay();
        // PCR 8 as a TPM that never saw the event in its SHA-256 bank would quote it: the SHA-256 replay skips the event
        var sha256Pcr8 = replay.GetValue(TpmAlgId.Sha256, 8)!;
        var sha1Pcr8 = replay.GetValue(TpmAlgId.Sha1, 8)!;

        var comparison = log.CompareWith(new Dictionary<(TpmAlgId, int), byte[]> { [(TpmAlgId.Sha256, 8)] = sha256Pcr8 });

        Assert.False(comparison.IsMatch);
        var difference = Assert.Single(comparison.Differences);
        Assert.Equal((TpmAlgId.Sha256, 8), (difference.Algorithm, difference.Index));
        Assert.Contains("#1", difference.Reason);
        Assert.True(log.CompareWith(new Dictionary<(TpmAlgId, int), byte[]> { [(TpmAlgId.Sha1, 8)] = sha1Pcr8 }).IsMatch);
    }
    [Fact]
    public void An_event_whose_digests_are_all_in_banks_we_cannot_compute_is_not_checked_not_verified()
    {
        // an SM3-only log; the separator's digest is plainly not the SM3 hash of its data, and we cannot tell
        var log = TcgEventLog.Parse(new SyntheticLog(TpmAlgId.Sm3_256)
            .Add(4, TcgEventType.EV_SEPARATOR, new byte[4], _ => Enumerable.Repeat((byte)0xAB, 32).ToArray()).ToArray());

        Assert.Equal(DigestCheckStatus.NotChecked, log.Events[1].DigestCheck);
    }
}
