namespace TrustedCompute.Tpm;

/// <summary>Decodes TPM_RC values (Part 2, 6.6) into a name, a meaning and the handle/parameter/session they blame.</summary>
public static class TpmResponseCode
{
    public const uint Success = 0;
    private const uint Format1 = 0x080;
    private const uint Version1 = 0x100;
    private const uint Warning = 0x900;

    private static readonly Dictionary<uint, (string Name, string Meaning)> Codes = new()
    {
        [0x100] = ("TPM_RC_INITIALIZE", "TPM not initialized by TPM2_Startup"),
        [0x101] = ("TPM_RC_FAILURE", "the TPM is in failure mode"),
        [0x103] = ("TPM_RC_SEQUENCE", "improper use of a sequence handle"),
        [0x10B] = ("TPM_RC_PRIVATE", "not currently used"),
        [0x119] = ("TPM_RC_HMAC", "not currently used"),
        [0x120] = ("TPM_RC_DISABLED", "the command is disabled"),
        [0x121] = ("TPM_RC_EXCLUSIVE", "the command failed because audit sequence required exclusivity"),
        [0x124] = ("TPM_RC_AUTH_TYPE", "authorization handle is not correct for the command"),
        [0x125] = ("TPM_RC_AUTH_MISSING", "the command requires an authorization session"),
        [0x126] = ("TPM_RC_POLICY", "policy failure in math operation or an invalid authPolicy value"),
        [0x127] = ("TPM_RC_PCR", "PCR check fail"),
        [0x128] = ("TPM_RC_PCR_CHANGED", "PCR have changed since checked"),
        [0x12D] = ("TPM_RC_UPGRADE", "the TPM is in field upgrade mode"),
        [0x12E] = ("TPM_RC_TOO_MANY_CONTEXTS", "context ID counter is at maximum"),
        [0x12F] = ("TPM_RC_AUTH_UNAVAILABLE", "authValue or authPolicy is not available for the selected entity"),
        [0x130] = ("TPM_RC_REBOOT", "a _TPM_Init and Startup(CLEAR) is required"),
        [0x131] = ("TPM_RC_UNBALANCED", "the protection algorithms are not reasonably balanced"),
        [0x142] = ("TPM_RC_COMMAND_SIZE", "command size does not match the bytes sent"),
        [0x143] = ("TPM_RC_COMMAND_CODE", "command code not supported"),
        [0x144] = ("TPM_RC_AUTHSIZE", "the authorization size is out of range"),
        [0x145] = ("TPM_RC_AUTH_CONTEXT", "use of an authorization session with a context command"),
        [0x146] = ("TPM_RC_NV_RANGE", "NV offset+size is out of range"),
        [0x147] = ("TPM_RC_NV_SIZE", "requested allocation size is larger than allowed"),
        [0x148] = ("TPM_RC_NV_LOCKED", "NV access locked"),
        [0x149] = ("TPM_RC_NV_AUTHORIZATION", "NV access authorization fails in command actions"),
        [0x14A] = ("TPM_RC_NV_UNINITIALIZED", "an NV Index is used before being initialized"),
        [0x14B] = ("TPM_RC_NV_SPACE", "insufficient space for NV allocation"),
        [0x14C] = ("TPM_RC_NV_DEFINED", "NV Index or persistent object already defined"),
        [0x150] = ("TPM_RC_BAD_CONTEXT", "context in TPM2_ContextLoad is not valid"),
        [0x151] = ("TPM_RC_CPHASH", "cpHash value already set or not correct for use"),
        [0x152] = ("TPM_RC_PARENT", "handle for parent is not a valid parent"),
        [0x153] = ("TPM_RC_NEEDS_TEST", "some function needs testing"),
        [0x154] = ("TPM_RC_NO_RESULT", "an internal function cannot process a request"),
        [0x155] = ("TPM_RC_SENSITIVE", "the sensitive area did not unmarshal correctly after decryption"),
        [0x081] = ("TPM_RC_ASYMMETRIC", "asymmetric algorithm not supported or not correct"),
        [0x082] = ("TPM_RC_ATTRIBUTES", "inconsistent attributes"),
        [0x083] = ("TPM_RC_HASH", "hash algorithm not supported or not appropriate"),
        [0x084] = ("TPM_RC_VALUE", "value is out of range or is not correct for the context"),
        [0x085] = ("TPM_RC_HIERARCHY", "hierarchy is not enabled or is not correct for the use"),
        [0x087] = ("TPM_RC_KEY_SIZE", "key size is not supported"),
        [0x088] = ("TPM_RC_MGF", "mask generation function not supported"),
        [0x089] = ("TPM_RC_MODE", "mode of operation not supported"),
        [0x08A] = ("TPM_RC_TYPE", "the type of the value is not appropriate for the use"),
        [0x08B] = ("TPM_RC_HANDLE", "the handle is not correct for the use"),
        [0x08C] = ("TPM_RC_KDF", "unsupported key derivation function"),
        [0x08D] = ("TPM_RC_RANGE", "value was out of allowed range"),
        [0x08E] = ("TPM_RC_AUTH_FAIL", "the authorization HMAC check failed and the DA counter incremented"),
        [0x08F] = ("TPM_RC_NONCE", "invalid nonce size or nonce value mismatch"),
        [0x090] = ("TPM_RC_PP", "authorization requires assertion of physical presence"),
        [0x092] = ("TPM_RC_SCHEME", "unsupported or incompatible scheme"),
        [0x095] = ("TPM_RC_SIZE", "structure is the wrong size"),
        [0x096] = ("TPM_RC_SYMMETRIC", "unsupported symmetric algorithm or key size"),
        [0x097] = ("TPM_RC_TAG", "incorrect structure tag"),
        [0x098] = ("TPM_RC_SELECTOR", "union selector is incorrect"),
        [0x09A] = ("TPM_RC_INSUFFICIENT", "the TPM was unable to unmarshal a value because there were not enough octets"),
        [0x09B] = ("TPM_RC_SIGNATURE", "the signature is not valid"),
        [0x09C] = ("TPM_RC_KEY", "key fields are not compatible with the selected use"),
        [0x09D] = ("TPM_RC_POLICY_FAIL", "a policy check failed"),
        [0x09F] = ("TPM_RC_INTEGRITY", "integrity check failed"),
        [0x0A0] = ("TPM_RC_TICKET", "invalid ticket"),
        [0x0A1] = ("TPM_RC_RESERVED_BITS", "reserved bits not set to zero as required"),
        [0x0A2] = ("TPM_RC_BAD_AUTH", "authorization failure without DA implications"),
        [0x0A3] = ("TPM_RC_EXPIRED", "the policy has expired"),
        [0x0A4] = ("TPM_RC_POLICY_CC", "the command code in the policy is not the command code of the command"),
        [0x0A5] = ("TPM_RC_BINDING", "public and sensitive portions of an object are not cryptographically bound"),
        [0x0A6] = ("TPM_RC_CURVE", "curve not supported"),
        [0x0A7] = ("TPM_RC_ECC_POINT", "point is not on the required curve"),
        [0x901] = ("TPM_RC_CONTEXT_GAP", "gap for context ID is too large"),
        [0x902] = ("TPM_RC_OBJECT_MEMORY", "out of memory for object contexts"),
        [0x903] = ("TPM_RC_SESSION_MEMORY", "out of memory for session contexts"),
        [0x904] = ("TPM_RC_MEMORY", "out of shared object/session memory"),
        [0x905] = ("TPM_RC_SESSION_HANDLES", "out of session handles"),
        [0x906] = ("TPM_RC_OBJECT_HANDLES", "out of object handles"),
        [0x907] = ("TPM_RC_LOCALITY", "bad locality"),
        [0x908] = ("TPM_RC_YIELDED", "the TPM has suspended operation on the command"),
        [0x909] = ("TPM_RC_CANCELED", "the command was canceled"),
        [0x90A] = ("TPM_RC_TESTING", "the TPM is performing self-tests"),
        [0x920] = ("TPM_RC_NV_RATE", "the TPM is rate-limiting accesses to prevent wearout of NV"),
        [0x921] = ("TPM_RC_LOCKOUT", "authorizations for objects subject to DA protection are not allowed: the TPM is in DA lockout"),
        [0x922] = ("TPM_RC_RETRY", "the TPM was not able to start the command"),
        [0x923] = ("TPM_RC_NV_UNAVAILABLE", "the command may require writing of NV and NV is not currently accessible"),
    };

