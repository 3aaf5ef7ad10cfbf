using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using TrustedCompute.Attestation;
using TrustedCompute.Tpm;

namespace TrustedCompute.Benchmarks;

/// <summary>
/// Verification of an RSA-2048 quote over 10 PCRs with a cached key and a golden-value policy, against one raw
/// RSA-2048 PKCS#1 signature verification (the baseline). The goal: at least 80% of the raw rate.
/// </summary>
[MemoryDiagnoser]
public class AttestationBenchmarks
{
    private readonly RSA _key = RSA.Create(2048);
    private AttestationEvidence _evidence = new();
    private QuoteVerifier _verifier = null!;
    private byte[] _attest = [];
    private byte[] _signature = [];

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
        int[] indexes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        var values = indexes.Select(i => SHA256.HashData([(byte)i])).ToArray();
        var w = new TpmWriter().UInt32(TpmAttest.GeneratedValue).UInt16((ushort)TpmSt.AttestQuote)
            .Sized(ak.Name()).Sized(nonce).UInt64(5000).UInt32(3).UInt32(0).Byte(1).UInt64(1);
        PcrSelection.WriteList(w, [PcrSelection.Create(TpmAlgId.Sha256, indexes)]);
        _attest = w.Sized(SHA256.HashData(values.SelectMany(v => v).ToArray())).ToArray();
        _signature = _key.SignData(_attest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _evidence = new AttestationEvidence
        {
            HostName = "bench", Nonce = nonce, AttestationKeyPublic = ak.ToTpm2BPublic(),
            Quotes = [new EvidenceQuote { Bank = "sha256", Attest = _attest, Signature = new TpmSignature(TpmAlgId.RsaSsa, TpmAlgId.Sha256, _signature, [], []).Marshal() }],
            PcrValues = indexes.Select(i => new EvidencePcr { Bank = "sha256", Index = i, Value = values[i] }).ToArray(),
        };
        var golden = AttestationPolicy.FromEvidence(_evidence);
        golden.Banks!.MinimumHash = "sha256";
        var policy = PolicyYaml.Parse(PolicyYaml.Serialize(golden));
        _verifier = new QuoteVerifier(new VerificationOptions { HostName = "bench", ExpectedAttestationKey = ak, ExpectedNonce = nonce, Policy = policy });
        if (_verifier.Verify(_evidence).Verdict != AttestationVerdict.Trusted) throw new InvalidOperationException("benchmark evidence does not verify");
    }

    [Benchmark(Baseline = true)]
    public bool RawRsa2048Verify() => _key.VerifyData(_attest, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark]
    public AttestationVerdict QuoteAndPolicy() => _verifier.Verify(_evidence).Verdict;

    [GlobalCleanup]
    public void Cleanup()
    {
        _verifier.Dispose();
        _key.Dispose();
    }
}
