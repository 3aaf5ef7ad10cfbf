using System.Buffers.Binary;
using System.Text;
using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using TrustedCompute.Tests.EventLog;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Attestation;

/// <summary>Every policy rule once holding and once broken, end to end through signed evidence; and the YAML reader's defences.</summary>
public sealed class PolicyTests : IDisposable
{
    private static readonly byte[] Shim = Enumerable.Repeat((byte)0x51, 32).ToArray();
    private static readonly byte[] Grub = Enumerable.Repeat((byte)0x6B, 32).ToArray();
    private readonly SoftQuote _soft = new();

    public void Dispose() => _soft.Dispose();

    internal static byte[] Variable(string name, byte[] value)
    {
        var data = new MemoryStream();
        data.Write(EfiGuids.GlobalVariable.ToByteArray());
        Span<byte> n = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(n, (ulong)name.Length); data.Write(n);
        BinaryPrimitives.WriteUInt64LittleEndian(n, (ulong)value.Length); data.Write(n);
        data.Write(Encoding.Unicode.GetBytes(name));
        data.Write(value);
        return data.ToArray();
    }

    internal static byte[] Image(string path) => [.. new byte[24], .. BitConverter.GetBytes((ulong)path.Length), .. Encoding.ASCII.GetBytes(path)];

    /// <summary>A boot: Secure Boot on/off, shim and grub loaded, a kernel command line, separators.</summary>
    private static byte[] Boot(bool secureBoot = true, string cmdline = "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet", byte[]? second = null) =>
        new SyntheticLog(TpmAlgId.Sha256)
            .Add(7, TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG, Variable("SecureBoot", [secureBoot ? (byte)1 : (byte)0]))
            .Separator(7)
            .Add(4, TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION, Image("shimx64.efi"), _ => Shim)
            .Add(4, TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION, Image("grubx64.efi"), _ => second ?? Grub)
            .Separator(4)
            .Add(8, TcgEventType.EV_IPL, Encoding.ASCII.GetBytes("kernel_cmdline: " + cmdline + "\0"))
            .ToArray();

    private AttestationResult Run(string yaml, byte[]? log = null, Dictionary<(TpmAlgId, int), byte[]>? extra = null)
    {
        log ??= Boot();
        var pcrs = Quoted(log);
        foreach (var kv in extra ?? []) pcrs[kv.Key] = kv.Value;
        return _soft.Verify(_soft.Evidence(pcrs, log), PolicyYaml.Parse("schemaVersion: 1\n" + yaml));
    }

    /// <summary>What the host's TPM holds after the boot the log describes: PCR 0-18 of each bank the log has.</summary>
    internal static Dictionary<(TpmAlgId, int), byte[]> Quoted(byte[] log, params int[] without)
    {
        var replay = TcgEventLog.Parse(log).Replay();
        return replay.Banks.SelectMany(b => Enumerable.Range(0, 19).Where(i => !without.Contains(i)).Select(i => (b, i)))
            .ToDictionary(k => k, k => replay.GetValue(k.b, k.i)!);
    }

    private static void Holds(AttestationResult r)
    {
        Assert.Empty(r.Reasons);
        Assert.Equal(AttestationVerdict.Trusted, r.Verdict);
    }

    private static AttestationReason Breaks(AttestationResult r, string id)
    {
        Assert.Equal(AttestationVerdict.Untrusted, r.Verdict);
        Assert.All(r.Reasons, x => Assert.Equal(id, x.Id));
        return r.Reasons[0];
    }

    private static string HexOf(byte[] b) => Convert.ToHexString(b).ToLowerInvariant();

    [Fact]
    public void GoldenPcrAcceptsAnyListedValueAndNamesTheDifferingPcr()
    {
        var pcr7 = SoftQuote.Replayed(Boot())[(TpmAlgId.Sha256, 7)];
        Holds(Run($"pcrs:\n  sha256:\n    7: [{new string('0', 64)}, {HexOf(pcr7)}]\n"));
        var off = SoftQuote.Replayed(Boot(secureBoot: false))[(TpmAlgId.Sha256, 7)];
        var r = Breaks(Run($"pcrs:\n  sha256:\n    7: [{HexOf(pcr7)}]\n", Boot(secureBoot: false)), ReasonIds.PolicyPcr);
        Assert.Equal((7, "sha256", HexOf(pcr7), HexOf(off)), (r.Pcr, r.Bank, r.Expected, r.Actual));
    }

