namespace TrustedCompute.Fleet;

/// <summary>The stable reason ids of a host whose evidence could not be collected; each makes the host Unknown.</summary>
public static class FleetReasonIds
{
    /// <summary>The host could not be reached (no route, connection refused or cut, SSH failed).</summary>
    public const string Unreachable = "collect.unreachable";
    /// <summary>The host refused our credentials (key, user, password).</summary>
    public const string Auth = "collect.auth";
    /// <summary>The host did not answer within the per-host timeout.</summary>
    public const string Timeout = "collect.timeout";
    /// <summary>The host was reached, but its TPM failed or could not be used.</summary>
    public const string Tpm = "collect.tpm";
    /// <summary>The host lacks PowerShell or the module, or has another version of the module.</summary>
    public const string Module = "collect.module";
    /// <summary>The sweep was stopped before the host was done.</summary>
    public const string Cancelled = "collect.cancelled";
    /// <summary>Anything else that went wrong while collecting (the message says what).</summary>
    public const string Failed = "collect.failed";
}
