namespace TrustedCompute.Txt;

/// <summary>LCP_POLICY2 (versions 3.0-3.2): the part that lives in the TPM's NV index.</summary>
public sealed class LcpPolicy
{
    public const int MaxLists = 8;
    internal const int FixedSize = 38;

    public ushort Version { get; set; } = 0x0302;
    public LcpHashAlgorithm HashAlgorithm { get; set; } = LcpHashAlgorithm.Sha256;
    public LcpPolicyType PolicyType { get; set; } = LcpPolicyType.List;
    public byte SinitMinVersion { get; set; }
    public ushort[] DataRevocationCounters { get; set; } = new ushort[MaxLists];
    public LcpPolicyControl PolicyControl { get; set; }
    public byte MaxSinitMinVersion { get; set; } = 0xFF;
    public byte MaxBiosAcMinVersion { get; set; }
    public LcpHashAlgorithmMask LcpHashAlgorithmMask { get; set; } = LcpHashAlgorithmMask.Sha256;
    public LcpSignAlgorithmMask LcpSignAlgorithmMask { get; set; }
    public ushort AuxHashAlgorithmMask { get; set; }
    public ushort Reserved2 { get; set; }

    /// <summary>H(concatenated list hashes) for type List; zeros for type Any.</summary>
    public byte[] PolicyHash { get; set; } = new byte[32];

    public string VersionText => $"{Version >> 8}.{Version & 0xFF}";

    public byte[] ToBytes()
    {
        if (Version is < 0x0300 or > 0x0302) throw new ArgumentException($"Policy version 0x{Version:X4} is not supported (3.0, 3.1, 3.2).");
        if (DataRevocationCounters.Length != MaxLists) throw new ArgumentException("DataRevocationCounters must have 8 entries.");
        if (PolicyHash.Length != LcpHash.DigestSize(HashAlgorithm)) throw new ArgumentException($"PolicyHash must have {LcpHash.DigestSize(HashAlgorithm)} bytes for {HashAlgorithm}.");
        var w = new LcpWriter();
        w.U16(Version);
        w.U16((ushort)HashAlgorithm);
        w.U8((byte)PolicyType);
        w.U8(SinitMinVersion);
        foreach (var counter in DataRevocationCounters) w.U16(counter);
        w.U32((uint)PolicyControl);
        w.U8(MaxSinitMinVersion);
        w.U8(MaxBiosAcMinVersion);
        w.U16((ushort)LcpHashAlgorithmMask);
        w.U32((uint)LcpSignAlgorithmMask);
        w.U16(AuxHashAlgorithmMask);
        w.U16(Reserved2);
        w.Bytes(PolicyHash);
        return w.ToArray();
    }

    /// <summary>A copy's bytes with a zero PolicyHash of the right size (used to clone settings).</summary>
    internal byte[] ToBytesWithZeroHash()
    {
        var saved = PolicyHash;
        PolicyHash = new byte[LcpHash.DigestSize(HashAlgorithm)];
        try { return ToBytes(); } finally { PolicyHash = saved; }
    }

    /// <summary>Parses an NV index's contents: the policy, then only zero bytes when the index is larger.</summary>
    public static LcpPolicy ParseNv(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ushort alg = bytes.Length >= 4 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2)) : (ushort)0;
        if (LcpHash.IsKnown(alg))
        {
            int size = FixedSize + LcpHash.DigestSize((LcpHashAlgorithm)alg);
            if (bytes.Length > size)
            {
                if (bytes.AsSpan(size).ContainsAnyExcept((byte)0)) throw new LcpFormatException("Policy.PolicyHash", $"non-zero bytes follow the {size}-byte policy in the NV index");
                return Parse(bytes[..size]);
            }
        }
        return Parse(bytes);
    }

    public static LcpPolicy Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var r = new LcpReader(bytes, "Policy");
        var p = new LcpPolicy { Version = r.U16("Version") };
        r.Expect(p.Version is >= 0x0300 and <= 0x0302, "Version", $"0x{p.Version:X4} is not an LCP_POLICY2 version (0x0300-0x0302)");
        p.HashAlgorithm = LcpElement.ReadHashAlgorithm(r, "HashAlg");
        byte type = r.U8("PolicyType");
        r.Expect(type <= 1, "PolicyType", $"{type} is neither LIST (0) nor ANY (1)");
        p.PolicyType = (LcpPolicyType)type;
        p.SinitMinVersion = r.U8("SINITMinVersion");
        for (int i = 0; i < MaxLists; i++) p.DataRevocationCounters[i] = r.U16($"DataRevocationCounters[{i}]");
        p.PolicyControl = (LcpPolicyControl)r.U32("PolicyControl");
        p.MaxSinitMinVersion = r.U8("MaxSinitMinVersion");
        p.MaxBiosAcMinVersion = r.U8("MaxBiosacMinVersion");
        p.LcpHashAlgorithmMask = (LcpHashAlgorithmMask)r.U16("LcpHashAlgMask");
        p.LcpSignAlgorithmMask = (LcpSignAlgorithmMask)r.U32("LcpSignAlgMask");
        p.AuxHashAlgorithmMask = r.U16("AuxHashAlgMask");
        p.Reserved2 = r.U16("Reserved2");
        p.PolicyHash = r.Bytes(LcpHash.DigestSize(p.HashAlgorithm), "PolicyHash");
        r.End("PolicyHash");
        return p;
    }
}

/// <summary>LCP_POLICY_DATA: the file the boot loader hands to SINIT, holding up to 8 lists.</summary>
public sealed class LcpPolicyData
{
    public const string FileSignature = "Intel(R) TXT LCP_POLICY_DATA";

    public List<LcpPolicyList> Lists { get; set; } = [];

    public byte[] ToBytes()
    {
        if (Lists.Count is 0 or > LcpPolicy.MaxLists) throw new ArgumentException($"Policy data holds 1 to 8 lists, not {Lists.Count}.");
        var w = new LcpWriter();
        var signature = new byte[32];
        System.Text.Encoding.ASCII.GetBytes(FileSignature).CopyTo(signature, 0);
        w.Bytes(signature);
        w.Zeros(3);
        w.U8((byte)Lists.Count);
        foreach (var list in Lists) w.Bytes(list.ToBytes());
        return w.ToArray();
    }

    /// <summary>H(list hash 1 | ... | list hash n) in data-file order.</summary>
    public byte[] ComputePolicyHash(LcpHashAlgorithm algorithm) =>
        LcpHash.Compute(algorithm, Lists.SelectMany(list => list.ComputeHash(algorithm)).ToArray());

    public static LcpPolicyData Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var r = new LcpReader(bytes, "PolicyData");
        var signature = r.Span(32, "FileSignature");
        var expected = new byte[32];
        System.Text.Encoding.ASCII.GetBytes(FileSignature).CopyTo(expected, 0);
        r.Expect(signature.SequenceEqual(expected), "FileSignature", $"is not \"{FileSignature}\"");
        r.Span(3, "Reserved");
        int count = r.U8("NumLists");
        r.Expect(count is >= 1 and <= LcpPolicy.MaxLists, "NumLists", $"{count} is outside 1..8");
        var data = new LcpPolicyData();
        for (int i = 0; i < count; i++)
        {
            var nested = r.Nested($"Lists[{i}]");
            data.Lists.Add(LcpPolicyList.Read(nested));
            r.MoveTo(nested);
        }
        r.End("NumLists");
        return data;
    }
}
