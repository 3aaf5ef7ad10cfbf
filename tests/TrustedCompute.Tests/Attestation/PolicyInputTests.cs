using System.Text;
using TrustedCompute.Attestation;
using Xunit;

namespace TrustedCompute.Tests.Attestation;

/// <summary>The policy reader against hostile or sloppy YAML: one entry per PCR, no silently dropped rules, one error type.</summary>
public sealed class PolicyInputTests
{
    private static readonly string D32 = new('a', 64);
    private static readonly string E32 = new('e', 64);
    private static readonly string D20 = new('b', 40);

    /// <summary>A policy using every field, for round trips and mutations.</summary>
    internal static readonly string Full = $"""
        schemaVersion: 1
        name: lab
        description: every field
        banks:
          required: [sha256, sha1]
          minimumHash: sha1
        pcrs:
          sha256:
            0: [{D32}]
            7: [{D32}, {E32}]
          sha1:
            4: [{D20}]
        events:
          secureBoot: true
          bootApplications:
            allowed: [{D32}]
            forbidden: [{E32}]
          kernelCommandLine:
            allowed: ['^root=\S+ ro$']
            forbidden: ['\binit=']
          txtLaunch: true
          txtSinit: [{D32}]
          txtMle: [{E32}]
        quirks: [DuplicateSeparator]

        """;

    private static AttestationPolicyException Rejects(string yaml) =>
        Assert.Throws<AttestationPolicyException>(() => PolicyYaml.Parse(yaml));

    [Theory]
    [InlineData("07")]
    [InlineData("+7")]
    [InlineData("0x7")]
    [InlineData("0o7")]
    [InlineData("' 7'")]
    [InlineData("'7 '")]
    [InlineData("\"7\"")]
    [InlineData("7.0")]
    [InlineData("007")]
    public void KeysThatNameTheSamePcrAreNeverTwoEntries(string key)
    {
        var e = Rejects($"schemaVersion: 1\npcrs:\n  sha256:\n    7: [{D32}]\n    {key}: [{E32}]\n");
        Assert.Equal(5, e.Line);
        Assert.Contains("pcrs.sha256", e.Message);
    }

    [Theory]
    [InlineData("07")]
    [InlineData("+7")]
    [InlineData("0x7")]
    [InlineData("-0")]
    [InlineData("' 7'")]
    [InlineData("99999999999999999999")]
    [InlineData("24")]
    [InlineData("-1")]
    public void PcrKeysAreDecimalIndexes(string key)
    {
        var e = Rejects($"schemaVersion: 1\npcrs:\n  sha256:\n    {key}: [{D32}]\n");
        Assert.Equal(4, e.Line);
        Assert.Contains("0-23", e.Message);
    }

    [Theory]
    [InlineData("SHA256")]
    [InlineData("sha-256")]
    [InlineData("Sha256")]
    [InlineData("' sha256'")]
    [InlineData("0x000b")]
    public void BankKeysThatNameTheSameBankAreNeverTwoEntries(string bank)
    {
        var e = Rejects($"schemaVersion: 1\npcrs:\n  sha256:\n    7: [{D32}]\n  {bank}:\n    8: [{D32}]\n");
        Assert.Equal(5, e.Line);
        Assert.Contains("sha256", e.Message);
        var alone = Rejects($"schemaVersion: 1\npcrs:\n  {bank}:\n    8: [{D32}]\n");
        Assert.Equal(3, alone.Line);
        Assert.Contains("'sha256'", alone.Message);
    }

    [Theory]
    [InlineData("banks:\n  required: [SHA256]\n", 3, "banks.required[0]")]
    [InlineData("banks:\n  required: [sha256, sha256]\n", 3, "banks.required[1]")]
    [InlineData("banks:\n  minimumHash: SHA-256\n", 3, "banks.minimumHash")]
    public void BankNamesAreCanonicalAndListedOnce(string yaml, int line, string field)
    {
        var e = Rejects("schemaVersion: 1\n" + yaml);
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
    }

