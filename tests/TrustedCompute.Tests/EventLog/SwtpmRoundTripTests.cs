using System.Text;
using TrustedCompute.EventLog;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.EventLog;

/// <summary>A log made here, extended into a fresh swtpm with tpm2_pcrextend: the replay equals tpm2_pcrread, in both banks.</summary>
public class SwtpmRoundTripTests(SwtpmFixture tpm) : IClassFixture<SwtpmFixture>
{
    private static readonly int[] Pcrs = [0, 1, 2, 4, 5, 7, 8, 9, 14];

    private Dictionary<(TpmAlgId, int), string> Read() =>
        Oracle.ParsePcrs(tpm.Tpm2("tpm2_pcrread", "sha1:" + string.Join(',', Pcrs) + "+sha256:" + string.Join(',', Pcrs)).Split('\n'));

    [SkippableFact]
    public void Replay_of_a_generated_log_equals_the_simulator_pcrs()
    {
        tpm.Require();
        Assert.All(Read(), kv => Assert.Matches("^0+$", kv.Value));

        var random = new Random(20261127);
        byte[] Blob(int n) { var b = new byte[n]; random.NextBytes(b); return b; }
        var bytes = new SyntheticLog(TpmAlgId.Sha1, TpmAlgId.Sha256)
            .Add(0, TcgEventType.EV_S_CRTM_VERSION, Encoding.Unicode.GetBytes("1.02\0"))
            .Add(0, TcgEventType.EV_EFI_PLATFORM_FIRMWARE_BLOB, Blob(16), bank => PcrBanks.Hash(bank, Blob(4096)))
            .Add(7, TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG, Variable("SecureBoot", [1]))
            .Add(0, TcgEventType.EV_NO_ACTION, [.. "SP800-155 Event\0"u8, .. Blob(8)])
            .Add(1, TcgEventType.EV_EFI_VARIABLE_BOOT, Variable("BootOrder", [1, 0, 0, 0]))
            .Separator(0).Separator(1).Separator(2).Separator(4).Separator(5).Separator(7)
            .Add(4, TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION, Blob(40), bank => PcrBanks.Hash(bank, Blob(8192)))
            .Action(5, EventLogQuirkRules.ExitBootServicesInvocation)
            .Add(8, TcgEventType.EV_IPL, Encoding.ASCII.GetBytes("grub_cmd: linux /vmlinuz root=/dev/sda1\0"),
                bank => PcrBanks.Hash(bank, Encoding.ASCII.GetBytes("linux /vmlinuz root=/dev/sda1")))
            .Add(9, TcgEventType.EV_IPL, Encoding.ASCII.GetBytes("/boot/vmlinuz\0"), bank => PcrBanks.Hash(bank, Blob(1000)))
            .Add(14, TcgEventType.EV_IPL, Encoding.ASCII.GetBytes("MokList\0"), bank => PcrBanks.Hash(bank, Blob(64)))
            .ToArray();
        var log = TcgEventLog.Parse(bytes);
        Assert.Empty(log.DigestMismatches);

        foreach (var e in log.Events.Where(e => e.IsExtended))
            tpm.Tpm2("tpm2_pcrextend", $"{e.PcrIndex}:" + string.Join(',', e.Digests.Select(d => $"{d.Bank}={d.Hex}")));

        var read = Read();
        Assert.Equal(Pcrs.Length * 2, read.Count);
        var actual = read.ToDictionary(kv => kv.Key, kv => Convert.FromHexString(kv.Value));
        var comparison = log.CompareWith(actual);
        Assert.Empty(comparison.Differences);
        Assert.Equal(Oracle.Touched(log.Replay()).OrderBy(kv => kv.Key), read.Where(kv => !kv.Value.All(c => c == '0')).OrderBy(kv => kv.Key));

        // The same log without its last event no longer matches PCR 14, in both banks.
        var shorter = TcgEventLog.Parse(bytes.AsSpan(0, (int)log.Events[^1].Offset).ToArray());
        Assert.Equal([(TpmAlgId.Sha1, 14), (TpmAlgId.Sha256, 14)], shorter.CompareWith(actual).Differences.Select(d => (d.Algorithm, d.Index)));
    }

    private static byte[] Variable(string name, byte[] value)
    {
        var data = new List<byte>(EfiGuids.GlobalVariable.ToByteArray());
        data.AddRange(BitConverter.GetBytes((ulong)name.Length));
        data.AddRange(BitConverter.GetBytes((ulong)value.Length));
        data.AddRange(Encoding.Unicode.GetBytes(name));
        data.AddRange(value);
        return [.. data];
    }
}
