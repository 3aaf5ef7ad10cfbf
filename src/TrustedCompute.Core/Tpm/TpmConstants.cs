namespace TrustedCompute.Tpm;

/// <summary>TPM_ALG_ID values we use (TPM 2.0 Library Part 2, table 9).</summary>
public enum TpmAlgId : ushort
{
    Error = 0x0000,
    Rsa = 0x0001,
    Sha1 = 0x0004,
    Hmac = 0x0005,
    Aes = 0x0006,
    KeyedHash = 0x0008,
    Xor = 0x000A,
    Sha256 = 0x000B,
    Sha384 = 0x000C,
    Sha512 = 0x000D,
    Null = 0x0010,
    Sm3_256 = 0x0012,
    RsaSsa = 0x0014,
    RsaEs = 0x0015,
    RsaPss = 0x0016,
    Oaep = 0x0017,
    EcDsa = 0x0018,
    EcDh = 0x0019,
    EcDaa = 0x001A,
    Ecc = 0x0023,
    SymCipher = 0x0025,
    Ctr = 0x0040,
    Ofb = 0x0041,
    Cbc = 0x0042,
    Cfb = 0x0043,
    Ecb = 0x0044,
}

/// <summary>TPM_CC values of the commands this client sends.</summary>
public enum TpmCc : uint
{
    NvUndefineSpace = 0x00000122,
    EvictControl = 0x00000120,
    NvDefineSpace = 0x0000012A,
    CreatePrimary = 0x00000131,
    NvWrite = 0x00000137,
    DictionaryAttackParameters = 0x0000013A,
    Startup = 0x00000144,
    Shutdown = 0x00000145,
    ActivateCredential = 0x00000147,
    NvRead = 0x0000014E,
    PolicySecret = 0x00000151,
    Create = 0x00000153,
    Load = 0x00000157,
    Quote = 0x00000158,
    FlushContext = 0x00000165,
    NvReadPublic = 0x00000169,
    ReadPublic = 0x00000173,
    StartAuthSession = 0x00000176,
    GetCapability = 0x0000017A,
    GetRandom = 0x0000017B,
    PcrRead = 0x0000017E,
    PcrExtend = 0x00000182,
}

/// <summary>TPM_ST structure tags.</summary>
public enum TpmSt : ushort
{
    RspCommand = 0x00C4,
    NoSessions = 0x8001,
    Sessions = 0x8002,
    AttestQuote = 0x8018,
    AttestCertify = 0x8017,
}

public enum TpmCap : uint
{
    Algs = 0x00000000,
    Handles = 0x00000001,
    Commands = 0x00000002,
    Pcrs = 0x00000005,
    TpmProperties = 0x00000006,
}

/// <summary>TPM_ECC_CURVE identifiers.</summary>
public enum TpmEccCurve : ushort
{
    None = 0x0000,
    NistP256 = 0x0003,
    NistP384 = 0x0004,
    NistP521 = 0x0005,
}

/// <summary>Well-known handles.</summary>
public static class TpmHandles
{
    public const uint Owner = 0x40000001;
    public const uint Null = 0x40000007;
    public const uint PasswordSession = 0x40000009;
    public const uint Lockout = 0x4000000A;
    public const uint Endorsement = 0x4000000B;
    public const uint Platform = 0x4000000C;

    public const uint NvIndexFirst = 0x01000000;
    public const uint PersistentFirst = 0x81000000;
    public const uint TransientFirst = 0x80000000;

    public const uint EkCertRsa2048 = 0x01C00002;
    public const uint EkNonceRsa2048 = 0x01C00003;
    public const uint EkCertEccP256 = 0x01C0000A;
    public const uint EkNonceEccP256 = 0x01C0000B;
    public const uint EkCertRsa2048High = 0x01C00012;
    public const uint EkCertEccP256High = 0x01C00014;
    public const uint EkCertEccP384High = 0x01C00016;
    public const uint EkCertRsa3072High = 0x01C0001C;

    public const uint EkPersistentRsa = 0x81010001;
    public const uint DefaultAttestationKey = 0x81010002;
}

/// <summary>TPM_PT property tags read through GetCapability(TPM_PROPERTIES).</summary>
public static class TpmPt
{
    public const uint FamilyIndicator = 0x100;
    public const uint Level = 0x101;
    public const uint Revision = 0x102;
    public const uint DayOfYear = 0x103;
    public const uint Year = 0x104;
    public const uint Manufacturer = 0x105;
    public const uint VendorString1 = 0x106;
    public const uint VendorString2 = 0x107;
    public const uint VendorString3 = 0x108;
    public const uint VendorString4 = 0x109;
    public const uint VendorTpmType = 0x10A;
    public const uint FirmwareVersion1 = 0x10B;
    public const uint FirmwareVersion2 = 0x10C;
    public const uint InputBuffer = 0x10D;
    public const uint PcrCount = 0x112;
    public const uint MaxCommandSize = 0x11E;
    public const uint MaxResponseSize = 0x11F;
    public const uint MaxDigest = 0x120;
    public const uint NvBufferMax = 0x12C;
    public const uint Permanent = 0x200;
    public const uint StartupClear = 0x201;
}
