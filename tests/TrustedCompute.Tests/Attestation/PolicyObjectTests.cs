using TrustedCompute.Attestation;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Attestation;

/// <summary>Policies handed over as objects: validated exactly as files are, and a snapshot that later changes cannot reach.</summary>
public sealed class PolicyObjectTests
{
    private static readonly string D32 = new('a', 64);

    private static AttestationPolicy Full() => PolicyYaml.Parse(PolicyInputTests.Full);

    [Fact]
    public void ASnapshotKeepsTheValuesItWasTakenWith()
    {
        var policy = Full();
        string before = PolicyYaml.Serialize(policy);
        var copy = policy.Snapshot();

        policy.Pcrs!["sha256"][7][0] = new string('0', 64);
        policy.Pcrs["sha256"][23] = [new string('1', 64)];
        policy.Pcrs.Remove("sha1");
        policy.Events!.SecureBoot = false;
        policy.Events.BootApplications!.Allowed!.Add(new string('f', 64));
        policy.Events.KernelCommandLine = null;
        policy.Banks!.Required!.Clear();
        policy.Quirks!.Clear();
        policy.Name = "changed";

        Assert.Equal(before, PolicyYaml.Serialize(copy));
        Assert.NotSame(policy.Pcrs, copy.Pcrs);
        Assert.Equal(D32, copy.Pcrs!["sha256"][7][0]);
        Assert.True(copy.Events!.SecureBoot);
    }

    [Fact]
    public void ASnapshotOfASnapshotIsEqualButNotShared()
    {
        var copy = Full().Snapshot();
        var again = copy.Snapshot();
        Assert.Equal(PolicyYaml.Serialize(copy), PolicyYaml.Serialize(again));
        again.Events!.TxtMle!.Clear();
        Assert.Single(copy.Events!.TxtMle!);
    }

    /// <summary>A change made in code, and the same mistake written in a file: both rejected, blaming the same field.</summary>
    public static TheoryData<string, string, string> Broken => new()
    {
        { "bad hex", "pcrs.sha256.7[0]", "schemaVersion: 1\npcrs:\n  sha256:\n    7: [zz]\n" },
        { "short digest", "pcrs.sha256.7[0]", "schemaVersion: 1\npcrs:\n  sha256:\n    7: [abcd]\n" },
        { "schema 2", "schemaVersion", "schemaVersion: 2\n" },
        { "schema 0", "schemaVersion", "schemaVersion: 0\n" },
        { "null values", "pcrs.sha256.7", "schemaVersion: 1\npcrs:\n  sha256:\n    7: ~\n" },
        { "null value", "pcrs.sha256.7[0]", "schemaVersion: 1\npcrs:\n  sha256:\n    7: [~]\n" },
        { "empty values", "pcrs.sha256.7", "schemaVersion: 1\npcrs:\n  sha256:\n    7: []\n" },
        { "null bank", "pcrs.sha256", "schemaVersion: 1\npcrs:\n  sha256: ~\n" },
        { "empty pcrs", "pcrs", "schemaVersion: 1\npcrs: {}\n" },
        { "upper-case bank", "pcrs.SHA256", "schemaVersion: 1\npcrs:\n  SHA256:\n    7: [" + new string('a', 64) + "]\n" },
        { "pcr 24", "pcrs.sha256.24", "schemaVersion: 1\npcrs:\n  sha256:\n    24: [" + new string('a', 64) + "]\n" },
        { "null required", "banks.required[0]", "schemaVersion: 1\nbanks:\n  required: [~]\n" },
        { "twice required", "banks.required[1]", "schemaVersion: 1\nbanks:\n  required: [sha256, sha256]\n" },
        { "empty banks", "banks", "schemaVersion: 1\nbanks: {}\n" },
        { "empty events", "events", "schemaVersion: 1\nevents: {}\n" },
        { "empty boot rule", "events.bootApplications", "schemaVersion: 1\nevents:\n  bootApplications: {}\n" },
        { "null sinit", "events.txtSinit[0]", "schemaVersion: 1\nevents:\n  txtSinit: [~]\n" },
        { "bad regex", "events.kernelCommandLine.allowed[0]", "schemaVersion: 1\nevents:\n  kernelCommandLine:\n    allowed: ['(']\n" },
        { "null quirk", "quirks[0]", "schemaVersion: 1\nquirks: [~]\n" },
        { "unknown quirk", "quirks[0]", "schemaVersion: 1\nquirks: [Everything]\n" },
    };