    public const uint Handle = 0x08B;
    public const uint NvDefined = 0x14C;
    public const uint Locality = 0x907;

    /// <summary>The base code without the handle/parameter/session number.</summary>
    public static uint BaseCode(uint rc) => (rc & Format1) != 0 ? rc & 0xBF : rc;

    public static string Name(uint rc)
    {
        if (rc == Success) return "TPM_RC_SUCCESS";
        return Codes.TryGetValue(BaseCode(rc), out var entry) ? entry.Name : $"TPM_RC_0x{rc:X3}";
    }

    /// <summary>"TPM_RC_VALUE (0x000001C4): value is out of range ... (parameter 1)".</summary>
    public static string Describe(uint rc)
    {
        if (rc == Success) return "TPM_RC_SUCCESS (0x00000000)";
        string meaning = Codes.TryGetValue(BaseCode(rc), out var entry) ? entry.Meaning
            : (rc & 0x400) != 0 && (rc & Format1) == 0 ? "vendor-defined response code"
            : (rc & (Version1 | Format1)) == 0 ? "TPM 1.2 response code" : "unknown response code";
        return $"{Name(rc)} (0x{rc:X8}): {meaning}{Blame(rc)}";
    }

    /// <summary>For format-1 codes: which handle, parameter or session the TPM blames.</summary>
    public static string Blame(uint rc)
    {
        if ((rc & Format1) == 0) return string.Empty;
        uint n = (rc >> 8) & 0xF;
        if ((rc & 0x40) != 0) return $" (parameter {n})";
        if (n == 0) return string.Empty;
        return n < 8 ? $" (handle {n})" : $" (session {n - 8})";
    }

    public static bool IsWarning(uint rc) => (rc & Format1) == 0 && (rc & 0xF00) == Warning;
}
