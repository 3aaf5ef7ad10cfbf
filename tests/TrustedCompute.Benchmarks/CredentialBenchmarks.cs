using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using TrustedCompute.Enrollment;
using TrustedCompute.Tpm;

namespace TrustedCompute.Benchmarks;

/// <summary>
/// MakeCredential per host (goal: at most 1 ms) for an RSA-2048 and a P-256 EK, each against its raw public-key
/// operation in the same run: one .NET RSA-OAEP-SHA256 encryption of a 32-byte seed, one ephemeral P-256 ECDH
/// (key generation and agreement, as a challenge needs).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CredentialBenchmarks
{
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ECDiffieHellman _ecc = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private TpmPublic _rsaEk = new();
    private TpmPublic _eccEk = new();
    private byte[] _akName = [];

    [GlobalSetup]
    public void Setup()
    {
        var modulus = _rsa.ExportParameters(false).Modulus!;
        _rsaEk = TpmTemplates.EndorsementKey(EndorsementKeyType.Rsa2048) with { Unique = modulus };
        var q = _ecc.ExportParameters(false).Q;
        _eccEk = TpmTemplates.EndorsementKey(EndorsementKeyType.EccP256) with { EccX = q.X!, EccY = q.Y! };
        _akName = TpmTemplates.AttestationKey(AttestationKeyType.RsaSsa).Name();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("RSA-2048")]
    public byte[] RawRsaOaepEncrypt() => _rsa.Encrypt(_secret, RSAEncryptionPadding.OaepSHA256);

    [Benchmark, BenchmarkCategory("RSA-2048")]
    public CredentialChallenge MakeForRsaEk() => CredentialMaker.Make(_rsaEk, _akName, _secret);

    [Benchmark(Baseline = true), BenchmarkCategory("P-256")]
    public byte[] RawEphemeralEcdh()
    {
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return ephemeral.DeriveRawSecretAgreement(_ecc.PublicKey);
    }

    [Benchmark, BenchmarkCategory("P-256")]
    public CredentialChallenge MakeForEccEk() => CredentialMaker.Make(_eccEk, _akName, _secret);

    [GlobalCleanup]
    public void Cleanup()
    {
        _rsa.Dispose();
        _ecc.Dispose();
    }
}
