using System.Security.Cryptography;
using TrustedCompute.Tpm.Transport;

namespace TrustedCompute.Tpm;

/// <summary>An authorization for one handle of a command: a password, or a policy session the caller prepared.</summary>
public sealed record TpmAuth(uint SessionHandle, byte[] Secret)
{
    public static TpmAuth Password(byte[]? password = null) => new(TpmHandles.PasswordSession, password ?? []);
    public static TpmAuth Policy(uint sessionHandle) => new(sessionHandle, []);
    public static readonly TpmAuth Empty = Password();
}

/// <summary>
/// TPM 2.0 commands over one transport. Each method marshals one command, checks the response header and code
/// (<see cref="TpmException"/>), and parses the response with strict bounds (<see cref="TpmProtocolException"/>).
/// Not thread-safe: one client, one caller at a time.
/// </summary>
public sealed partial class TpmClient : IDisposable
{
    public const int MaxResponseSize = 64 * 1024;
    private readonly ITpmTransport _transport;
    private bool _started;

    public TpmClient(ITpmTransport transport) => _transport = transport;

    /// <summary>Opens the TPM a connection string names (see <see cref="TpmTransportFactory"/>).</summary>
    public static TpmClient Open(string? connection) => new(TpmTransportFactory.Open(connection));

    public string Description => _transport.Description;

    public byte Locality => _transport.Locality;

    /// <summary>Sends a command; on TPM_RC_INITIALIZE sends Startup(CLEAR) once and tries again.</summary>
    internal TpmReader Execute(TpmCc command, uint[] handles, TpmAuth[] auths, ReadOnlySpan<byte> parameters,
        int responseHandles, out uint[] outHandles, CancellationToken cancellationToken)
    {
        byte[] request = BuildCommand(command, handles, auths, parameters);
        byte[] response = _transport.Transmit(request, cancellationToken);
        if (PeekResponseCode(response) == 0x100 && !_started && command != TpmCc.Startup)
        {
            Startup(cancellationToken);
            response = _transport.Transmit(request, cancellationToken);
        }
        for (int attempt = 1; attempt <= MaxRetries && IsTransient(PeekResponseCode(response)); attempt++)
        {
            cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(10 * attempt));
            cancellationToken.ThrowIfCancellationRequested();
            response = _transport.Transmit(request, cancellationToken);
        }
        _started = true;
        return ParseResponse(command, response, auths.Length > 0, responseHandles, out outHandles);
    }

    internal TpmReader Execute(TpmCc command, uint[] handles, TpmAuth[] auths, ReadOnlySpan<byte> parameters, CancellationToken cancellationToken) =>
        Execute(command, handles, auths, parameters, 0, out _, cancellationToken);

    internal static byte[] BuildCommand(TpmCc command, uint[] handles, TpmAuth[] auths, ReadOnlySpan<byte> parameters)
    {
        var w = new TpmWriter();
        w.UInt16((ushort)(auths.Length > 0 ? TpmSt.Sessions : TpmSt.NoSessions)).UInt32(0).UInt32((uint)command);
        foreach (uint h in handles) w.UInt32(h);
        if (auths.Length > 0)
        {
            var area = new TpmWriter();
            foreach (var a in auths)
            {
                bool policy = a.SessionHandle != TpmHandles.PasswordSession;
                area.UInt32(a.SessionHandle).Sized(policy ? RandomNumberGenerator.GetBytes(32) : []).Byte(0).Sized(a.Secret);
            }
            w.UInt32((uint)area.Length).Bytes(area.AsSpan());
        }
        w.Bytes(parameters);
        w.PatchUInt32(2, (uint)w.Length);
        return w.ToArray();
    }

    private const int MaxRetries = 20;

    // TPM_RC_RETRY, TPM_RC_YIELDED, TPM_RC_TESTING: the command may simply be sent again.
    private static bool IsTransient(uint rc) => rc is 0x922 or 0x908 or 0x90A;

    private static uint PeekResponseCode(byte[] response) =>
        response.Length >= 10 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(response.AsSpan(6)) : 0;

    /// <summary>Checks the header (tag, size, code) and returns a reader positioned on the response parameters.</summary>
    internal static TpmReader ParseResponse(TpmCc command, byte[] response, bool withSessions, int responseHandles, out uint[] outHandles)
    {
        if (response.Length > MaxResponseSize) throw new TpmProtocolException($"TPM2_{command} response of {response.Length} bytes exceeds {MaxResponseSize}");
        var r = new TpmReader(response);
        var tag = (TpmSt)r.ReadUInt16("response.tag");
        uint size = r.ReadUInt32("response.size");
        uint rc = r.ReadUInt32("response.responseCode");
        if (size != response.Length) throw new TpmProtocolException($"TPM2_{command} response size field {size} does not match the {response.Length} bytes received");
        if (rc != TpmResponseCode.Success)
        {
            if (tag is not (TpmSt.NoSessions or TpmSt.RspCommand)) throw new TpmProtocolException($"TPM2_{command} error response has tag 0x{(ushort)tag:X4}");
            throw new TpmException(command, rc);
        }
        var expected = withSessions ? TpmSt.Sessions : TpmSt.NoSessions;
        if (tag != expected) throw new TpmProtocolException($"TPM2_{command} response tag 0x{(ushort)tag:X4}, expected 0x{(ushort)expected:X4}");
        outHandles = new uint[responseHandles];
        for (int i = 0; i < responseHandles; i++) outHandles[i] = r.ReadUInt32("response.handle");
        if (!withSessions) return r;
        uint parameterSize = r.ReadUInt32("response.parameterSize");
        if (parameterSize > r.Remaining) throw new TpmProtocolException($"TPM2_{command} parameterSize {parameterSize} exceeds the {r.Remaining} bytes left");
        return new TpmReader(r.ReadBytes((int)parameterSize, "response.parameters"));
    }

    public void Dispose() => _transport.Dispose();
}