    private static void Break(AttestationPolicy p, string how)
    {
        switch (how)
        {
            case "bad hex": p.Pcrs!["sha256"][7] = ["zz"]; break;
            case "short digest": p.Pcrs!["sha256"][7] = ["abcd"]; break;
            case "schema 2": p.SchemaVersion = 2; break;
            case "schema 0": p.SchemaVersion = 0; break;
            case "null values": p.Pcrs!["sha256"][7] = null!; break;
            case "null value": p.Pcrs!["sha256"][7] = [null!]; break;
            case "empty values": p.Pcrs!["sha256"][7] = []; break;
            case "null bank": p.Pcrs = new() { ["sha256"] = null! }; break;
            case "empty pcrs": p.Pcrs = []; break;
            case "upper-case bank": p.Pcrs = new() { ["SHA256"] = new() { [7] = [D32] } }; break;
            case "pcr 24": p.Pcrs = new() { ["sha256"] = new() { [24] = [D32] } }; break;
            case "null required": p.Banks = new() { Required = [null!] }; break;
            case "twice required": p.Banks = new() { Required = ["sha256", "sha256"] }; break;
            case "empty banks": p.Banks = new(); break;
            case "empty events": p.Events = new(); break;
            case "empty boot rule": p.Events = new() { BootApplications = new() }; break;
            case "null sinit": p.Events = new() { TxtSinit = [null!] }; break;
            case "bad regex": p.Events = new() { KernelCommandLine = new() { Allowed = ["("] } }; break;
            case "null quirk": p.Quirks = [null!]; break;
            case "unknown quirk": p.Quirks = ["Everything"]; break;
            default: throw new ArgumentException(how);
        }
    }

    [Theory]
    [MemberData(nameof(Broken))]
    public void APolicyBrokenInCodeIsRejectedLikeTheSameFile(string how, string field, string yaml)
    {
        var file = Assert.Throws<AttestationPolicyException>(() => PolicyYaml.Parse(yaml));
        Assert.Equal(field, file.Field);
        Assert.NotNull(file.Line);

        var policy = new AttestationPolicy
        {
            SchemaVersion = 1, Pcrs = new() { ["sha256"] = new() { [7] = [D32] } }, Banks = new() { Required = ["sha256"] },
        };
        policy.Snapshot();
        Break(policy, how);
        var code = Assert.Throws<AttestationPolicyException>(policy.Snapshot);
        Assert.Equal(field, code.Field);
        Assert.Null(code.Line);
        Assert.Equal(file.Message[$"line {file.Line}: ".Length..], code.Message);
        Assert.Equal(code.Message, Assert.Throws<AttestationPolicyException>(() => PolicyYaml.Serialize(policy)).Message);
    }

    [Fact]
    public void PolicyFromEvidenceWithAHostileHostNameReadsBackTheSame()
    {
        using var soft = new SoftQuote();
        var evidence = soft.Evidence(new Dictionary<(TpmAlgId, int), byte[]> { [(TpmAlgId.Sha256, 7)] = new byte[32] });
        evidence.HostName = "evil\n  pcrs: {sha1: {0: [00]}}\n# &a !!tag *b '\"";
        var policy = AttestationPolicy.FromEvidence(evidence);
        Assert.Equal(policy.Name, PolicyYaml.Parse(PolicyYaml.Serialize(policy)).Name);
        Assert.Equal(["sha256"], policy.Pcrs!.Keys);
        evidence.HostName = "bell\a";
        Assert.Throws<AttestationPolicyException>(() => AttestationPolicy.FromEvidence(evidence));
    }