    [Fact]
    public void GoldenPcrThatIsNotQuotedFails()
    {
        var r = Breaks(Run($"pcrs:\n  sha256:\n    20: [{new string('a', 64)}]\n"), ReasonIds.PolicyPcr);
        Assert.Equal(20, r.Pcr);
        Assert.Null(r.Actual);
    }

    [Fact]
    public void RequiredBanks()
    {
        Holds(Run("banks:\n  required: [sha256]\nevents:\n  secureBoot: true\n"));
        Assert.Equal("sha1", Breaks(Run("banks:\n  required: [sha1, sha256]\nevents:\n  secureBoot: true\n"), ReasonIds.PolicyBank).Bank);
    }

    [Fact]
    public void MinimumHashOfTheQuoteSignature()
    {
        Holds(Run("banks:\n  minimumHash: sha256\nevents:\n  secureBoot: true\n"));
        var weak = Run("banks:\n  minimumHash: sha384\nevents:\n  secureBoot: true\n");
        Assert.Equal(AttestationVerdict.Untrusted, weak.Verdict);
        Assert.Equal("sha256", Assert.Single(weak.Reasons, r => r.Id == ReasonIds.PolicyHash).Actual);
        // The rule itself cannot read a bank weaker than the minimum either.
        Assert.Contains(weak.Reasons, r => r.Id == ReasonIds.PolicyEvent && r.Pcr == 7);
    }

    [Fact]
    public void SecureBootEnabled()
    {
        Holds(Run("events:\n  secureBoot: true\n"));
        var r = Breaks(Run("events:\n  secureBoot: true\n", Boot(secureBoot: false)), ReasonIds.PolicyEvent);
        Assert.Equal((7, "Disabled"), (r.Pcr, r.Actual));
    }

    [Fact]
    public void AllowedBootApplications()
    {
        Holds(Run($"events:\n  bootApplications:\n    allowed: [{HexOf(Shim)}, {HexOf(Grub)}]\n"));
        var evil = Enumerable.Repeat((byte)0xEE, 32).ToArray();
        var r = Breaks(Run($"events:\n  bootApplications:\n    allowed: [{HexOf(Shim)}, {HexOf(Grub)}]\n", Boot(second: evil)), ReasonIds.PolicyEvent);
        Assert.Equal(HexOf(evil), r.Actual);
    }

    [Fact]
    public void ForbiddenBootApplications()
    {
        Holds(Run($"events:\n  bootApplications:\n    forbidden: [{new string('e', 64)}]\n"));
        var r = Breaks(Run($"events:\n  bootApplications:\n    forbidden: [{HexOf(Grub).ToUpperInvariant()}]\n"), ReasonIds.PolicyEvent);
        Assert.Equal((4, HexOf(Grub)), (r.Pcr, r.Actual));
    }

    [Fact]
    public void KernelCommandLineAllowedPatterns()
    {
        Holds(Run("events:\n  kernelCommandLine:\n    allowed: ['^BOOT_IMAGE=\\S+ root=/dev/sda1 ro( quiet)?$']\n"));
        var r = Breaks(Run("events:\n  kernelCommandLine:\n    allowed: ['^BOOT_IMAGE=\\S+ root=/dev/sda1 ro( quiet)?$']\n", Boot(cmdline: "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro init=/bin/sh")), ReasonIds.PolicyEvent);
        Assert.Equal("BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro init=/bin/sh", r.Actual);
    }

    [Fact]
    public void KernelCommandLineForbiddenPatterns()
    {
        Holds(Run("events:\n  kernelCommandLine:\n    forbidden: ['\\binit=', 'module\\.sig_enforce=0']\n"));
        Breaks(Run("events:\n  kernelCommandLine:\n    forbidden: ['\\binit=']\n", Boot(cmdline: "root=/dev/sda1 init=/bin/sh")), ReasonIds.PolicyEvent);
    }

