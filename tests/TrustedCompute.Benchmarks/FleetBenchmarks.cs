using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using TrustedCompute.Attestation;
using TrustedCompute.Fleet;
using TrustedCompute.Tpm;

namespace TrustedCompute.Benchmarks;

/// <summary>
/// The sweep engine's own cost. Baseline: verifying N hosts' quotes one after the other (what a sweep cannot avoid).
/// Sweep: the same N through FleetSweep at ThrottleLimit 16 with a source that answers at once, so the difference
/// divided by N is the engine's CPU per host (goal: at most 0.1 ms). SweepWithLatency: each host answers after 20 ms,
/// against the ideal ceil(N / 16) x 20 ms (goal: at most 1.3 x).
/// </summary>
[MemoryDiagnoser]
public class FleetBenchmarks
{
    private const int Throttle = 16;
    private readonly RSA _key = RSA.Create(2048);
    private AttestationEvidence _evidence = new();
    private VerificationOptions _options = new();
    private static readonly PcrSelection[] Selection = [PcrSelection.Create(TpmAlgId.Sha256, [0, 1, 2, 3, 4, 5, 6, 7])];

    [Params(50, 200)]
    public int Hosts { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var ak = new TpmPublic
        {
            Type = TpmAlgId.Rsa,
            Attributes = TpmObjectAttributes.FixedTpm | TpmObjectAttributes.FixedParent | TpmObjectAttributes.SensitiveDataOrigin
                | TpmObjectAttributes.UserWithAuth | TpmObjectAttributes.Restricted | TpmObjectAttributes.Sign,
            Scheme = TpmAlgId.RsaSsa, SchemeHash = TpmAlgId.Sha256, KeyBits = 2048, Unique = _key.ExportParameters(false).Modulus!,
        };
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        int[] indexes = Selection[0].Indexes.ToArray();
        var values = indexes.Select(i => SHA256.HashData([(byte)i])).ToArray();
        var w = new TpmWriter().UInt32(TpmAttest.GeneratedValue).UInt16((ushort)TpmSt.AttestQuote)
            .Sized(ak.Name()).Sized(nonce).UInt64(5000).UInt32(3).UInt32(0).Byte(1).UInt64(1);
        PcrSelection.WriteList(w, Selection);
        byte[] attest = w.Sized(SHA256.HashData(values.SelectMany(v => v).ToArray())).ToArray();
        byte[] signature = _key.SignData(attest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _evidence = new AttestationEvidence
        {
            HostName = "bench", Nonce = nonce, AttestationKeyPublic = ak.ToTpm2BPublic(),
            Quotes = [new EvidenceQuote { Bank = "sha256", Attest = attest,
                Signature = new TpmSignature(TpmAlgId.RsaSsa, TpmAlgId.Sha256, signature, [], []).Marshal() }],
            PcrValues = indexes.Select(i => new EvidencePcr { Bank = "sha256", Index = i, Value = values[i] }).ToArray(),
        };
        _options = new VerificationOptions
        {
            ExpectedAttestationKey = ak, ExpectedNonce = nonce, ExpectedSelection = Selection,
            Policy = AttestationPolicy.FromEvidence(_evidence),
        };
        if (QuoteVerifier.Verify(_evidence, _options with { HostName = "bench" }).Verdict != AttestationVerdict.Trusted)
            throw new InvalidOperationException("benchmark evidence does not verify");
    }

    [Benchmark(Baseline = true)]
    public int VerifyOnly()
    {
        int trusted = 0;
        for (int i = 0; i < Hosts; i++)
            if (QuoteVerifier.Verify(_evidence, _options with { HostName = $"host{i}" }).Verdict == AttestationVerdict.Trusted) trusted++;
        return trusted;
    }

    [Benchmark]
    public int Sweep() => Run(TimeSpan.Zero);

    [Benchmark]
    public int SweepWithLatency() => Run(TimeSpan.FromMilliseconds(20));

    private int Run(TimeSpan latency)
    {
        var source = new FixedSource(_evidence, latency);
        var options = new SweepOptions { ThrottleLimit = Throttle, Selection = Selection, Retries = 0 };
        using var sweep = new FleetSweep(source, () => new FixedNonceJudge(_options), options);
        for (int i = 0; i < Hosts; i++) sweep.Add(new SweepTarget($"host{i}"));
        sweep.Complete();
        int trusted = sweep.TakeAll().Count(o => o.Result.Verdict == AttestationVerdict.Trusted);
        if (trusted != Hosts) throw new InvalidOperationException($"{trusted} of {Hosts} trusted");
        return trusted;
    }

    private sealed class FixedSource(AttestationEvidence evidence, TimeSpan latency) : IEvidenceSource
    {
        public async Task<AttestationEvidence> CollectAsync(SweepTarget target, EvidenceRequest request, CancellationToken ct)
        {
            if (latency > TimeSpan.Zero) await Task.Delay(latency, ct).ConfigureAwait(false);
            return evidence;
        }
    }

    /// <summary>The key judge, but with the evidence's own (fixed) nonce, since the source replays one bundle.</summary>
    private sealed class FixedNonceJudge(VerificationOptions options) : IHostJudge
    {
        public AttestationResult Judge(SweepTarget target, AttestationEvidence evidence, EvidenceRequest request) =>
            QuoteVerifier.Verify(evidence, options with { HostName = target.Name });

        public AttestationResult NotCollected(SweepTarget target, AttestationReason reason) =>
            throw new InvalidOperationException(reason.ToString());
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();
}
