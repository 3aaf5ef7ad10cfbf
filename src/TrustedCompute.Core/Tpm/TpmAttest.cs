namespace TrustedCompute.Tpm;

/// <summary>TPMS_ATTEST of a quote (TPM_ST_ATTEST_QUOTE), with the raw bytes the signature covers.</summary>
public sealed record TpmAttest
{
    public const uint GeneratedValue = 0xFF544347;
    public const int MaxSize = 2048;

    public required byte[] Raw { get; init; }
    public uint Magic { get; init; }
    public TpmSt Type { get; init; }
    public byte[] QualifiedSigner { get; init; } = [];
    public byte[] ExtraData { get; init; } = [];
    public ulong Clock { get; init; }
    public uint ResetCount { get; init; }
    public uint RestartCount { get; init; }
    public bool Safe { get; init; }
    public ulong FirmwareVersion { get; init; }
    public IReadOnlyList<PcrSelection> PcrSelections { get; init; } = [];
    public byte[] PcrDigest { get; init; } = [];

    public override string ToString() =>
        $"Quote of {string.Join(" ", PcrSelections)}, digest {Convert.ToHexString(PcrDigest).ToLowerInvariant()}, " +
        $"reset {ResetCount}, restart {RestartCount}, clock {Clock}";

    /// <summary>Parses TPMS_ATTEST bytes (as signed). Only quotes carry a PCR selection; other types are rejected.</summary>
    public static TpmAttest Parse(byte[] raw)
    {
        if (raw.Length > MaxSize) throw new TpmProtocolException($"TPMS_ATTEST of {raw.Length} bytes exceeds {MaxSize}");
        var r = new TpmReader(raw);
        uint magic = r.ReadUInt32("TPMS_ATTEST.magic");
        if (magic != GeneratedValue) throw new TpmProtocolException($"TPMS_ATTEST.magic 0x{magic:X8} is not TPM_GENERATED_VALUE");
        var type = (TpmSt)r.ReadUInt16("TPMS_ATTEST.type");
        if (type != TpmSt.AttestQuote) throw new TpmProtocolException($"TPMS_ATTEST.type 0x{(ushort)type:X4} is not TPM_ST_ATTEST_QUOTE");
        var attest = new TpmAttest
        {
            Raw = raw,
            Magic = magic,
            Type = type,
            QualifiedSigner = r.ReadSized("TPMS_ATTEST.qualifiedSigner", 2 + 64),
            ExtraData = r.ReadSized("TPMS_ATTEST.extraData", 64),
            Clock = r.ReadUInt64("TPMS_CLOCK_INFO.clock"),
            ResetCount = r.ReadUInt32("TPMS_CLOCK_INFO.resetCount"),
            RestartCount = r.ReadUInt32("TPMS_CLOCK_INFO.restartCount"),
            Safe = ReadYesNo(r),
            FirmwareVersion = r.ReadUInt64("TPMS_ATTEST.firmwareVersion"),
            PcrSelections = PcrSelection.ReadList(r),
            PcrDigest = r.ReadSized("TPMS_QUOTE_INFO.pcrDigest", 64),
        };
        r.ExpectEnd("TPMS_ATTEST");
        return attest;
    }

    private static bool ReadYesNo(TpmReader r)
    {
        byte b = r.ReadByte("TPMS_CLOCK_INFO.safe");
        return b switch { 0 => false, 1 => true, _ => throw new TpmProtocolException($"TPMS_CLOCK_INFO.safe {b} is not a TPMI_YES_NO") };
    }
}

/// <summary>TPMT_SIGNATURE for RSASSA, RSAPSS and ECDSA.</summary>
public sealed record TpmSignature(TpmAlgId Algorithm, TpmAlgId Hash, byte[] Rsa, byte[] EcR, byte[] EcS)
{
    public override string ToString() => Algorithm == TpmAlgId.EcDsa
        ? $"{Algorithm}/{Hash} r={Hex(EcR)} s={Hex(EcS)}"
        : $"{Algorithm}/{Hash} {Hex(Rsa)}";

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    public static TpmSignature Parse(TpmReader r)
    {
        var alg = r.ReadAlg("TPMT_SIGNATURE.sigAlg");
        if (alg is not (TpmAlgId.RsaSsa or TpmAlgId.RsaPss or TpmAlgId.EcDsa))
            throw new TpmProtocolException($"TPMT_SIGNATURE.sigAlg 0x{(ushort)alg:X4} is not RSASSA, RSAPSS or ECDSA");
        var hash = r.ReadAlg("TPMT_SIGNATURE.hash");
        if (!TpmHash.IsHash(hash)) throw new TpmProtocolException($"TPMT_SIGNATURE.hash 0x{(ushort)hash:X4} is not a hash algorithm");
        return alg == TpmAlgId.EcDsa
            ? new TpmSignature(alg, hash, [], r.ReadSized("TPMS_SIGNATURE_ECC.signatureR", 66), r.ReadSized("TPMS_SIGNATURE_ECC.signatureS", 66))
            : new TpmSignature(alg, hash, r.ReadSized("TPMS_SIGNATURE_RSA.sig", 512), [], []);
    }

    public static TpmSignature Parse(byte[] bytes)
    {
        var r = new TpmReader(bytes);
        var s = Parse(r);
        r.ExpectEnd("TPMT_SIGNATURE");
        return s;
    }

    public byte[] Marshal()
    {
        var w = new TpmWriter().Alg(Algorithm).Alg(Hash);
        return (Algorithm == TpmAlgId.EcDsa ? w.Sized(EcR).Sized(EcS) : w.Sized(Rsa)).ToArray();
    }
}
