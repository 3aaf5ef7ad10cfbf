using System.Security.Cryptography;
using System.Text;
using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using TrustedCompute.Reporting;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tests.EventLog;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Reporting;

/// <summary>
/// Boots on swtpm (resettable PCRs 16 and 23 stand for the boot manager and command line PCRs): the diff a result
/// carries, and patch day: the updated host Trusted, any other change still Untrusted, -Retire closing the old boot.
/// </summary>
public sealed class PatchDayTests(SwtpmFixture swtpm) : IClassFixture<SwtpmFixture>
{
    private const uint AkHandle = 0x81010060;
    private static readonly IReadOnlyList<PcrSelection> Selection =
        [PcrSelection.Create(TpmAlgId.Sha1, [16, 23]), PcrSelection.Create(TpmAlgId.Sha256, [16, 23])];

    private sealed record Boot(string ShimImage, string GrubImage, string CommandLine, string? Extra = null);

    private static readonly Boot Golden = new("shim 15.7", "grub 2.06-13", "BOOT_IMAGE=/vmlinuz-6.1.0-13 root=/dev/sda1 ro quiet");
    private static readonly Boot Patched = Golden with { GrubImage = "grub 2.06-14" };

    private static byte[] ImageLoad(string path)
    {
        var node = Encoding.Unicode.GetBytes(path + "\0");
        var data = new MemoryStream();
        data.Write(BitConverter.GetBytes(0x7000_0000UL));
        data.Write(BitConverter.GetBytes(0x10_0000UL));
        data.Write(BitConverter.GetBytes(0UL));
        data.Write(BitConverter.GetBytes((ulong)(4 + node.Length + 4)));
        data.Write([4, 4]);
        data.Write(BitConverter.GetBytes((ushort)(4 + node.Length)));
        data.Write(node);
        data.Write([0x7f, 0xff, 4, 0]);
        return data.ToArray();
    }

    private static byte[] Log(Boot boot)
    {
        var log = new SyntheticLog(TpmAlgId.Sha1, TpmAlgId.Sha256)
            .Add(16, TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION, ImageLoad("\\EFI\\debian\\shimx64.efi"),
                b => PcrBanks.Hash(b, Encoding.ASCII.GetBytes(boot.ShimImage)))
            .Add(16, TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION, ImageLoad("\\EFI\\debian\\grubx64.efi"),
                b => PcrBanks.Hash(b, Encoding.ASCII.GetBytes(boot.GrubImage)));
        if (boot.Extra is { } extra) log.Action(16, extra);
        return log.Add(23, TcgEventType.EV_IPL, Encoding.ASCII.GetBytes("kernel_cmdline: " + boot.CommandLine + "\0")).ToArray();
    }

    /// <summary>Resets PCRs 16 and 23, extends the boot's log into them and collects evidence with a fresh nonce.</summary>
    private (AttestationEvidence Evidence, VerificationOptions Options) BootAndCollect(Boot boot, byte[]? sentLog = null)
    {
        swtpm.Require();
        byte[] log = Log(boot);
        swtpm.Tpm2("tpm2_pcrreset", "16", "23");
        foreach (var e in TcgEventLog.Parse(log).Events.Where(e => e.IsExtended))
            swtpm.Tpm2("tpm2_pcrextend", $"{e.PcrIndex}:" + string.Join(",", e.Digests.Select(d => $"{d.Bank}={d.Hex}")));
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        using var tpm = TpmClient.Open(swtpm.ConnectionString);
        TpmPublic ak;
        try { ak = TpmOperations.ReadAttestationKey(tpm, AkHandle).Public; }
        catch (TpmException) { ak = TpmOperations.CreateAttestationKey(tpm, AttestationKeyType.RsaSsa, AkHandle).Public; }
        var evidence = EvidenceCollector.Collect(tpm, AkHandle, nonce, Selection, sentLog ?? log, "swtpm-host");
        return (evidence, new VerificationOptions
        {
            HostName = "swtpm-host", ExpectedAttestationKey = ak, ExpectedNonce = nonce, ExpectedSelection = Selection,
        });
    }