    [Theory]
    [InlineData("pcrs:\n", 2, "pcrs")]
    [InlineData("pcrs:\n  sha256:\n", 3, "pcrs.sha256")]
    [InlineData("pcrs:\n  sha256:\n    7:\n", 4, "pcrs.sha256.7")]
    [InlineData("pcrs:\n  sha256:\n    7: [~]\n", 4, "pcrs.sha256.7[0]")]
    [InlineData("pcrs:\n  sha256:\n    7: []\n", 4, "pcrs.sha256.7")]
    [InlineData("pcrs: {}\n", 2, "pcrs")]
    [InlineData("pcrs:\n  sha256: {}\n", 3, "pcrs.sha256")]
    [InlineData("events:\n", 2, "events")]
    [InlineData("events: {}\n", 2, "events")]
    [InlineData("events:\n  secureBoot: ~\n", 3, "events.secureBoot")]
    [InlineData("events:\n  secureBoot: null\n", 3, "events.secureBoot")]
    [InlineData("events:\n  txtLaunch: NULL\n", 3, "events.txtLaunch")]
    [InlineData("events:\n  bootApplications: ~\n", 3, "events.bootApplications")]
    [InlineData("events:\n  bootApplications: {}\n", 3, "events.bootApplications")]
    [InlineData("events:\n  bootApplications:\n    allowed:\n", 4, "events.bootApplications.allowed")]
    [InlineData("events:\n  kernelCommandLine: ~\n", 3, "events.kernelCommandLine")]
    [InlineData("events:\n  kernelCommandLine:\n    forbidden: [x, ~]\n", 4, "events.kernelCommandLine.forbidden[1]")]
    [InlineData("events:\n  txtSinit: ~\n", 3, "events.txtSinit")]
    [InlineData("events:\n  txtMle:\n    -\n", 4, "events.txtMle[0]")]
    [InlineData("banks: ~\n", 2, "banks")]
    [InlineData("banks: {}\n", 2, "banks")]
    [InlineData("banks:\n  required: ~\n", 3, "banks.required")]
    [InlineData("banks:\n  required: []\n", 3, "banks.required")]
    [InlineData("banks:\n  required: [sha256, null]\n", 3, "banks.required[1]")]
    [InlineData("quirks: ~\n", 2, "quirks")]
    [InlineData("quirks: [DuplicateSeparator, ~]\n", 2, "quirks[1]")]
    [InlineData("name:\n", 2, "name")]
    public void NullOrEmptyRulesAreErrorsNotDroppedRules(string yaml, int line, string field)
    {
        var e = Rejects("schemaVersion: 1\n" + yaml);
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
        Assert.StartsWith($"line {line}: {field}: ", e.Message);
    }

    [Fact]
    public void EmptyAllowedListsStayDistinctFromMissingOnes()
    {
        var p = PolicyYaml.Parse("schemaVersion: 1\nevents:\n  bootApplications:\n    allowed: []\n  kernelCommandLine:\n" +
            "    allowed: []\n  txtSinit: []\n  txtMle: []\n");
        Assert.Equal((0, 0, 0, 0), (p.Events!.BootApplications!.Allowed!.Count, p.Events.KernelCommandLine!.Allowed!.Count,
            p.Events.TxtSinit!.Count, p.Events.TxtMle!.Count));
        Assert.Null(p.Events.BootApplications.Forbidden);
        var back = PolicyYaml.Parse(PolicyYaml.Serialize(p));
        Assert.NotNull(back.Events!.BootApplications!.Allowed);
        Assert.NotNull(back.Events.KernelCommandLine!.Allowed);
        Assert.NotNull(back.Events.TxtSinit);
        Assert.False(back.ConstrainsNothing);
    }

    [Theory]
    [InlineData("schemaVersion: 1\n", true)]
    [InlineData("schemaVersion: 1\nname: only banks\nbanks:\n  required: [sha256]\n  minimumHash: sha256\n", true)]
    [InlineData("schemaVersion: 1\nquirks: [DuplicateSeparator]\n", true)]
    [InlineData("schemaVersion: 1\nevents:\n  txtLaunch: false\n", false)]
    [InlineData("schemaVersion: 1\nevents:\n  secureBoot: true\n", false)]
    [InlineData("schemaVersion: 1\nevents:\n  txtMle: []\n", false)]
    [InlineData("schemaVersion: 1\npcrs:\n  sha1:\n    0: [bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb]\n", false)]
    public void APolicyThatConstrainsNothingStillParsesAndSaysSo(string yaml, bool nothing)
    {
        Assert.Equal(nothing, PolicyYaml.Parse(yaml).ConstrainsNothing);
    }

    [Theory]
    [InlineData("name: no version\n", 1, "schemaVersion: missing")]
    [InlineData("schemaVersion: 2\n", 1, "schemaVersion: 2 is not supported")]
    [InlineData("schemaVersion: 0\n", 1, "schemaVersion: 0 is not supported")]
    [InlineData("schemaVersion: -1\n", 1, "schemaVersion: -1 is not supported")]
    [InlineData("schemaVersion: 1.0\n", 1, "schemaVersion: 1.0 is not supported")]
    [InlineData("schemaVersion: 0x1\n", 1, "schemaVersion: 0x1 is not supported")]
    [InlineData("schemaVersion: 99999999999999999999\n", 1, "is not supported")]
    [InlineData("schemaVersion: ~\n", 1, "schemaVersion")]
    [InlineData("name: x\nschemaVersion: [1]\n", 2, "schemaVersion")]
    [InlineData("- schemaVersion: 1\n", 1, "mapping")]
    [InlineData("schemaVersion 1\n", 1, "mapping")]
    [InlineData("# only a comment\n", 1, "empty")]
    public void OnlyTheSupportedSchemaVersion(string yaml, int line, string text)
    {
        var e = Rejects(yaml);
        Assert.Equal(line, e.Line);
        Assert.Contains(text, e.Message);
    }

