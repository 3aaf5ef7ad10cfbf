namespace TrustedCompute.Txt;

/// <summary>A launch control policy as admins handle it: the NV part (.pol) and, for type List, its data (.data).</summary>
public sealed class LaunchControlPolicy
{
    public LaunchControlPolicy(LcpPolicy policy, LcpPolicyData? data)
    {
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        Data = data;
    }

    public LcpPolicy Policy { get; }
    public LcpPolicyData? Data { get; }

    /// <summary>Where it was read from or written to, if anywhere.</summary>
    public string? Path { get; set; }
    public string? DataPath { get; set; }

    public string Version => Policy.VersionText;
    public LcpPolicyType PolicyType => Policy.PolicyType;
    public LcpHashAlgorithm HashAlgorithm => Policy.HashAlgorithm;
    public string PolicyHash => Convert.ToHexString(Policy.PolicyHash);
    public int ListCount => Data?.Lists.Count ?? 0;

    /// <summary>
    /// Builds a policy over <paramref name="lists"/> (data-file order) from the settings in <paramref name="template"/>.
    /// Masks left at None are derived: the hash mask from the policy and element hash algorithms, the sign mask
    /// from the signed lists (RSA-2048/3072 SHA-256 and ECDSA P-256 when no list is signed).
    /// </summary>
    public static LaunchControlPolicy Create(LcpPolicy template, IReadOnlyList<LcpPolicyList> lists)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(lists);
        var policy = LcpPolicy.Parse(template.ToBytesWithZeroHash());
        LcpPolicyData? data = null;
        if (policy.PolicyType == LcpPolicyType.List)
        {
            if (lists.Count is 0 or > LcpPolicy.MaxLists) throw new ArgumentException($"A policy of type List needs 1 to 8 lists, not {lists.Count}.");
            if (lists.Any(l => l.Version == LcpPolicyList.Version100)) throw new ArgumentException("0x100 lists belong to TPM 1.2 policies; use 0x200, 0x201 or 0x300 lists.");
            data = new LcpPolicyData { Lists = [.. lists] };
            policy.PolicyHash = data.ComputePolicyHash(policy.HashAlgorithm);
        }
        else if (lists.Count > 0)
        {
            throw new ArgumentException("A policy of type Any takes no lists.");
        }
        if (policy.LcpHashAlgorithmMask == LcpHashAlgorithmMask.None)
        {
            var algs = lists.SelectMany(l => l.Elements).Select(HashOf).Append(policy.HashAlgorithm);
            policy.LcpHashAlgorithmMask = algs.Aggregate(LcpHashAlgorithmMask.None, (m, a) => m | LcpHash.MaskOf(a));
        }
        if (policy.LcpSignAlgorithmMask == LcpSignAlgorithmMask.None)
        {
            var mask = lists.Where(l => l.Signature is not null)
                .Aggregate(LcpSignAlgorithmMask.None, (m, l) => m | LcpPolicyTester.SignMaskOf(l.Signature!));
            policy.LcpSignAlgorithmMask = mask != LcpSignAlgorithmMask.None ? mask
                : LcpSignAlgorithmMask.Rsa2048Sha256 | LcpSignAlgorithmMask.Rsa3072Sha256 | LcpSignAlgorithmMask.EcdsaP256;
        }
        return new LaunchControlPolicy(policy, data);
    }

    public static LaunchControlPolicy Read(string path, string? dataPath)
    {
        var policy = LcpPolicy.Parse(ReadBounded(path));
        var data = dataPath is null ? null : LcpPolicyData.Parse(ReadBounded(dataPath));
        return new LaunchControlPolicy(policy, data) { Path = path, DataPath = dataPath };
    }

    /// <summary>Reads a file of at most 1 MiB (LCP files are far smaller; SINIT caps policy data at 64 KiB per list).</summary>
    public static byte[] ReadBounded(string path)
    {
        using var stream = File.OpenRead(path);
        if (stream.Length > 1 << 20) throw new LcpFormatException(System.IO.Path.GetFileName(path), $"{stream.Length} bytes is too large for an LCP file (at most 1 MiB)");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static LcpHashAlgorithm HashOf(LcpElement element) => element switch
    {
        LcpMleElement e => e.HashAlgorithm,
        LcpPconfElement e => e.Legacy ? LcpHashAlgorithm.Sha1 : e.HashAlgorithm,
        LcpSbiosElement e => e.HashAlgorithm,
        LcpStmElement e => e.HashAlgorithm,
        _ => LcpHashAlgorithm.Null,
    };
}