    private static AttestationPolicy GoldenPolicy(AttestationEvidence golden) =>
        AttestationPolicy.FromEvidence(golden, ["sha256"], [16, 23], "fleet", keepReferenceLog: true);

    private static AttestationResult Verify(AttestationEvidence evidence, VerificationOptions options, AttestationPolicy policy) =>
        QuoteVerifier.Verify(evidence, options with { Policy = policy });

    [SkippableFact]
    public void APatchedHostIsUntrustedAndItsResultNamesTheChangedBootApplication()
    {
        var (golden, goldenOptions) = BootAndCollect(Golden);
        var policy = GoldenPolicy(golden);
        var first = Verify(golden, goldenOptions, policy);
        Assert.Equal(AttestationVerdict.Trusted, first.Verdict);
        Assert.Empty(first.EventDifferences);

        var (patched, options) = BootAndCollect(Patched);
        var result = Verify(patched, options, policy);
        Assert.Equal(AttestationVerdict.Untrusted, result.Verdict);
        var reason = Assert.Single(result.Reasons);
        Assert.Equal((ReasonIds.PolicyPcr, 16), (reason.Id, reason.Pcr));
        var d = Assert.Single(result.EventDifferences);
        Assert.Equal((EventChange.Changed, 16, EventComponent.BootApplication, "\\EFI\\debian\\grubx64.efi"), (d.Change, d.Pcr, d.Component, d.Name));
        Assert.Equal(Convert.ToHexString(SHA256.HashData("grub 2.06-13"u8)).ToLowerInvariant(), d.OldDigest);
        Assert.Equal(Convert.ToHexString(SHA256.HashData("grub 2.06-14"u8)).ToLowerInvariant(), d.NewDigest);
    }

    [SkippableFact]
    public void TheDiffNeverChangesAVerdictOrAReason()
    {
        var (golden, goldenOptions) = BootAndCollect(Golden);
        var withReference = GoldenPolicy(golden);
        var without = AttestationPolicy.FromEvidence(golden, ["sha256"], [16, 23], "fleet");
        var cases = new List<(AttestationEvidence, VerificationOptions)> { (golden, goldenOptions), BootAndCollect(Patched),
            BootAndCollect(Golden with { CommandLine = Golden.CommandLine + " init=/bin/sh" }) };
        // A log edited after the quote: it does not replay, so nothing is explained from it.
        cases.Add(BootAndCollect(Patched, sentLog: Log(Golden)));
        foreach (var (evidence, options) in cases)
        {
            var a = Verify(evidence, options, withReference);
            var b = Verify(evidence, options, without);
            Assert.Equal(b.Verdict, a.Verdict);
            Assert.Equal(b.Reasons, a.Reasons);
            Assert.Empty(b.EventDifferences);
        }
        var tampered = Verify(cases[3].Item1, cases[3].Item2, withReference);
        Assert.Contains(tampered.Reasons, r => r.Id == ReasonIds.EventLogReplay);
        Assert.Empty(tampered.EventDifferences);
    }

