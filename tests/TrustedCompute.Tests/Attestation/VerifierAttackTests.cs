using System.Security.Cryptography;
using System.Text;
using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using TrustedCompute.Tests.EventLog;
using TrustedCompute.Tpm;
using Xunit;
using static TrustedCompute.Tests.Attestation.PolicyTests;

namespace TrustedCompute.Tests.Attestation;

/// <summary>
/// The host controls everything but the signature: it edits event data and keeps the digests, relabels types,
/// drops events and offers digests of banks no quote covers. None of it may come out Trusted.
/// </summary>
public sealed class VerifierAttackTests : IDisposable
{
    private static readonly byte[] Shim = SHA256.HashData("shim"u8), Grub = SHA256.HashData("grub"u8), Evil = SHA256.HashData("evil"u8);
    private readonly SoftQuote _soft = new();

    public void Dispose() => _soft.Dispose();

    private static string Hex(byte[] b) => Convert.ToHexString(b).ToLowerInvariant();

    private static Func<TpmAlgId, byte[]> Digest(byte[] data) => b => PcrBanks.Hash(b, data);

    private static SyntheticLog Firmware(TpmAlgId[] banks, bool secureBoot = true) => new SyntheticLog(banks)
        .Add(7, TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG, Variable("SecureBoot", [secureBoot ? (byte)1 : (byte)0]))
        .Separator(7);

    /// <summary>Verifies a log against the PCRs the TPM really holds (those of <paramref name="real"/>).</summary>
    private AttestationResult Verify(byte[] real, byte[] shown, string yaml, params int[] unquoted) =>
        _soft.Verify(_soft.Evidence(Quoted(real, unquoted), shown), PolicyYaml.Parse("schemaVersion: 1\n" + yaml));

    private static void Untrusted(AttestationResult r, string id, int? pcr = null)
    {
        Assert.Equal(AttestationVerdict.Untrusted, r.Verdict);
        Assert.Contains(r.Reasons, x => x.Id == id && (pcr is null || x.Pcr == pcr));
    }

    [Fact]
    public void ASecureBootByteFlippedWithTheDigestKeptIsUntrusted()
    {
        var banks = new[] { TpmAlgId.Sha256 };
        byte[] off = Variable("SecureBoot", [0]);
        byte[] real = new SyntheticLog(banks).Add(7, TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG, off).Separator(7).ToArray();
        byte[] shown = new SyntheticLog(banks).Add(7, TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG, Variable("SecureBoot", [1]), Digest(off))
            .Separator(7).ToArray();
        byte[] on = new SyntheticLog(banks).Add(7, TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG, Variable("SecureBoot", [1])).Separator(7).ToArray();
        Assert.Equal(AttestationVerdict.Trusted, Verify(on, on, "events:\n  secureBoot: true\n").Verdict);
        Untrusted(Verify(real, shown, "events:\n  secureBoot: true\n"), ReasonIds.PolicyEvent, 7);
        // The same event relabelled: the rule reads the variable whatever the type says, and the digest still does not bind it.
        byte[] relabelled = new SyntheticLog(banks).Add(7, TcgEventType.EV_EFI_VARIABLE_BOOT, Variable("SecureBoot", [1]), Digest(off))
            .Separator(7).ToArray();
        Untrusted(Verify(real, relabelled, "events:\n  secureBoot: true\n"), ReasonIds.PolicyEvent, 7);
    }

    [Fact]
    public void AnEmptySecureBootVariableIsNotEnabled()
    {
        byte[] log = new SyntheticLog(TpmAlgId.Sha256).Add(7, TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG, Variable("SecureBoot", []))
            .Separator(7).ToArray();
        Untrusted(Verify(log, log, "events:\n  secureBoot: true\n"), ReasonIds.PolicyEvent, 7);
        Assert.Equal(AttestationVerdict.Trusted, Verify(log, log, "events:\n  secureBoot: false\n").Verdict);
    }

