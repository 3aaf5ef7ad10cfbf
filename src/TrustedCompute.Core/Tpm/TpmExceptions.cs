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

    /// <summary>The same TPM error, led by what the user can do about it.</summary>
    public TpmException(TpmCc command, uint responseCode, string advice, Exception? inner = null)
        : base($"{advice} (TPM2_{command} failed: {TpmResponseCode.Describe(responseCode)})", inner)
    {
        Command = command;
        ResponseCode = responseCode;
    }

    public uint BaseCode => TpmResponseCode.BaseCode(ResponseCode);

    public TpmException WithAdvice(string advice) => new(Command, ResponseCode, advice, this);

    public TpmCc Command { get; }
    public uint ResponseCode { get; }
    public string ResponseName => TpmResponseCode.Name(ResponseCode);
}

/// <summary>The transport to the TPM failed: absent device, permission denied, timeout, connection dropped.</summary>
public sealed class TpmTransportException(string message, Exception? inner = null) : Exception(message, inner);
