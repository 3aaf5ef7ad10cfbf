using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace TrustedCompute.EventLog;

/// <summary>
/// Where event logs come from: a file, the Linux securityfs log, or Windows TBS. The one place that branches on the
/// OS for event logs: cmdlets and evidence collection both read through here.
/// </summary>
public static partial class EventLogSource
{
    public const string LinuxPath = "/sys/kernel/security/tpm0/binary_bios_measurements";

    /// <summary>How the local log is named where a source is shown.</summary>
    public static string LocalName => OperatingSystem.IsWindows() ? "tbs:SRTM" : LinuxPath;

    /// <summary>
    /// Parses a log file. A regular file streams: a large junk file fails at its first bad field without being read
    /// whole. Anything else (securityfs, a FIFO, a device) is read to its end first, bounded by the maximum log size
    /// and, on Linux, by <see cref="EventLogParseOptions.ReadTimeout"/>.
    /// </summary>
    public static TcgEventLog ReadFile(string path, EventLogParseOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= EventLogParseOptions.Default;
        using var stream = Open(path, options, cancellationToken);
        if (IsRegular(stream)) return TcgEventLog.Parse(stream, options, cancellationToken);
        return TcgEventLog.Parse(ReadBounded(stream, options.MaxLogSize, path), options, cancellationToken);
    }

    /// <summary>A log file's bytes, read as <see cref="ReadFile"/> reads them: bounded, with a timeout where it can block.</summary>
    public static byte[] ReadFileBytes(string path, EventLogParseOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= EventLogParseOptions.Default;
        using var stream = Open(path, options, cancellationToken);
        if (IsRegular(stream) && stream.Length > options.MaxLogSize)
            throw new InvalidDataException($"{path} is {stream.Length} bytes, more than the maximum log size {options.MaxLogSize}");
        return ReadBounded(stream, options.MaxLogSize, path);
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

    /// <summary>A regular file with a size: seekable, and it cannot block or grow without end while we read.</summary>
    private static bool IsRegular(Stream stream) => stream.CanSeek && stream.Length > 0;

    private static Stream Open(string path, EventLogParseOptions options, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path)) throw new IOException($"{path} is a directory, not an event log");
        if (OperatingSystem.IsLinux()) return LinuxFile.OpenRead(path, options.ReadTimeout, cancellationToken);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024);
    }

    /// <summary>Reads to the end, never holding more than <paramref name="max"/> + 1 bytes.</summary>
    private static byte[] ReadBounded(Stream stream, long max, string path)
    {
        long cap = Math.Min(max + 1, Array.MaxLength);
        var buffer = new byte[(int)Math.Min(64 * 1024, cap)];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length >= cap) throw new InvalidDataException($"{path} is larger than the maximum log size {max}");
                Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, cap));
            }
            int n = stream.Read(buffer, length, buffer.Length - length);
            if (n == 0) break;
            length += n;
            if (length > max) throw new InvalidDataException($"{path} is larger than the maximum log size {max}");
        }
        return buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>
    /// Linux files opened without blocking (a FIFO with no writer would block open forever) and, unless regular,
    /// read with poll(2) against a deadline (a FIFO whose writer never closes would block read forever).
    /// </summary>
    [SupportedOSPlatform("linux")]
    private static partial class LinuxFile
    {
        // O_NONBLOCK and O_CLOEXEC as asm-generic defines them (x86-64, arm64, arm, riscv, s390x, ppc64le).
        private const int OpenReadOnly = 0, OpenNonBlock = 0x800, OpenCloseOnExec = 0x80000;
        private const short PollIn = 1;
        private const int Interrupted = 4, WouldBlock = 11, NoEntry = 2, PermissionDenied = 13, NotPermitted = 1;

        [StructLayout(LayoutKind.Sequential)]
        private struct PollFd
        {
            public int Fd;
            public short Events;
            public short Returned;
        }

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
        private static partial int Poll(ref PollFd fd, nuint count, int timeoutMilliseconds);

        [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
        private static unsafe partial nint ReadNative(int fd, byte* buffer, nuint count);

        public static Stream OpenRead(string path, TimeSpan timeout, CancellationToken cancellationToken)
        {
            int fd = Open(path, OpenReadOnly | OpenNonBlock | OpenCloseOnExec);
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                string message = $"Cannot open {path}: {Marshal.GetPInvokeErrorMessage(errno)}";
                throw errno switch
                {
                    NoEntry => new FileNotFoundException(message, path),
                    PermissionDenied or NotPermitted => new UnauthorizedAccessException(message),
                    _ => new IOException(message),
                };
            }
            var handle = new SafeFileHandle(fd, ownsHandle: true);
            FileStream file;
            try
            {
                file = new FileStream(handle, FileAccess.Read, 64 * 1024);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
            return IsRegular(file) ? file : new DeadlineStream(file, path, DateTime.UtcNow + timeout, cancellationToken);
        }

        /// <summary>A read-only stream over a non-blocking descriptor: each read waits for data until one deadline.</summary>
        private sealed class DeadlineStream(FileStream file, string path, DateTime deadline, CancellationToken cancellationToken)
            : Stream
        {
            private readonly int _fd = (int)file.SafeFileHandle.DangerousGetHandle();

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

            public override unsafe int Read(Span<byte> buffer)
            {
                ObjectDisposedException.ThrowIf(file.SafeFileHandle.IsClosed, this);
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    double left = (deadline - DateTime.UtcNow).TotalMilliseconds;
                    if (left <= 0)
                        throw new IOException($"Timed out reading {path}: no end of data within the read timeout " +
                            "(a FIFO or device whose writer never finishes?)", new TimeoutException());
                    var poll = new PollFd { Fd = _fd, Events = PollIn };
                    int ready = Poll(ref poll, 1, (int)Math.Clamp(Math.Ceiling(left), 1, 100));
                    if (ready < 0 && Marshal.GetLastPInvokeError() != Interrupted) throw Failure("poll");
                    if (ready <= 0) continue;
                    nint n;
                    fixed (byte* p = buffer) n = ReadNative(_fd, p, (nuint)buffer.Length);
                    if (n >= 0) return (int)n;
                    if (Marshal.GetLastPInvokeError() is not (Interrupted or WouldBlock)) throw Failure("read");
                }
            }

            private IOException Failure(string call) => new($"Cannot read {path} ({call}): {Marshal.GetLastPInvokeErrorMessage()}");

            protected override void Dispose(bool disposing)
            {
                if (disposing) file.Dispose();
                base.Dispose(disposing);
            }
        }
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
