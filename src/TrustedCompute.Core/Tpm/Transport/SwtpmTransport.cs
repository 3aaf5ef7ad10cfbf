using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace TrustedCompute.Tpm.Transport;

/// <summary>
/// The TPM simulator's TCP command port (swtpm, and the Microsoft/IBM simulators): request
/// <c>u32 TPM_SEND_COMMAND(8) | u8 locality | u32 length | command</c>, reply <c>u32 length | response | u32 0</c>.
/// </summary>
public sealed class SwtpmTransport : ITpmTransport
{
    private const uint SendCommand = 8;
    public const int MaxResponseSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte _locality;
    private readonly TimeSpan _timeout;

    public SwtpmTransport(string host, int port, byte locality = 0, TimeSpan? timeout = null)
    {
        _locality = locality;
        _timeout = timeout ?? TimeSpan.FromSeconds(30);
        Description = $"swtpm:host={host},port={port}" + (locality != 0 ? $",locality={locality}" : "");
        try
        {
            using var cts = new CancellationTokenSource(_timeout);
            var address = IPAddress.TryParse(host, out var ip) ? ip
                : Dns.GetHostAddressesAsync(host, cts.Token).GetAwaiter().GetResult().First();
            _socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try { _socket.ConnectAsync(new IPEndPoint(address, port), cts.Token).AsTask().GetAwaiter().GetResult(); }
            catch { _socket.Dispose(); throw; }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or InvalidOperationException)
        {
            throw new TpmTransportException($"Cannot connect to the TPM simulator at {host}:{port}: {e.Message}", e);
        }
        _stream = new NetworkStream(_socket, ownsSocket: true);
    }

    public string Description { get; }

    public byte[] Transmit(ReadOnlySpan<byte> command, CancellationToken cancellationToken)
    {
        var frame = new byte[9 + command.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, SendCommand);
        frame[4] = _locality;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), (uint)command.Length);
        command.CopyTo(frame.AsSpan(9));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            _stream.WriteAsync(frame, timeout.Token).AsTask().GetAwaiter().GetResult();
            var header = ReadExactly(4, timeout.Token);
            uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (length > MaxResponseSize) throw new TpmProtocolException($"Simulator response length {length} exceeds {MaxResponseSize}");
            var response = ReadExactly((int)length, timeout.Token);
            var trailer = ReadExactly(4, timeout.Token);
            uint status = BinaryPrimitives.ReadUInt32BigEndian(trailer);
            if (status != 0) throw new TpmTransportException($"The simulator reported transport error {status}");
            return response;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Poison();
            throw new TpmTransportException($"The TPM at {Description} did not answer within {_timeout.TotalSeconds:0.#} s");
        }
        catch (OperationCanceledException)
        {
            Poison();
            throw;
        }
        catch (IOException e)
        {
            Poison();
            throw new TpmTransportException($"Connection to the TPM at {Description} failed: {e.Message}", e);
        }
    }

    private byte[] ReadExactly(int count, CancellationToken token)
    {
        var buffer = new byte[count];
        int read = 0;
        while (read < count)
        {
            int n = _stream.ReadAsync(buffer.AsMemory(read), token).AsTask().GetAwaiter().GetResult();
            if (n == 0) throw new TpmTransportException($"The TPM at {Description} closed the connection mid-response");
            read += n;
        }
        return buffer;
    }

    // A half-read response leaves the stream out of step: never reuse it.
    private void Poison() => Dispose();

    public void Dispose()
    {
        try { _socket.Shutdown(SocketShutdown.Both); }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        _stream.Dispose();
    }
}