    [Fact]
    public void EvidenceGivingOnePcrTwiceMakesNoPolicy()
    {
        using var soft = new SoftQuote();
        var evidence = soft.Evidence(new Dictionary<(TpmAlgId, int), byte[]> { [(TpmAlgId.Sha256, 7)] = new byte[32] });
        evidence.PcrValues = [.. evidence.PcrValues, new EvidencePcr { Bank = "SHA-256", Index = 7, Value = new byte[32] }];
        Assert.Contains("more than once", Assert.Throws<ArgumentException>(() => AttestationPolicy.FromEvidence(evidence)).Message);
    }

    [Fact]
    public void ExportedPoliciesNameEachPcrInAComment()
    {
        var policy = new AttestationPolicy
        {
            SchemaVersion = 1,
            Pcrs = new()
            {
                ["sha256"] = Enumerable.Range(0, 24).ToDictionary(i => i, i => new List<string> { new('a', 64) }),
                ["sha1"] = new() { [7] = [new string('b', 40)] },
            },
        };
        string yaml = PolicyYaml.Serialize(policy);
        Assert.Contains("\n    # PCR 0: core firmware code (SRTM, BIOS/UEFI, host platform extensions)\n    0:\n", yaml);
        Assert.Contains("# PCR 4: boot manager code", yaml);
        Assert.Contains("# PCR 7: Secure Boot policy", yaml);
        Assert.Contains("# PCR 10: IMA", yaml);
        Assert.Contains("# PCR 11: unified kernel image", yaml);
        Assert.Contains("# PCR 14: MOK", yaml);
        Assert.Contains("# PCR 17: Intel TXT dynamic launch", yaml);
        Assert.Equal(24 + 1, yaml.Split('\n').Count(l => l.TrimStart().StartsWith("# PCR ", StringComparison.Ordinal)));
        Assert.Equal(2, yaml.Split('\n').Count(l => l.Contains("# PCR 7:", StringComparison.Ordinal)));
        foreach (string line in yaml.Split('\n').Where(l => l.Contains('#')))
            Assert.Matches(@"^    # PCR (\d|1\d|2[0-3]): \S", line);

        var back = PolicyYaml.Parse(yaml);
        Assert.Equal(yaml, PolicyYaml.Serialize(back));
        Assert.Equal(policy.Pcrs["sha256"].Keys, back.Pcrs!["sha256"].Keys);
        Assert.Equal(policy.Pcrs["sha1"][7], back.Pcrs["sha1"][7]);
    }

    [Fact]
    public void TheFullPolicyRoundTripsWithItsComments()
    {
        string yaml = PolicyYaml.Serialize(Full());
        Assert.Contains("# PCR 4:", yaml);
        Assert.DoesNotContain("constrainsNothing", yaml);
        var back = PolicyYaml.Parse(yaml);
        Assert.Equal(yaml, PolicyYaml.Serialize(back));
        Assert.Equal(D32, back.Events!.BootApplications!.Allowed![0]);
        Assert.Equal("^root=\\S+ ro$", back.Events.KernelCommandLine!.Allowed![0]);
    }

    [Theory]
    [InlineData("\tbinit=")]
    [InlineData(" leading space")]
    [InlineData("trailing space ")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("#not a comment")]
    [InlineData("- dash")]
    [InlineData("key: value")]
    [InlineData("'\"\\")]
    [InlineData("two\nlines")]
    [InlineData("true")]
    [InlineData("é ü 日本")]
    public void TextsComeBackUnchangedFromASnapshot(string text)
    {
        var policy = new AttestationPolicy
        {
            SchemaVersion = 1, Name = text, Description = text,
            Events = new() { KernelCommandLine = new() { Forbidden = [System.Text.RegularExpressions.Regex.Escape(text), "x" + text.Replace("\\", "", StringComparison.Ordinal)] } },
        };
        var copy = policy.Snapshot();
        Assert.Equal((text, text), (copy.Name, copy.Description));
        Assert.Equal(policy.Events.KernelCommandLine.Forbidden, copy.Events!.KernelCommandLine!.Forbidden);
    }
}
