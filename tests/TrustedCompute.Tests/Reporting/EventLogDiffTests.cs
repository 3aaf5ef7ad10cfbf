using System.Text;
using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using TrustedCompute.Reporting;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Reporting;

/// <summary>Diffs of a real captured log (GCE Ubuntu 21.04, tpm2-tools' test data) against edited copies of itself.</summary>
public sealed class EventLogDiffTests
{
    private static byte[] RealLog() => File.ReadAllBytes(TestPaths.Shared("eventlogs", "tpm2-tools", "event-gce-ubuntu-2104-log.bin"));

    private static IReadOnlyList<EventDifference> Diff(byte[] before, LogEditor after) =>
        EventLogDiff.Compare(LogEvent.FromLog(TcgEventLog.Parse(before)), LogEvent.FromLog(after.Log));

    private static bool Is(LogEditor.Entry e, TcgEventType type, int pcr) => e.Type == (uint)type && e.Pcr == pcr;

    [SkippableFact]
    public void TheEditorRewritesTheLogByteForByteAndIdenticalLogsGiveNoDiff()
    {
        byte[] log = RealLog();
        var editor = new LogEditor(log);
        Assert.Equal(log, editor.ToArray());
        Assert.Empty(Diff(log, editor));
        Assert.True(LogEvent.FromLog(editor.Log).Count > 100);
    }

