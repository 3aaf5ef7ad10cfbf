using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace TrustedCompute.Tpm.Transport;

/// <summary>Windows TPM Base Services (tbs.dll): a TPM 2.0 context, commands submitted at locality 0.</summary>
[SupportedOSPlatform("windows")]
public sealed partial class TbsTransport : ITpmTransport
{
    private const uint TbsSuccess = 0;
    private const uint LocalityZero = 0;
    private const uint PriorityNormal = 200;
    private const int MaxResponseSize = 8192;

    private IntPtr _context;

    public TbsTransport()
    {
        var parameters = ContextParams.ForTpm20();
        uint rc = Tbsi_Context_Create(ref parameters, out _context);
        if (rc != TbsSuccess) throw new TpmTransportException($"Tbsi_Context_Create failed: {DescribeTbsResult(rc)}");
    }

    public string Description => "tbs:";

    public byte[] Transmit(ReadOnlySpan<byte> command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var response = new byte[MaxResponseSize];
        uint length = (uint)response.Length;
        uint rc = Tbsip_Submit_Command(_context, LocalityZero, PriorityNormal, command.ToArray(), (uint)command.Length, response, ref length);
        if (rc != TbsSuccess) throw new TpmTransportException($"Tbsip_Submit_Command failed: {DescribeTbsResult(rc)}");
        return response.AsSpan(0, (int)length).ToArray();
    }

    public void Dispose()
    {
        if (_context != IntPtr.Zero) Tbsip_Context_Close(_context);
        _context = IntPtr.Zero;
    }

    /// <summary>TBS_CONTEXT_PARAMS2: version 2 and the includeTpm20 flag.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ContextParams
    {
        public uint Version;
        public uint Flags;

        public const uint IncludeTpm20 = 1u << 2;

        public static ContextParams ForTpm20() => new() { Version = 2, Flags = IncludeTpm20 };
    }

    internal static string DescribeTbsResult(uint rc) => rc switch
    {
        0x80284001 => "TBS_E_INTERNAL_ERROR",
        0x80284002 => "TBS_E_BAD_PARAMETER",
        0x80284004 => "TBS_E_INVALID_CONTEXT",
        0x80284005 => "TBS_E_INSUFFICIENT_BUFFER",
        0x80284006 => "TBS_E_IOERROR",
        0x80284008 => "TBS_E_SERVICE_NOT_RUNNING (the TPM Base Services service is stopped)",
        0x8028400F => "TBS_E_TPM_NOT_FOUND (no TPM on this machine)",
        0x80284010 => "TBS_E_SERVICE_DISABLED",
        0x80284012 => "TBS_E_ACCESS_DENIED (run elevated)",
        0x80284016 => "TBS_E_NO_EVENT_LOG",
        _ => $"TBS error 0x{rc:X8}",
    };

    [LibraryImport("tbs.dll")]
    private static partial uint Tbsi_Context_Create(ref ContextParams parameters, out IntPtr context);

    [LibraryImport("tbs.dll")]
    private static partial uint Tbsip_Context_Close(IntPtr context);

    [LibraryImport("tbs.dll")]
    private static partial uint Tbsip_Submit_Command(IntPtr context, uint locality, uint priority,
        byte[] command, uint commandLength, [Out] byte[] result, ref uint resultLength);
}