    [SkippableFact]
    public void PatchDayTrustsTheUpdatedBootOnlyAndRetireClosesTheOldOne()
    {
        var (golden, goldenOptions) = BootAndCollect(Golden);
        var policy = GoldenPolicy(golden);
        var (patched, patchedOptions) = BootAndCollect(Patched);
        Assert.Equal(AttestationVerdict.Untrusted, Verify(patched, patchedOptions, policy).Verdict);

        var at = new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
        var plan = PolicyUpdater.Plan(policy, patched, patchedOptions, "alice", at, comment: "grub 2.06-14");
        var add = Assert.Single(plan.Changes, c => c.Kind == PolicyChangeKind.Add);
        Assert.Equal("pcrs.sha256.16", add.Field);
        Assert.Equal(HexText(patched, 16), add.Value);
        Assert.DoesNotContain(plan.Changes, c => c.Kind == PolicyChangeKind.Retire);
        var updated = PolicyYaml.Parse(PolicyYaml.Serialize(plan.Updated));
        var approval = Assert.Single(updated.Approvals!);
        Assert.Equal(("alice", "2026-12-01T12:00:00Z", "swtpm-host", "grub 2.06-14"), (approval.By, approval.At, approval.HostName, approval.Comment));
        Assert.Equal(patched.Digest(), approval.EvidenceDigest);
        Assert.Equal(2, updated.Pcrs!["sha256"][16].Count);

        Assert.Equal(AttestationVerdict.Trusted, Verify(patched, patchedOptions, updated).Verdict);
        var (again, againOptions) = BootAndCollect(Golden);
        Assert.Equal(AttestationVerdict.Trusted, Verify(again, againOptions, updated).Verdict); // the old boot is kept
        foreach (var other in new[]
                 {
                     Patched with { CommandLine = Patched.CommandLine + " init=/bin/sh" },
                     Patched with { ShimImage = "shim 15.8" },
                     Patched with { Extra = "one more boot component" },
                 })
        {
            var (e, o) = BootAndCollect(other);
            var r = Verify(e, o, updated);
            Assert.Equal(AttestationVerdict.Untrusted, r.Verdict);
            Assert.NotEmpty(r.EventDifferences);
        }

        var (patchedAgain, patchedAgainOptions) = BootAndCollect(Patched);
        var retire = PolicyUpdater.Plan(updated, patchedAgain, patchedAgainOptions, "bob", at.AddDays(7), retire: true);
        var retired = Assert.Single(retire.Changes, c => c.Kind == PolicyChangeKind.Retire);
        Assert.Equal(("pcrs.sha256.16", HexText(golden, 16)), (retired.Field, retired.Value));
        Assert.Equal(2, retire.Updated.Approvals!.Count);
        Assert.Equal(AttestationVerdict.Trusted, Verify(patchedAgain, patchedAgainOptions, retire.Updated).Verdict);
        var (old, oldOptions) = BootAndCollect(Golden);
        var oldResult = Verify(old, oldOptions, retire.Updated);
        Assert.Equal(AttestationVerdict.Untrusted, oldResult.Verdict);
        Assert.Equal(EventChange.Changed, Assert.Single(oldResult.EventDifferences).Change);
    }

    [SkippableFact]
    public void EvidenceThatDoesNotVerifyCannotUpdateAPolicy()
    {
        var (golden, _) = BootAndCollect(Golden);
        var policy = GoldenPolicy(golden);
        var (patched, options) = BootAndCollect(Patched);
        var now = DateTime.UtcNow;

        var edited = BootAndCollect(Patched, sentLog: Log(Patched with { CommandLine = "init=/bin/sh" }));
        var e1 = Assert.Throws<PolicyUpdateException>(() => PolicyUpdater.Plan(policy, edited.Evidence, edited.Options, "eve", now));
        Assert.Contains(e1.Reasons, r => r.Id == ReasonIds.EventLogReplay);

        var wrongKey = options with { ExpectedAttestationKey = null, TrustEvidenceKey = true };
        var e2 = Assert.Throws<PolicyUpdateException>(() => PolicyUpdater.Plan(policy, patched, wrongKey, "eve", now));
        Assert.Contains(e2.Reasons, r => r.Id == ReasonIds.QuoteKeyUntrusted);

        var forged = AttestationEvidence.FromJson(patched.ToJson());
        forged.PcrValues.First(p => p.Bank == "sha256" && p.Index == 16).Value = SHA256.HashData("anything"u8);
        var e3 = Assert.Throws<PolicyUpdateException>(() => PolicyUpdater.Plan(policy, forged, options, "eve", now));
        Assert.Contains(e3.Reasons, r => r.Id == ReasonIds.QuotePcrDigest);

        var stale = options with { ExpectedNonce = RandomNumberGenerator.GetBytes(32) };
        Assert.Throws<PolicyUpdateException>(() => PolicyUpdater.Plan(policy, patched, stale, "eve", now));
        Assert.Throws<PolicyUpdateException>(() => PolicyUpdater.Plan(policy, patched, options with { HostName = null }, "eve", now));
    }

    private static string HexText(AttestationEvidence e, int pcr) =>
        Convert.ToHexString(e.PcrValues.Single(p => p.Bank == "sha256" && p.Index == pcr).Value).ToLowerInvariant();
}