    [Fact]
    public void ACommandLineEditedWithTheDigestKeptIsUntrusted()
    {
        byte[] Line(string text) => Encoding.ASCII.GetBytes("kernel_cmdline: " + text + "\0");
        var banks = new[] { TpmAlgId.Sha256 };
        string evil = "root=/dev/sda1 init=/bin/sh", tame = "root=/dev/sda1 ro quiet";
        byte[] real = Firmware(banks).Add(8, TcgEventType.EV_IPL, Line(evil), Digest(Encoding.ASCII.GetBytes(evil))).ToArray();
        byte[] shown = Firmware(banks).Add(8, TcgEventType.EV_IPL, Line(tame), Digest(Encoding.ASCII.GetBytes(evil))).ToArray();
        const string rule = "events:\n  kernelCommandLine:\n    forbidden: ['\\binit=']\n";
        Untrusted(Verify(real, real, rule), ReasonIds.PolicyEvent, 8);
        Untrusted(Verify(real, shown, rule), ReasonIds.PolicyEvent, 8);
        // Relabelled so that no EV_IPL carries it: still a command line in PCR 8.
        byte[] relabelled = Firmware(banks).Add(8, TcgEventType.EV_EFI_ACTION, Line(evil), Digest(Encoding.ASCII.GetBytes(evil))).ToArray();
        Untrusted(Verify(relabelled, relabelled, rule), ReasonIds.PolicyEvent, 8);
        // Data replaced by something that is no command line: an unbound event in PCR 8 fails the rule.
        byte[] hidden = Firmware(banks).Add(8, (TcgEventType)0x1234, "hello"u8.ToArray(), Digest(Encoding.ASCII.GetBytes(evil))).ToArray();
        Untrusted(Verify(real, hidden, rule), ReasonIds.PolicyEvent, 8);
        // The honest tame boot holds.
        byte[] honest = Firmware(banks).Add(8, TcgEventType.EV_IPL, Line(tame), Digest(Encoding.ASCII.GetBytes(tame))).ToArray();
        Assert.Equal(AttestationVerdict.Trusted, Verify(honest, honest, rule).Verdict);
    }

    private static byte[] Apps(TpmAlgId[] banks, TcgEventType secondType, Func<TpmAlgId, byte[]> second) => Firmware(banks)
        .Add(4, TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION, Image("shimx64.efi"), b => b == TpmAlgId.Sha256 ? Shim : new byte[b == TpmAlgId.Sm3_256 ? 32 : PcrBanks.DigestSize(b)])
        .Add(4, secondType, secondType == TcgEventType.EV_EFI_ACTION ? "Calling EFI Application from Boot Option"u8.ToArray() : Image("grubx64.efi"), second)
        .Separator(4).ToArray();

    [Theory]
    [InlineData(TcgEventType.EV_EFI_ACTION)]
    [InlineData(TcgEventType.EV_EFI_BOOT_SERVICES_DRIVER)]
    [InlineData(TcgEventType.EV_POST_CODE)]
    [InlineData((TcgEventType)0x7777)]
    public void AnEvilBootApplicationRelabelledAsAnotherTypeIsUntrusted(TcgEventType label)
    {
        var banks = new[] { TpmAlgId.Sha256 };
        string rule = $"events:\n  bootApplications:\n    allowed: [{Hex(Shim)}, {Hex(Grub)}]\n";
        byte[] good = Apps(banks, TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION, _ => Grub);
        Assert.Equal(AttestationVerdict.Trusted, Verify(good, good, rule).Verdict);
        byte[] evil = Apps(banks, label, _ => Evil);
        var r = Verify(evil, evil, rule);
        Untrusted(r, ReasonIds.PolicyEvent, 4);
        Assert.Contains(r.Reasons, x => x.Actual == Hex(Evil));
    }

    [Fact]
    public void AnAllowedDigestInABankNoQuoteCoversIsNotAllowed()
    {
        var banks = new[] { TpmAlgId.Sha256, TpmAlgId.Sha384 };
        byte[] grub384 = SHA384.HashData("grub"u8);
        // The evil loader carries grub's SHA-384 digest; only SHA-256 is quoted, and its digest is the evil one.
        byte[] log = Apps(banks, TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION, b => b == TpmAlgId.Sha384 ? grub384 : Evil);
        var quoted = Quoted(log).Where(kv => kv.Key.Item1 == TpmAlgId.Sha256).ToDictionary();
        var policy = PolicyYaml.Parse($"schemaVersion: 1\nevents:\n  bootApplications:\n    allowed: [{Hex(Shim)}, {Hex(Grub)}, {Hex(grub384)}]\n");
        var r = _soft.Verify(_soft.Evidence(quoted, log), policy);
        Untrusted(r, ReasonIds.PolicyEvent, 4);
    }

    [Fact]
    public void ADigestOfAnUnknownAlgorithmNeverSatisfiesARule()
    {
        var banks = new[] { TpmAlgId.Sha256, TpmAlgId.Sm3_256 };
        byte[] log = Apps(banks, TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION, b => b == TpmAlgId.Sm3_256 ? Grub : Evil);
        var r = Verify(log, log, $"events:\n  bootApplications:\n    allowed: [{Hex(Shim)}, {Hex(Grub)}]\n");
        Untrusted(r, ReasonIds.PolicyEvent, 4);
    }

