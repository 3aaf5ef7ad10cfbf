namespace TrustedCompute.Tpm;

/// <summary>Malformed, truncated or oversized bytes from a TPM or from a TPM structure file.</summary>
public sealed class TpmProtocolException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The TPM answered a command with an error response code.</summary>
public sealed class TpmException : Exception
{
    public TpmException(TpmCc command, uint responseCode)
        : base($"TPM2_{command} failed: {TpmResponseCode.Describe(responseCode)}")
    {
        Command = command;
        ResponseCode = responseCode;
    }

    public TpmCc Command { get; }
    public uint ResponseCode { get; }
    public string ResponseName => TpmResponseCode.Name(ResponseCode);
}

/// <summary>The transport to the TPM failed: absent device, permission denied, timeout, connection dropped.</summary>
public sealed class TpmTransportException(string message, Exception? inner = null) : Exception(message, inner);
