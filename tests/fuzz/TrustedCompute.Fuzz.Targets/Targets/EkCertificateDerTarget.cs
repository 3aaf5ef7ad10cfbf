using TrustedCompute.Tpm;

namespace TrustedCompute.Fuzz.Targets;

/// <summary>
/// An EK certificate as a TPM's NV index gives it: <see cref="TpmOperations.ParseDerCertificate"/> (documented:
/// InvalidDataException), then what callers read of the certificate (public key, extensions, names).
/// </summary>
public sealed class EkCertificateDerTarget : FuzzTarget
{
    public override string Name => "ek-cert-der";
    public override string Description => "TpmOperations.ParseDerCertificate (DER in an NV index, padding allowed)";

    public override bool IsDocumented(Exception exception) => exception is InvalidDataException;

    public override IReadOnlyList<string> SharedSeeds => ["ek-certs/*.der", "ek-certs/*.cer", "ek-certs/*.crt"];

    public override IEnumerable<(string Name, byte[] Bytes)> GeneratedSeeds()
    {
        yield return ("self-signed-rsa.der", FuzzSamples.Certificate(ecc: false));
        byte[] ecc = FuzzSamples.Certificate(ecc: true);
        yield return ("self-signed-ecc-padded.der", [.. ecc, .. new byte[64]]);
    }

    public override void Run(byte[] input)
    {
        using var certificate = TpmOperations.ParseDerCertificate(input, TpmHandles.EkCertRsa2048);
        _ = certificate.Subject;
        _ = certificate.Issuer;
        _ = certificate.PublicKey.Oid.Value;
        _ = certificate.PublicKey.ExportSubjectPublicKeyInfo();
        foreach (var extension in certificate.Extensions) _ = extension.Oid?.Value;
    }
}