    [Fact]
    public void EventRulesNeedAReplayedLog()
    {
        var log = Boot();
        var pcrs = Quoted(log);
        var policy = PolicyYaml.Parse("schemaVersion: 1\nevents:\n  secureBoot: true\n");
        Breaks(_soft.Verify(_soft.Evidence(pcrs), policy), ReasonIds.PolicyEvent);
        pcrs.Remove((TpmAlgId.Sha256, 7));
        var unquoted = _soft.Verify(_soft.Evidence(pcrs, log), policy);
        Assert.Equal(AttestationVerdict.Untrusted, unquoted.Verdict);
        Assert.Contains(unquoted.Reasons, x => x.Id == ReasonIds.PolicyEvent && x.Pcr == 7);
    }

    [Fact]
    public void TxtMeasuredLaunch()
    {
        Holds(Run("events:\n  txtLaunch: true\n", Drtm(Shim, Grub)));
        Assert.Equal(17, Breaks(Run("events:\n  txtLaunch: true\n", Drtm(null, Grub)), ReasonIds.PolicyEvent).Pcr);
    }

    private static byte[] Drtm(byte[]? sinitKey, byte[] mle)
    {
        var log = new SyntheticLog(TpmAlgId.Sha256);
        if (sinitKey is not null) log.Add(17, TcgEventType.EV_TXT_SINIT_PUBKEY_HASH, sinitKey, _ => sinitKey);
        return log.Add(18, TcgEventType.EV_TXT_MLE_HASH, mle, _ => mle).ToArray();
    }

    [Fact]
    public void TxtSinitAndMleMeasurementsFromTheLog()
    {
        string rule = $"events:\n  txtLaunch: true\n  txtSinit: [{HexOf(Shim)}]\n  txtMle: [{HexOf(Grub)}]\n";
        Holds(Run(rule, Drtm(Shim, Grub)));
        var evil = Enumerable.Repeat((byte)0xEE, 32).ToArray();
        var r = Breaks(Run(rule, Drtm(Shim, evil)), ReasonIds.PolicyEvent);
        Assert.Equal((18, HexOf(evil)), (r.Pcr, r.Actual));
        Assert.Contains("txtMle", r.Message);
        Assert.Contains("txtSinit", Breaks(Run(rule, Drtm(evil, Grub)), ReasonIds.PolicyEvent).Message);
        // PCR values the log does not account for fail the replay, and with it every event rule.
        var noDrtm = Run(rule, Boot(), SoftQuote.Replayed(Drtm(Shim, Grub)));
        Assert.Equal(AttestationVerdict.Untrusted, noDrtm.Verdict);
        Assert.Contains(noDrtm.Reasons, r => r.Id == ReasonIds.EventLogReplay && r.Pcr == 17);
        Assert.Contains(noDrtm.Reasons, r => r.Id == ReasonIds.PolicyEvent);
    }

    [Fact]
    public void ToleratedQuirks()
    {
        var log = new SyntheticLog(TpmAlgId.Sha256).Action(4, "x").Separator(4).Separator(4).ToArray();
        var firmware = SoftQuote.Replayed(log, EventLogQuirks.DuplicateSeparator);
        var evidence = _soft.Evidence(firmware, log);
        string golden = $"schemaVersion: 1\npcrs:\n  sha256:\n    4: [{HexOf(firmware[(TpmAlgId.Sha256, 4)])}]\n";
        Holds(_soft.Verify(evidence, PolicyYaml.Parse(golden + "quirks: [DuplicateSeparator]\n")));
        var r = Breaks(_soft.Verify(evidence, PolicyYaml.Parse(golden)), ReasonIds.EventLogReplay);
        Assert.Equal(4, r.Pcr);
    }

    [Fact]
    public void ExportedPolicyReadsBackTheSame()
    {
        var log = Boot();
        var evidence = _soft.Evidence(SoftQuote.Replayed(log), log);
        var policy = AttestationPolicy.FromEvidence(evidence, ["sha256"], [4, 7]);
        string yaml = PolicyYaml.Serialize(policy);
        var back = PolicyYaml.Parse(yaml);
        Assert.Equal(yaml, PolicyYaml.Serialize(back));
        Assert.Equal([4, 7], back.Pcrs!["sha256"].Keys.Order());
        Holds(_soft.Verify(evidence, back));
        Assert.Equal("sha256:4,7", Assert.Single(back.RequiredSelection()).ToString());
    }