    [Fact]
    public void EveryEventOfAQuotedPcrRemovedIsUntrusted()
    {
        var banks = new[] { TpmAlgId.Sha256 };
        byte[] real = Apps(banks, TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION, _ => Evil);
        byte[] shown = Firmware(banks).ToArray(); // PCR 4's events deleted
        string rule = $"events:\n  secureBoot: true\n";
        Untrusted(Verify(real, shown, rule), ReasonIds.EventLogReplay, 4);
        // And a PCR that truly saw nothing fails a rule about it instead of passing with nothing to check.
        Untrusted(Verify(shown, shown, $"events:\n  bootApplications:\n    allowed: [{Hex(Grub)}]\n"), ReasonIds.PolicyEvent, 4);
    }

    [Fact]
    public void ASha1QuoteNeverSatisfiesAPolicyThatRequiresSha256()
    {
        var banks = new[] { TpmAlgId.Sha1 };
        byte[] log = Firmware(banks).ToArray();
        Untrusted(Verify(log, log, "banks:\n  required: [sha256]\nevents:\n  secureBoot: true\n"), ReasonIds.PolicyBank);
        var minimum = Verify(log, log, "banks:\n  minimumHash: sha256\nevents:\n  secureBoot: true\n");
        Untrusted(minimum, ReasonIds.PolicyEvent, 7);
        Assert.Equal(AttestationVerdict.Trusted, Verify(log, log, "events:\n  secureBoot: true\n").Verdict);
    }

    [Fact]
    public void EmptyAllowedListsAllowNothing()
    {
        var banks = new[] { TpmAlgId.Sha256 };
        byte[] log = Apps(banks, TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION, _ => Grub);
        Untrusted(Verify(log, log, "events:\n  bootApplications:\n    allowed: []\n"), ReasonIds.PolicyEvent, 4);
        byte[] line = Firmware(banks).Add(8, TcgEventType.EV_IPL, "kernel_cmdline: ro\0"u8.ToArray(), Digest("ro"u8.ToArray())).ToArray();
        Untrusted(Verify(line, line, "events:\n  kernelCommandLine:\n    allowed: []\n"), ReasonIds.PolicyEvent, 8);
    }
}

/// <summary>A policy object handed to a verifier is validated like a file and cannot be changed behind its back.</summary>
public sealed class VerifierPolicyObjectTests : IDisposable
{
    private readonly SoftQuote _soft = new();

    public void Dispose() => _soft.Dispose();

    [Fact]
    public void MutatingThePolicyAfterHandingItOverChangesNoVerdict()
    {
        var good = new Dictionary<(TpmAlgId, int), byte[]> { [(TpmAlgId.Sha256, 0)] = new byte[32] };
        var evil = new Dictionary<(TpmAlgId, int), byte[]> { [(TpmAlgId.Sha256, 0)] = SHA256.HashData("evil"u8) };
        var policy = AttestationPolicy.FromEvidence(_soft.Evidence(good));
        using var verifier = new QuoteVerifier(new VerificationOptions
        {
            HostName = "soft", ExpectedAttestationKey = _soft.Public, ExpectedNonce = _soft.Nonce, Policy = policy,
        });
        // The attacker (or a careless runbook) rewrites the golden value to the evil one after validation.
        policy.Pcrs!["sha256"][0] = [Convert.ToHexString(evil[(TpmAlgId.Sha256, 0)])];
        var r = verifier.Verify(_soft.Evidence(evil));
        Assert.Equal(AttestationVerdict.Untrusted, r.Verdict);
        Assert.Contains(r.Reasons, x => x.Id == ReasonIds.PolicyPcr && x.Pcr == 0);
        Assert.Equal(AttestationVerdict.Trusted, verifier.Verify(_soft.Evidence(good)).Verdict);
    }

    [Fact]
    public void AnInvalidPolicyObjectIsRejectedLikeTheFile()
    {
        var policy = new AttestationPolicy { SchemaVersion = 1, Pcrs = new() { ["sha256"] = new() { [7] = ["abcd"] } } };
        Assert.Throws<AttestationPolicyException>(() => new QuoteVerifier(new VerificationOptions { Policy = policy }));
        policy.SchemaVersion = 9;
        Assert.Throws<AttestationPolicyException>(() => new QuoteVerifier(new VerificationOptions { Policy = policy }));
    }
}
