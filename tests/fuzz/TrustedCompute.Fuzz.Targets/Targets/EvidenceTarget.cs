using System.Text;
using TrustedCompute.Attestation;
using TrustedCompute.Tpm;

namespace TrustedCompute.Fuzz.Targets;

/// <summary>
/// Evidence JSON: <see cref="AttestationEvidence.FromJson(ReadOnlySpan{byte})"/> (documented: InvalidDataException),
/// then <see cref="QuoteVerifier.Verify(AttestationEvidence, VerificationOptions)"/> against a fixed key, nonce,
/// host and policy, which must never throw: bad evidence is a verdict with reasons.
/// </summary>
public sealed class EvidenceTarget : FuzzTarget
{
    private static readonly AttestationEvidence Golden = FuzzSamples.Evidence(null, TpmAlgId.Sha256, TpmAlgId.Sha1);

    /// <summary>The fixed policy: the golden PCRs, required banks, and event rules that read the log.</summary>
    internal static readonly AttestationPolicy Policy = MakePolicy();

    private static readonly VerificationOptions Options = new()
    {
        ExpectedAttestationKey = FuzzSamples.AttestationKey,
        ExpectedNonce = FuzzSamples.Nonce,
        ExpectedSelection = null,
        HostName = FuzzSamples.HostName,
        Policy = Policy,
    };

    private static AttestationPolicy MakePolicy()
    {
        var policy = AttestationPolicy.FromEvidence(Golden, banks: ["sha256"], name: "fuzz");
        policy.Banks = new PolicyBanks { Required = ["sha256"], MinimumHash = "sha256" };
        policy.Events = new PolicyEvents
        {
            SecureBoot = true,
            KernelCommandLine = new PolicyPatternRule { Allowed = ["root=/dev/sda1"], Forbidden = ["init=/bin/sh"] },
        };
        policy.Quirks = ["DuplicateSeparator"];
        return policy;
    }

    public override string Name => "evidence";
    public override string Description => "AttestationEvidence.FromJson then QuoteVerifier.Verify (fixed key, nonce, policy)";

    public override bool IsDocumented(Exception exception) => exception is InvalidDataException;

    public override IEnumerable<(string Name, byte[] Bytes)> GeneratedSeeds()
    {
        yield return ("golden-sha256-sha1.json", Encoding.UTF8.GetBytes(Golden.ToJson()));
        yield return ("sha256-only.json", Encoding.UTF8.GetBytes(FuzzSamples.Evidence(null, TpmAlgId.Sha256).ToJson()));
        var bare = FuzzSamples.Evidence(null, TpmAlgId.Sha256);
        bare.EventLog = [];
        yield return ("no-event-log.json", Encoding.UTF8.GetBytes(bare.ToJson()));
    }

    public override void Run(byte[] input)
    {
        var evidence = AttestationEvidence.FromJson(input);
        var result = QuoteVerifier.Verify(evidence, Options);
        foreach (var reason in result.Reasons) _ = reason.ToString();
    }
}