    /// <summary>Snippets that made YamlDotNet's scanner, parser or type converters throw their own exception types.</summary>
    public static TheoryData<string> Hostile => new()
    {
        "{", "[[[", "[a[b]", "schemaVersion: 1\nquirks: [a[b]\n", "pcrs: {sha256: [", "schemaVersion: 1\npcrs: {sha256: [", "]", "}", "'", "\"", "\"\\x\"", "? ? ? a", "*x", "&a [*a]",
        "schemaVersion: 99999999999999999999", "schemaVersion: 1e400", "schemaVersion: 1\nevents:\n  secureBoot: 99999999999",
        "schemaVersion: 1\nevents:\n  secureBoot: maybe", "schemaVersion: 1\nevents:\n  txtLaunch: [true]",
        "schemaVersion: 1\npcrs:\n  sha256:\n    7: {a: b}", "schemaVersion: 1\npcrs:\n  sha256: [7]", "schemaVersion: 1\npcrs: [a]",
        "schemaVersion: 1\npcrs:\n  sha256:\n    7: aa", "schemaVersion: 1\nbanks: {required: sha256}", "schemaVersion: 1\nquirks: {a: b}",
        "schemaVersion: 1\nbanks:\n  required: [[sha256]]", "schemaVersion: 1\nname: [x]", "schemaVersion: 1\nname: {a: b}",
        "%YAML 1.1\n%YAML 1.1\n---\nschemaVersion: 1", "%TAG ! tag:x,2000:\n---\nschemaVersion: 1", "%FOO\n---\na", "--- a\n--- b",
        "schemaVersion: 1\n---\nschemaVersion: 1", "schemaVersion: 1\n...\n---\nx: 1", "schemaVersion: 1\n  bad: indent", "\t",
        "schemaVersion:\t1\n\tname: x", "\0", "schemaVersion: 1\0", "\uFEFF\uFEFFschemaVersion: 1", "schemaVersion: \"\\uD800\"",
        "schemaVersion: 1\nname: \"\\uD800\"", "schemaVersion: !!int 1", "schemaVersion: 1\npcrs: !!map {}", "schemaVersion: <<",
        "<<: {schemaVersion: 1}", "schemaVersion: 1\n<<: {name: x}", "schemaVersion: 1\n? |\n  a\n: b", "schemaVersion: 1\n:",
        "schemaVersion: 1\n- a", "schemaVersion: 1\nname: a\n b: c", "schemaVersion: 1\nname: @x", "schemaVersion: 1\nname: `x",
        "schemaVersion: 1\npcrs:\n  sha256:\n    7: [" + new string('a', 64) + "]]", "[" + string.Concat(Enumerable.Repeat("[", 5000)),
        "schemaVersion: 1\nname: " + string.Concat(Enumerable.Repeat("{a: ", 200)), "schemaVersion: 1\nname: >\n x\n  y\n z\n\0",
        "schemaVersion: 1\npcrs:\n  sha256:\n    ? [7]\n    : [aa]", "schemaVersion: 1\nevents:\n  kernelCommandLine: {allowed: ['(?<']}",
        "schemaVersion: 1\nevents:\n  kernelCommandLine:\n    allowed: ['" + new string('(', 500) + "']",
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void HostileYamlOnlyEverGivesAPolicyErrorWithALine(string yaml)
    {
        var e = Rejects(yaml);
        Assert.NotNull(e.Line);
        Assert.DoesNotContain("YamlDotNet", e.Message);
    }

    [Fact]
    public void RandomMutationsOfAValidPolicyOnlyEverGiveAPolicyError()
    {
        var random = new Random(10);
        byte[] valid = Encoding.UTF8.GetBytes(Full.ReplaceLineEndings("\n"));
        byte[] alphabet = "{}[]:,-?*&!|>'\"#%@` \t\n\r0x~.\\"u8.ToArray();
        int parsed = 0;
        for (int i = 0; i < 3000; i++)
        {
            var bytes = valid.ToList();
            for (int m = random.Next(1, 4); m > 0; m--)
            {
                int at = random.Next(bytes.Count);
                byte b = random.Next(3) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
                switch (random.Next(3))
                {
                    case 0: bytes[at] = b; break;
                    case 1: bytes.Insert(at, b); break;
                    default: bytes.RemoveAt(at); break;
                }
            }
            string yaml = Encoding.UTF8.GetString(bytes.ToArray());
            AttestationPolicy policy;
            try { policy = PolicyYaml.Parse(yaml); }
            catch (AttestationPolicyException e)
            {
                Assert.True(e.Line is not null, $"no line for: {e.Message}");
                continue;
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{e.GetType().Name} escaped for {System.Text.Json.JsonSerializer.Serialize(yaml)}");
            }
            parsed++;
            Assert.Equal(PolicyYaml.Serialize(policy), PolicyYaml.Serialize(PolicyYaml.Parse(PolicyYaml.Serialize(policy))));
        }
        Assert.InRange(parsed, 1, 2999);
    }
}
