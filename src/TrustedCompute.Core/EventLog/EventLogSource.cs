using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace TrustedCompute.EventLog;

/// <summary>Where event logs come from: a file, the Linux securityfs log, or Windows TBS.</summary>
public static class EventLogSource
{
    public const string LinuxPath = "/sys/kernel/security/tpm0/binary_bios_measurements";

    /// <summary>How the local log is named where a source is shown.</summary>
    public static string LocalName => OperatingSystem.IsWindows() ? "tbs:SRTM" : LinuxPath;

    /// <summary>Parses a log file, streaming: a large junk file fails at its first bad field without being read whole.</summary>
    public static TcgEventLog ReadFile(string path, EventLogParseOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= EventLogParseOptions.Default;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024);
        if (stream.CanSeek && stream.Length > 0) return TcgEventLog.Parse(stream, options, cancellationToken);
        // Pseudo files (securityfs) report length 0, and FIFOs cannot seek: read to the end, bounded by the maximum log size.
        return TcgEventLog.Parse(ReadBounded(stream, options.MaxLogSize, path), options, cancellationToken);
    }

    /// <summary>This machine's measured-boot log (SRTM, current boot).</summary>
    public static TcgEventLog ReadLocal(EventLogParseOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (OperatingSystem.IsWindows()) return TcgEventLog.Parse(WindowsTbs.ReadLog(), options, cancellationToken);
        if (OperatingSystem.IsLinux())
        {
            if (!File.Exists(LinuxPath))
                throw new FileNotFoundException($"No TPM event log at {LinuxPath}: no TPM, securityfs not mounted, or firmware without a TCG2 log", LinuxPath);
            try
            {
                return ReadFile(LinuxPath, options, cancellationToken);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new UnauthorizedAccessException($"Reading {LinuxPath} needs root (or read access to securityfs): {ex.Message}", ex);
            }
        }
        throw new PlatformNotSupportedException("Reading the local TPM event log is supported on Linux and Windows; use a file path elsewhere");
    }

    private static byte[] ReadBounded(Stream stream, long max, string path)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int n;
        while ((n = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + n > max) throw new InvalidDataException($"{path} is larger than the maximum log size {max}");
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    [SupportedOSPlatform("windows")]
    private static class WindowsTbs
    {
        private const uint SrtmCurrent = 0;
        private const uint Success = 0;
        private const uint NoEventLog = 0x80284011;

        [DllImport("tbs.dll", ExactSpelling = true)]
        private static extern uint Tbsi_Get_TCG_Log_Ex(uint logType, byte[]? output, ref uint outputLength);

        public static byte[] ReadLog()
        {
            uint size = 0;
            uint rc = Tbsi_Get_TCG_Log_Ex(SrtmCurrent, null, ref size);
            if (rc == NoEventLog) throw new FileNotFoundException("TBS reports no measured-boot log (TBS_E_NO_EVENT_LOG)");
            if (rc != Success || size == 0) throw new IOException($"Tbsi_Get_TCG_Log_Ex failed with 0x{rc:x8}");
            var log = new byte[size];
            rc = Tbsi_Get_TCG_Log_Ex(SrtmCurrent, log, ref size);
            if (rc != Success) throw new IOException($"Tbsi_Get_TCG_Log_Ex failed with 0x{rc:x8}");
            return log.AsSpan(0, (int)size).ToArray();
        }
    }
}
