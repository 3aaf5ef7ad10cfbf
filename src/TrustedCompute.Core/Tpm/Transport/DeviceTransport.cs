using System.Runtime.Versioning;

namespace TrustedCompute.Tpm.Transport;

/// <summary>A Linux TPM character device: /dev/tpmrm0 (kernel resource manager) or /dev/tpm0.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class DeviceTransport : ITpmTransport
{
    private const int MaxResponseSize = 8192;
    private readonly FileStream _device;

    public DeviceTransport(string path)
    {
        Description = "device:" + path;
        try
        {
            _device = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new TpmTransportException($"Permission denied opening {path}: run as root or join the 'tss' group", e);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TpmTransportException($"No TPM device at {path}", e);
        }
        catch (IOException e)
        {
            throw new TpmTransportException($"Cannot open {path}: {e.Message}", e);
        }
    }

    /// <summary>/dev/tpmrm0 when present, else /dev/tpm0 (which only one process may hold).</summary>
    public static DeviceTransport OpenDefault() =>
        new(File.Exists("/dev/tpmrm0") || !File.Exists("/dev/tpm0") ? "/dev/tpmrm0" : "/dev/tpm0");

    public string Description { get; }

    public byte[] Transmit(ReadOnlySpan<byte> command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            _device.Write(command);
            var buffer = new byte[MaxResponseSize];
            int n = _device.Read(buffer);
            if (n < 10) throw new TpmProtocolException($"The TPM device returned {n} bytes, fewer than a response header");
            return buffer.AsSpan(0, n).ToArray();
        }
        catch (IOException e)
        {
            throw new TpmTransportException($"I/O error on {Description}: {e.Message}", e);
        }
    }

    public void Dispose() => _device.Dispose();
}