    [SkippableFact]
    public void AChangedBootApplicationIsNamedByItsPathWithOldAndNewDigests()
    {
        byte[] log = RealLog();
        var editor = new LogEditor(log);
        int at = editor.Find(e => Is(e, TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION, 4), nth: 1);
        // The log has sha1, sha256 and sha384: the diff shows the strongest.
        string oldDigest = Convert.ToHexString(editor.Entries[at].Digests.Single(d => d.Bank == TpmAlgId.Sha384).Digest).ToLowerInvariant();
        editor.SetDigests(at, "a newer grubx64.efi"u8.ToArray());

        var d = Assert.Single(Diff(log, editor));
        Assert.Equal((EventChange.Changed, 4, EventComponent.BootApplication), (d.Change, d.Pcr, d.Component));
        Assert.EndsWith(".efi", d.Name, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("\\", d.Name);
        Assert.Equal("sha384", d.Bank);
        Assert.Equal(oldDigest, d.OldDigest);
        Assert.Equal(Convert.ToHexString(PcrBanks.Hash(TpmAlgId.Sha384, "a newer grubx64.efi"u8)).ToLowerInvariant(), d.NewDigest);
        Assert.Contains("boot application", d.Summary);
    }

    [SkippableFact]
    public void AnAddedEventIsAddedInItsPcr()
    {
        byte[] log = RealLog();
        var editor = new LogEditor(log);
        int separator = editor.Find(e => Is(e, TcgEventType.EV_SEPARATOR, 4));
        editor.Entries.Insert(separator, editor.Hashed(4, TcgEventType.EV_EFI_ACTION, Encoding.ASCII.GetBytes("Injected boot component")));

        var d = Assert.Single(Diff(log, editor));
        Assert.Equal((EventChange.Added, 4, EventComponent.Action, "Injected boot component"), (d.Change, d.Pcr, d.Component, d.NewDescription));
        Assert.Equal("", d.OldDigest);
        Assert.NotEmpty(d.NewDigest);
    }

    [SkippableFact]
    public void ARemovedEventIsRemovedAndNamesTheVariable()
    {
        byte[] log = RealLog();
        var editor = new LogEditor(log);
        int at = editor.Find(e => Is(e, TcgEventType.EV_EFI_VARIABLE_BOOT, 1), nth: 1);
        string name = LogEvent.FromLog(editor.Log)[at].Name;
        editor.Entries.RemoveAt(at);

        var d = Assert.Single(Diff(log, editor));
        Assert.Equal((EventChange.Removed, 1, EventComponent.EfiVariable, name), (d.Change, d.Pcr, d.Component, d.Name));
        Assert.StartsWith("Boot", name);
        Assert.Equal("", d.NewDigest);
    }

    [SkippableFact]
    public void AChangedEfiVariableIsChangedUnderItsName()
    {
        byte[] log = RealLog();
        var editor = new LogEditor(log);
        int at = editor.Find(e => Is(e, TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG, 7) && PolicyEventRules.SecureBootValue(e.Data) is not null);
        var data = editor.Entries[at].Data.ToArray();
        data[^1] ^= 1; // SecureBoot flips
        editor.SetData(at, data);

        var d = Assert.Single(Diff(log, editor));
        Assert.Equal((EventChange.Changed, 7, EventComponent.EfiVariable, "SecureBoot"), (d.Change, d.Pcr, d.Component, d.Name));
        Assert.NotEqual(d.OldDescription, d.NewDescription);
        Assert.NotEqual(d.OldDigest, d.NewDigest);
    }

    [SkippableFact]
    public void AChangedKernelCommandLineShowsTheOldAndNewLine()
    {
        byte[] log = RealLog();
        var editor = new LogEditor(log);
        int at = editor.Find(e => Is(e, TcgEventType.EV_IPL, 8) && Encoding.ASCII.GetString(e.Data).StartsWith("kernel_cmdline: ", StringComparison.Ordinal));
        string line = Encoding.ASCII.GetString(editor.Entries[at].Data).TrimEnd('\0');
        editor.SetData(at, Encoding.ASCII.GetBytes(line + " init=/bin/sh\0"));

        var d = Assert.Single(Diff(log, editor));
        Assert.Equal((EventChange.Changed, 8, EventComponent.KernelCommandLine), (d.Change, d.Pcr, d.Component));
        Assert.Equal(line["kernel_cmdline: ".Length..], d.OldDescription);
        Assert.EndsWith(" init=/bin/sh", d.NewDescription);
        Assert.Contains("kernel command line", d.Summary);
    }

    [SkippableFact]
    public void SwappedEventsAreOneMoveAndOtherPcrsStayQuiet()
    {
        byte[] log = RealLog();
        var editor = new LogEditor(log);
        int first = editor.Find(e => Is(e, TcgEventType.EV_EFI_VARIABLE_BOOT, 1));
        (editor.Entries[first], editor.Entries[first + 1]) = (editor.Entries[first + 1], editor.Entries[first]);

        var d = Assert.Single(Diff(log, editor));
        Assert.Equal((EventChange.Moved, 1), (d.Change, d.Pcr));
        Assert.Equal(d.OldDigest, d.NewDigest);
    }

    [SkippableFact]
    public void ThePolicysReferenceLogGivesTheSameDiffAfterAYamlRoundTrip()
    {
        byte[] log = RealLog();
        var parsed = TcgEventLog.Parse(log);
        var evidence = new AttestationEvidence
        {
            HostName = "gce", EventLog = log,
            PcrValues = parsed.Replay().Pcrs.Where(p => p.Algorithm == TpmAlgId.Sha256)
                .Select(p => new EvidencePcr { Bank = p.Bank, Index = p.Index, Value = p.Value }).ToArray(),
        };
        var policy = PolicyYaml.Parse(PolicyYaml.Serialize(AttestationPolicy.FromEvidence(evidence, ["sha256"], null, "gce", keepReferenceLog: true)));
        Assert.NotNull(policy.ReferenceLog);
        Assert.All(policy.ReferenceLog!, e => Assert.Equal(["sha256"], e.Digests!.Keys));

        var editor = new LogEditor(log);
        int at = editor.Find(e => Is(e, TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION, 4));
        editor.SetDigests(at, "new shim"u8.ToArray());
        var d = Assert.Single(EventLogDiff.Compare(policy.ReferenceLog!.Select(LogEvent.From).ToList(), LogEvent.FromLog(editor.Log)));
        Assert.Equal((EventChange.Changed, EventComponent.BootApplication, "sha256"), (d.Change, d.Component, d.Bank));

        // A log that does not replay to the evidence's values is no reference.
        evidence.EventLog = editor.ToArray();
        Assert.Throws<ArgumentException>(() => AttestationPolicy.FromEvidence(evidence, ["sha256"], null, "gce", keepReferenceLog: true));
    }

    [Fact]
    public void AnEventReplacedInPlaceIsChangedButOneAddedElsewhereIsNot()
    {
        static IReadOnlyList<LogEvent> Events(params string[] actions)
        {
            var log = new TrustedCompute.Tests.EventLog.SyntheticLog(TpmAlgId.Sha256);
            foreach (var a in actions) log.Action(16, a);
            return LogEvent.FromLog(TcgEventLog.Parse(log.ToArray()));
        }
        var old = Events("shim 15.7", "grub 2.06-13", "linux 6.1");
        var d = Assert.Single(EventLogDiff.Compare(old, Events("shim 15.7", "grub 2.06-14", "linux 6.1")));
        Assert.Equal((EventChange.Changed, "grub 2.06-13", "grub 2.06-14"), (d.Change, d.OldDescription, d.NewDescription));

        var moved = EventLogDiff.Compare(old, Events("grub 2.06-14", "shim 15.7", "linux 6.1"));
        Assert.Equal([EventChange.Added, EventChange.Removed], moved.Select(x => x.Change).Order());
    }

    [Fact]
    public void AReferenceLogWithABadEntryIsRejectedNamingTheField()
    {
        const string yaml = """
            schemaVersion: 1
            pcrs:
              sha256:
                4:
                - "0000000000000000000000000000000000000000000000000000000000000000"
            referenceLog:
            - pcr: 4
              type: EV_SEPARATOR
              component: Separator
              digests:
                sha256: "00"
            """;
        var e = Assert.Throws<AttestationPolicyException>(() => PolicyYaml.Parse(yaml));
        Assert.Equal("referenceLog[0].digests.sha256", e.Field);
        var badComponent = Assert.Throws<AttestationPolicyException>(() => PolicyYaml.Parse(yaml.Replace("Separator", "7").Replace("\"00\"", new string('0', 64))));
        Assert.Equal("referenceLog[0].component", badComponent.Field);
    }

    [Fact]
    public void HostTextInDescriptionsLosesControlCharactersAndIsCapped()
    {
        string text = LogEvent.Clean("a\u0000b\u001b[31m" + new string('x', 2000) + "\ud800");
        Assert.DoesNotContain(text, char.IsControl);
        Assert.True(text.Length <= 513);
        Assert.StartsWith("a\uFFFDb\uFFFD[31m", text);
    }
}
