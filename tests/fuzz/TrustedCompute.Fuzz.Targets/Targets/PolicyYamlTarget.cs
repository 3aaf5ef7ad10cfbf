using System.Text;
using TrustedCompute.Attestation;

namespace TrustedCompute.Fuzz.Targets;

/// <summary>
/// Policy YAML: <see cref="PolicyYaml.Parse"/> (documented: AttestationPolicyException), then the policy in a verifier
/// judging fixed golden evidence, and a write/read round trip (a policy we read must be one we can write and read back).
/// </summary>
public sealed class PolicyYamlTarget : FuzzTarget
{
    private static readonly AttestationEvidence Golden = FuzzSamples.Evidence();

    public override string Name => "policy-yaml";
    public override string Description => "PolicyYaml.Parse, QuoteVerifier with the policy, Serialize and Parse again";

    public override bool IsDocumented(Exception exception) => exception is AttestationPolicyException;

    public override IEnumerable<(string Name, byte[] Bytes)> GeneratedSeeds()
    {
        yield return ("fixed-evidence-policy.yaml", Encoding.UTF8.GetBytes(PolicyYaml.Serialize(EvidenceTarget.Policy)));
        yield return ("minimal.yaml", "schemaVersion: 1\nname: minimal\n"u8.ToArray());
        yield return ("rules.yaml", Encoding.UTF8.GetBytes(
            "schemaVersion: 1\nname: rules\ndescription: \"event rules\"\nbanks:\n  required: [sha256]\n" +
            "  minimumHash: sha256\npcrs:\n  sha256:\n    0: ['" + new string('a', 64) + "', '" + new string('0', 64) + "']\n" +
            "    7: [" + new string('b', 64) + "]\nevents:\n  secureBoot: true\n  txtLaunch: false\n" +
            "  bootApplications:\n    allowed: [" + new string('c', 64) + "]\n    forbidden: []\n" +
            "  kernelCommandLine:\n    allowed: ['^/vmlinuz .*ro$']\n    forbidden: ['init=']\n" +
            "  txtSinit: [" + new string('d', 64) + "]\n  txtMle: []\nquirks: [DuplicateSeparator, MissingExitBootServices]\n"));
    }

    public override void Run(byte[] input)
    {
        var policy = PolicyYaml.Parse(Encoding.UTF8.GetString(input));
        var options = new VerificationOptions
        {
            ExpectedAttestationKey = FuzzSamples.AttestationKey,
            ExpectedNonce = FuzzSamples.Nonce,
            HostName = FuzzSamples.HostName,
            Policy = policy,
        };
        _ = QuoteVerifier.Verify(Golden, options).Verdict;
        string written = PolicyYaml.Serialize(policy);
        try
        {
            _ = PolicyYaml.Parse(written);
        }
        catch (AttestationPolicyException e)
        {
            throw new InvalidOperationException($"A policy read from YAML does not read back after writing: {e.Message}", e);
        }
    }
}
