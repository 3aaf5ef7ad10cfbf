namespace TrustedCompute.Tpm.Transport;

/// <summary>Sends one TPM command and returns its response. One implementation per platform or simulator.</summary>
public interface ITpmTransport : IDisposable
{
    /// <summary>What this transport talks to, e.g. "swtpm:host=127.0.0.1,port=2321".</summary>
    string Description { get; }

    /// <summary>The locality commands are sent at; only a simulator lets the caller choose.</summary>
    byte Locality => 0;

    /// <summary>Sends a complete command; throws <see cref="TpmTransportException"/> on I/O failure or timeout.</summary>
    byte[] Transmit(ReadOnlySpan<byte> command, CancellationToken cancellationToken);
}