    [Theory]
    [InlineData("schemaVersion: 1\nbankz: {}\n", 2, "bankz")]
    [InlineData("schemaVersion: 1\nevents:\n  secureBoot: true\n  secureboot2: false\n", 4, "secureboot2")]
    [InlineData("schemaVersion: 1\npcrs:\n  sha256:\n    7: !!binary AAAA\n", 4, "tags")]
    [InlineData("schemaVersion: 1\nname: !custom x\n", 2, "tags")]
    [InlineData("schemaVersion: 1\nquirks: &a [DuplicateSeparator]\n", 2, "anchors")]
    [InlineData("schemaVersion: 1\npcrs: {sha256: {7: [\"00\"]}}\nevents: {secureBoot: [1, 2]}\n", 3, "")]
    [InlineData("schemaVersion: [1]\n", 1, "")]
    [InlineData("schemaVersion: 1\nname: 'unterminated\n", 0, "")]
    [InlineData("schemaVersion: 1\nbanks:\n  required: [sha1]\nbanks:\n  minimumHash: sha256\n", 4, "Duplicate key 'banks'")]
    [InlineData("schemaVersion: 1\npcrs:\n  sha256:\n    7: [aa]\n    7: [bb]\n", 5, "Duplicate key '7'")]
    [InlineData("schemaVersion: 1\n? [a]\n: b\n", 2, "plain names")]
    public void MalformedYamlNamesTheLine(string yaml, int line, string word)
    {
        var e = Assert.Throws<AttestationPolicyException>(() => PolicyYaml.Parse(yaml));
        if (line > 0) Assert.Equal(line, e.Line);
        Assert.NotNull(e.Line);
        Assert.Contains(word, e.Message);
    }

    [Fact]
    public void AliasBombIsRejectedBeforeExpansion()
    {
        var yaml = new StringBuilder("schemaVersion: 1\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++) yaml.Append($"x{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        var e = Assert.Throws<AttestationPolicyException>(() => PolicyYaml.Parse(yaml.ToString()));
        Assert.Contains("anchors", e.Message);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void OversizedAndDeepPoliciesAreRejected()
    {
        Assert.Contains("limit", Assert.Throws<AttestationPolicyException>(() => PolicyYaml.Parse("schemaVersion: 1\n#" + new string('x', PolicyYaml.MaxSize))).Message);
        Assert.Contains("deeper", Assert.Throws<AttestationPolicyException>(() => PolicyYaml.Parse("schemaVersion: 1\nname: " + new string('[', 40) + new string(']', 40))).Message);
    }

    [Theory]
    [InlineData("schemaVersion: 2\n", "schemaVersion: 2 is not supported")]
    [InlineData("name: no version\n", "schemaVersion: missing")]
    [InlineData("schemaVersion: 1\npcrs:\n  sha256:\n    7: [abcd]\n", "pcrs.sha256.7")]
    [InlineData("schemaVersion: 1\npcrs:\n  sha256:\n    24: [0000000000000000000000000000000000000000000000000000000000000000]\n", "0-23")]
    [InlineData("schemaVersion: 1\npcrs:\n  md5:\n    7: [00]\n", "md5")]
    [InlineData("schemaVersion: 1\nbanks:\n  minimumHash: sha256\n  required: [sha1]\n", "weaker")]
    [InlineData("schemaVersion: 1\nevents:\n  kernelCommandLine:\n    allowed: ['(']\n", "regular expression")]
    [InlineData("schemaVersion: 1\nquirks: [Everything]\n", "Everything")]
    [InlineData("schemaVersion: 1\nquirks: ['3']\n", "'3'")]
    [InlineData("", "empty")]
    public void InvalidPolicyContentIsRejectedNamingTheField(string yaml, string word)
    {
        var e = Assert.Throws<AttestationPolicyException>(() => PolicyYaml.Parse(yaml));
        Assert.Contains(word, e.Message);
    }
}
