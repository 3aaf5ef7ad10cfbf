using System.Security.Cryptography;
using TrustedCompute.Attestation;
using TrustedCompute.Tpm;

namespace TrustedCompute.Enrollment;

/// <summary>
/// What a verifier checks of a host's attestation key before it sends a credential challenge for it. Activation
/// proves only that an object of that name sits in the EK's TPM; these attributes make that object a key that
/// never leaves the TPM and signs only what the TPM itself attests.
/// </summary>
public static class AttestationKeyCheck
{
    private const int MaxShownName = 2 + 64;

    /// <summary>
    /// Required: restricted, sign, fixedTPM, fixedParent, sensitiveDataOrigin; forbidden: decrypt. userWithAuth is
    /// not required (it says who may use the key, not where it lives). The key must be RSA (2048+ bits, RSASSA or
    /// RSAPSS) or ECC (P-256/384/521, ECDSA), with a SHA-256 or stronger signing hash and nameAlg, and
    /// <paramref name="claimedName"/> must be nameAlg || H(public area). Empty when all is well, else one Failure
    /// reason per problem (ak.attributes, ak.algorithm, ak.name).
    /// </summary>
    public static AttestationReason[] Check(TpmPublic attestationKey, ReadOnlySpan<byte> claimedName)
    {
        ArgumentNullException.ThrowIfNull(attestationKey);
        var reasons = new List<AttestationReason>();
        if (AttributeProblem(attestationKey.Attributes) is { } attributes)
            reasons.Add(Fail(ReasonIds.AkAttributes, attributes) with { Actual = $"{attestationKey.Attributes}" });
        if (AlgorithmProblem(attestationKey) is { } algorithm)
            reasons.Add(Fail(ReasonIds.AkAlgorithm, algorithm) with { Actual = Describe(attestationKey) });
        if (NameProblem(attestationKey, claimedName) is { } name)
            reasons.Add(name);
        return reasons.ToArray();
    }

    private static string? AttributeProblem(TpmObjectAttributes a)
    {
        var missing = new[]
        {
            TpmObjectAttributes.Restricted, TpmObjectAttributes.Sign, TpmObjectAttributes.FixedTpm,
            TpmObjectAttributes.FixedParent, TpmObjectAttributes.SensitiveDataOrigin,
        }.Where(f => !a.HasFlag(f)).ToList();
        var problems = new List<string>();
        if (missing.Count > 0) problems.Add($"lacks {string.Join(", ", missing)}");
        if (a.HasFlag(TpmObjectAttributes.Decrypt)) problems.Add("can also decrypt (an attestation key is sign-only)");
        return problems.Count == 0 ? null : $"The attestation key {string.Join("; ", problems)}";
    }

    private static string? AlgorithmProblem(TpmPublic key)
    {
        if (!IsStrongHash(key.NameAlg))
            return $"The attestation key's nameAlg {HashText(key.NameAlg)} is not SHA-256 or stronger";
        if (key.Symmetric != TpmAlgId.Null)
            return $"The attestation key has a symmetric algorithm ({key.Symmetric}): not a signing key";
        switch (key.Type)
        {
            case TpmAlgId.Rsa:
                if (key.Scheme is not (TpmAlgId.RsaSsa or TpmAlgId.RsaPss))
                    return $"The RSA attestation key's scheme {key.Scheme} is not RSASSA or RSAPSS";
                if (key.KeyBits is not (2048 or 3072 or 4096) || key.Unique.Length * 8 != key.KeyBits)
                    return $"The RSA attestation key has {key.KeyBits} bits and a {key.Unique.Length}-byte modulus";
                break;
            case TpmAlgId.Ecc:
                if (key.Scheme != TpmAlgId.EcDsa) return $"The ECC attestation key's scheme {key.Scheme} is not ECDSA";
                if (key.Curve is not (TpmEccCurve.NistP256 or TpmEccCurve.NistP384 or TpmEccCurve.NistP521))
                    return $"The ECC attestation key's curve 0x{(ushort)key.Curve:X4} is not supported";
                if (key.Kdf != TpmAlgId.Null) return $"The ECC attestation key names a KDF ({key.Kdf})";
                break;
            default:
                return $"The attestation key's type {key.Type} is not RSA or ECC";
        }
        if (!IsStrongHash(key.SchemeHash))
            return $"The attestation key's signing hash {HashText(key.SchemeHash)} is not SHA-256 or stronger";
        try
        {
            using var _ = key.CreatePublicKey();
        }
        catch (Exception e) when (e is CryptographicException or NotSupportedException or ArgumentException)
        {
            return $"The attestation key's public key is not usable: {e.Message}";
        }
        return null;
    }

    private static AttestationReason? NameProblem(TpmPublic key, ReadOnlySpan<byte> claimedName)
    {
        byte[] computed;
        try { computed = key.Name(); }
        catch (Exception e) when (e is NotSupportedException or TpmProtocolException or ArgumentException)
        {
            return Fail(ReasonIds.AkName, $"The attestation key's name cannot be computed: {e.Message}");
        }
        if (claimedName.SequenceEqual(computed)) return null;
        const string message = "The name the host claims is not the name of the attestation key's public area";
        return Fail(ReasonIds.AkName, message) with
        {
            Expected = Hex(computed),
            Actual = claimedName.Length <= MaxShownName ? Hex(claimedName)
                : $"{Hex(claimedName[..MaxShownName])}... {claimedName.Length} bytes",
        };
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    private static bool IsStrongHash(TpmAlgId alg) => alg is TpmAlgId.Sha256 or TpmAlgId.Sha384 or TpmAlgId.Sha512;

    private static string HashText(TpmAlgId alg) => TpmHash.BankName(alg);

    private static string Describe(TpmPublic key)
    {
        try { return key.Describe(); }
        catch (Exception e) when (e is NotSupportedException or TpmProtocolException) { return key.Type.ToString(); }
    }

    private static AttestationReason Fail(string id, string message) => new(id, ReasonSeverity.Failure, message);
}
