using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using TrustedCompute.IO;

namespace TrustedCompute.EventLog;

/// <summary>
/// Where event logs come from: a file, the Linux securityfs log, or Windows TBS. The one place that branches on the
/// OS for event logs: cmdlets and evidence collection both read through here.
/// </summary>
public static class EventLogSource
{
    public const string LinuxPath = "/sys/kernel/security/tpm0/binary_bios_measurements";

    /// <summary>How the local log is named where a source is shown.</summary>
    public static string LocalName => OperatingSystem.IsWindows() ? "tbs:SRTM" : LinuxPath;

    /// <summary>
    /// Parses a log file. A regular file streams: a large junk file fails at its first bad field without being read
    /// whole. Anything else (securityfs, a FIFO, a device) is read to its end first through <see cref="BoundedFile"/>,
    /// bounded by the maximum log size and by <see cref="EventLogParseOptions.ReadTimeout"/>.
    /// </summary>
    public static TcgEventLog ReadFile(string path, EventLogParseOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= EventLogParseOptions.Default;
        RefuseDirectory(path);
        if (!BoundedFile.IsPlainFile(new FileInfo(path))) return TcgEventLog.Parse(ReadFileBytes(path, options, cancellationToken), options, cancellationToken);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024);
        return TcgEventLog.Parse(stream, options, cancellationToken);
    }

    /// <summary>A log file's bytes, read as <see cref="ReadFile"/> reads them: bounded, with a timeout where it can block.</summary>
    public static byte[] ReadFileBytes(string path, EventLogParseOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= EventLogParseOptions.Default;
        RefuseDirectory(path);
        int max = (int)Math.Min(options.MaxLogSize, Array.MaxLength);
        return BoundedFile.ReadAllBytes(path, max, options.ReadTimeout, cancellationToken, "the maximum log size");
    }

    /// <summary>This machine's measured-boot log (SRTM, current boot).</summary>
    public static TcgEventLog ReadLocal(EventLogParseOptions? options = null, CancellationToken cancellationToken = default) =>
        TcgEventLog.Parse(ReadLocalBytes(options, cancellationToken), options, cancellationToken);

    /// <summary>
    /// This machine's measured-boot log as bytes: TBS (Tbsi_Get_TCG_Log_Ex) on Windows, securityfs on Linux.
    /// FileNotFoundException when the machine has none, UnauthorizedAccessException when it may not be read.
    /// </summary>
    public static byte[] ReadLocalBytes(EventLogParseOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= EventLogParseOptions.Default;
        if (OperatingSystem.IsWindows()) return WindowsTbs.ReadLog(options.MaxLogSize);
        if (OperatingSystem.IsLinux())
        {
            if (!File.Exists(LinuxPath))
                throw new FileNotFoundException($"No TPM event log at {LinuxPath}: no TPM, securityfs not mounted, or firmware without a TCG2 log", LinuxPath);
            try
            {
                return ReadFileBytes(LinuxPath, options, cancellationToken);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new UnauthorizedAccessException($"Reading {LinuxPath} needs root (or read access to securityfs): {ex.Message}", ex);
            }
        }
        throw new PlatformNotSupportedException("Reading the local TPM event log is supported on Linux and Windows; use a file path elsewhere");
    }

    private static void RefuseDirectory(string path)
    {
        if (Directory.Exists(path)) throw new IOException($"{path} is a directory, not an event log");
    }

    [SupportedOSPlatform("windows")]
    private static class WindowsTbs
    {
        private const uint SrtmCurrent = 0;
        private const uint Success = 0;
        private const uint NoEventLog = 0x80284011;

        [DllImport("tbs.dll", ExactSpelling = true)]
        private static extern uint Tbsi_Get_TCG_Log_Ex(uint logType, byte[]? output, ref uint outputLength);

        public static byte[] ReadLog(long max)
        {
            uint size = 0;
            uint rc = Tbsi_Get_TCG_Log_Ex(SrtmCurrent, null, ref size);
            if (rc == NoEventLog) throw new FileNotFoundException("TBS reports no measured-boot log (TBS_E_NO_EVENT_LOG)");
            if (rc != Success || size == 0) throw new IOException($"Tbsi_Get_TCG_Log_Ex failed with 0x{rc:x8}");
            if (size > max) throw new InvalidDataException($"TBS reports a {size} byte log, larger than the maximum log size {max}");
            var log = new byte[size];
            rc = Tbsi_Get_TCG_Log_Ex(SrtmCurrent, log, ref size);
            if (rc != Success) throw new IOException($"Tbsi_Get_TCG_Log_Ex failed with 0x{rc:x8}");
            return log.AsSpan(0, (int)Math.Min(size, (uint)log.Length)).ToArray();
        }
    }
}
