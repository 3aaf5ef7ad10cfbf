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
            int ms = (int)Math.Min(int.MaxValue, _timeout.TotalMilliseconds);
            _socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = ms, SendTimeout = ms };
            try { _socket.ConnectAsync(new IPEndPoint(address, port), cts.Token).AsTask().GetAwaiter().GetResult(); }
            catch { _socket.Dispose(); throw; }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or InvalidOperationException)
        {
            throw new TpmTransportException($"Cannot connect to the TPM simulator at {host}:{port}: {e.Message}", e);
        }
    }

    public string Description { get; }

    public byte Locality => _locality;

    /// <summary>
    /// Blocking socket calls on the caller's thread (no thread hops: this is the hot path of a quote). The
    /// timeout bounds every wait for the simulator; cancellation shuts the socket down to end a blocked wait.
    /// </summary>
    public byte[] Transmit(ReadOnlySpan<byte> command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var frame = new byte[9 + command.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, SendCommand);
        frame[4] = _locality;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), (uint)command.Length);
        command.CopyTo(frame.AsSpan(9));

        using var registration = cancellationToken.Register(static s => ((SwtpmTransport)s!).Shutdown(), this);
        try
        {
            _socket.Send(frame);
            Span<byte> word = stackalloc byte[4];
            ReceiveExactly(word);
            uint length = BinaryPrimitives.ReadUInt32BigEndian(word);
            if (length > MaxResponseSize) throw new TpmProtocolException($"Simulator response length {length} exceeds {MaxResponseSize}");
            var response = new byte[length];
            ReceiveExactly(response);
            ReceiveExactly(word);
            uint status = BinaryPrimitives.ReadUInt32BigEndian(word);
            if (status != 0) throw new TpmTransportException($"The simulator reported transport error {status}");
            return response;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or TpmTransportException && cancellationToken.IsCancellationRequested)
        {
            Dispose();
            throw new OperationCanceledException("The TPM command was cancelled", e, cancellationToken);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            Dispose();
            throw new TpmTransportException($"The TPM at {Description} did not answer within {_timeout.TotalSeconds:0.#} s", e);
        }
        catch (SocketException e)
        {
            Dispose();
            throw new TpmTransportException($"Connection to the TPM at {Description} failed: {e.Message}", e);
        }
    }

    private void ReceiveExactly(Span<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            int n = _socket.Receive(buffer);
            if (n == 0) throw new TpmTransportException($"The TPM at {Description} closed the connection mid-response");
            buffer = buffer[n..];
        }
    }

    private void Shutdown()
    {
        try { _socket.Shutdown(SocketShutdown.Both); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    public void Dispose()
    {
        Shutdown();
        _socket.Dispose();
    }
}
