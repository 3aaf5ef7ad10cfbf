namespace TrustedCompute.Txt;

public enum LcpFindingSeverity
{
    Error,
    Warning,
    Information,
}

/// <summary>One thing a policy check found; <see cref="Id"/> is stable (e.g. <c>policy.hash</c>).</summary>
public sealed record LcpFinding(string Id, LcpFindingSeverity Severity, string Message);

/// <summary>What <see cref="LcpPolicyTester"/> concluded. Findings list every problem, not only the first.</summary>
public sealed class LcpPolicyTestResult
{
    public bool IsValid => Findings.All(f => f.Severity != LcpFindingSeverity.Error);
    public List<LcpFinding> Findings { get; } = [];

    /// <summary>Would SINIT accept the given MLE measurement (null when none was given)?</summary>
    public bool? MleAllowed { get; set; }

    /// <summary>Would SINIT accept the given PCR values (null when none were given)?</summary>
    public bool? PlatformAllowed { get; set; }

    internal void Add(string id, LcpFindingSeverity severity, string message) => Findings.Add(new LcpFinding(id, severity, message));
}

/// <summary>Checks a policy and its data as SINIT would: structure, policy hash, list signatures, masks, revocation.</summary>
public static class LcpPolicyTester
{
    public static LcpPolicyTestResult Test(LcpPolicy policy, LcpPolicyData? data, byte[]? mleMeasurement = null,
        IReadOnlyDictionary<LcpHashAlgorithm, IReadOnlyDictionary<int, byte[]>>? pcrValues = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var result = new LcpPolicyTestResult();
        if (policy.PolicyType == LcpPolicyType.Any)
        {
            if (policy.PolicyHash.Any(b => b != 0)) result.Add("policy.hash", LcpFindingSeverity.Warning, "A policy of type ANY should carry a zero PolicyHash.");
            if (mleMeasurement is not null) result.MleAllowed = true;
            if (pcrValues is not null) result.PlatformAllowed = true;
            return result;
        }
        if (data is null)
        {
            result.Add("data.missing", LcpFindingSeverity.Error, "A policy of type LIST needs its policy data file.");
            return result;
        }

        byte[] computed;
        try
        {
            computed = data.ComputePolicyHash(policy.HashAlgorithm);
        }
        catch (NotSupportedException e)
        {
            result.Add("policy.hash", LcpFindingSeverity.Error, e.Message);
            return result;
        }
        if (!computed.AsSpan().SequenceEqual(policy.PolicyHash))
        {
            result.Add("policy.hash", LcpFindingSeverity.Error,
                $"PolicyHash {Convert.ToHexString(policy.PolicyHash)} does not match the data file ({Convert.ToHexString(computed)}).");
        }
        if (LcpHash.MaskOf(policy.HashAlgorithm) is var polMask && (policy.LcpHashAlgorithmMask & polMask) == 0)
        {
            result.Add("policy.hashmask", LcpFindingSeverity.Warning, $"The policy's own hash algorithm {policy.HashAlgorithm} is not in LcpHashAlgMask.");
        }

        for (int i = 0; i < data.Lists.Count; i++)
        {
            var list = data.Lists[i];
            if (list.Version == LcpPolicyList.Version100)
            {
                result.Add("list.version", LcpFindingSeverity.Error, $"List {i}: 0x100 lists are for TPM 1.2 policies, not LCP_POLICY2.");
            }
            if (list.Signature is { } sig)
            {
                bool ok;
                try
                {
                    ok = LcpSigning.Verify(list);
                }
                catch (Exception e) when (e is NotSupportedException or System.Security.Cryptography.CryptographicException)
                {
                    ok = false;
                    result.Add("list.signature", LcpFindingSeverity.Warning, $"List {i}: signature not checked: {e.Message}");
                }
                if (!ok) result.Add("list.signature", LcpFindingSeverity.Error, $"List {i}: the {sig.Scheme} signature does not verify.");
                if (sig.RevocationCounter < policy.DataRevocationCounters[i])
                {
                    result.Add("list.revoked", LcpFindingSeverity.Error,
                        $"List {i}: RevocationCounter {sig.RevocationCounter} is below the policy's DataRevocationCounters[{i}] = {policy.DataRevocationCounters[i]}.");
                }
                var needed = SignMaskOf(sig);
                if (needed == LcpSignAlgorithmMask.None || (policy.LcpSignAlgorithmMask & needed) == 0)
                {
                    result.Add("list.signalg", LcpFindingSeverity.Error,
                        $"List {i}: {sig.Scheme} {sig.KeySize}-bit/{sig.HashAlgorithm} is not allowed by LcpSignAlgMask 0x{(uint)policy.LcpSignAlgorithmMask:X}.");
                }
            }
            foreach (var element in list.Elements)
            {
                if (HashOf(element) is { } alg && (policy.LcpHashAlgorithmMask & LcpHash.MaskOf(alg)) == 0)
                {
                    result.Add("element.hashalg", LcpFindingSeverity.Error, $"List {i}: {element.Type} uses {alg}, which LcpHashAlgMask does not allow.");
                }
            }
        }

        var elements = data.Lists.SelectMany(l => l.Elements).ToList();
        if (mleMeasurement is not null)
        {
            var mles = elements.OfType<LcpMleElement>().ToList();
            result.MleAllowed = mles.Count == 0 || mles.Any(e => e.Hashes.Any(h => h.AsSpan().SequenceEqual(mleMeasurement)));
            if (mles.Count == 0) result.Add("mle.unrestricted", LcpFindingSeverity.Information, "The policy has no MLE element: any MLE is allowed.");
        }
        if (pcrValues is not null)
        {
            var pconfs = elements.OfType<LcpPconfElement>().ToList();
            result.PlatformAllowed = pconfs.Count == 0 || pconfs.Any(e => e.PcrInfos.Any(info => Matches(e, info, pcrValues, result)));
            if (pconfs.Count == 0) result.Add("pconf.unrestricted", LcpFindingSeverity.Information, "The policy has no PCONF element: any platform configuration is allowed.");
        }
        return result;
    }

    private static bool Matches(LcpPconfElement element, LcpPcrInfo info, IReadOnlyDictionary<LcpHashAlgorithm, IReadOnlyDictionary<int, byte[]>> pcrValues, LcpPolicyTestResult result)
    {
        var bank = element.Legacy ? LcpHashAlgorithm.Sha1 : info.Bank;
        if (!pcrValues.TryGetValue(bank, out var values)) return false;
        var selected = new Dictionary<int, byte[]>();
        foreach (int pcr in info.PcrIndexes)
        {
            if (!values.TryGetValue(pcr, out var value))
            {
                result.Add("pconf.missingpcr", LcpFindingSeverity.Warning, $"PCR {pcr} ({bank}) is selected by a PCONF element but was not given.");
                return false;
            }
            selected[pcr] = value;
        }
        var digest = element.Legacy ? LcpPcr.LegacyCompositeDigest(selected, info.Select) : LcpPcr.Pconf2Digest(bank, selected);
        return digest.AsSpan().SequenceEqual(info.Digest);
    }

    private static LcpHashAlgorithm? HashOf(LcpElement element) => element switch
    {
        LcpMleElement e => e.HashAlgorithm,
        LcpPconfElement e => e.Legacy ? LcpHashAlgorithm.Sha1 : e.HashAlgorithm,
        LcpSbiosElement e => e.HashAlgorithm,
        LcpStmElement e => e.HashAlgorithm,
        _ => null,
    };

    internal static LcpSignAlgorithmMask SignMaskOf(LcpListSignature sig) => (sig.KeyAlgorithm, sig.KeySize, sig.HashAlgorithm) switch
    {
        (LcpKeyAlgorithm.Rsa, 2048, LcpHashAlgorithm.Sha1) => LcpSignAlgorithmMask.Rsa2048Sha1,
        (LcpKeyAlgorithm.Rsa, 2048, _) => LcpSignAlgorithmMask.Rsa2048Sha256,
        (LcpKeyAlgorithm.Rsa, 3072, LcpHashAlgorithm.Sha384) => LcpSignAlgorithmMask.Rsa3072Sha384,
        (LcpKeyAlgorithm.Rsa, 3072, _) => LcpSignAlgorithmMask.Rsa3072Sha256,
        (LcpKeyAlgorithm.Ecc, 256, _) when sig.Scheme == LcpSignatureScheme.Ecdsa => LcpSignAlgorithmMask.EcdsaP256,
        (LcpKeyAlgorithm.Ecc, 384, _) when sig.Scheme == LcpSignatureScheme.Ecdsa => LcpSignAlgorithmMask.EcdsaP384,
        (LcpKeyAlgorithm.Ecc, _, _) when sig.Scheme == LcpSignatureScheme.Sm2 => LcpSignAlgorithmMask.Sm2,
        _ => LcpSignAlgorithmMask.None,
    };
}
