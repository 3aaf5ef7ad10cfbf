namespace TrustedCompute.IO;

/// <summary>
/// Reads whole files that may be hostile: a size cap, a deadline and Ctrl+C, so /dev/zero, a FIFO whose writer never
/// closes, or a FIFO with no writer at all (whose open() blocks) is a clear error, not a hang or an exhausted memory.
/// </summary>
public static class BoundedFile
{
    /// <summary>How long a policy, evidence or key file may take to give its whole contents.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A regular file with content: it cannot block on open or read, so it needs no reader thread.</summary>
    public static bool IsPlainFile(FileInfo info) => info.Exists && info.Length > 0 && (info.Attributes & FileAttributes.Device) == 0;

    /// <summary>
    /// The file's bytes, at most <paramref name="maxBytes"/> (<paramref name="limitName"/> names that limit in errors). Throws <see cref="FileNotFoundException"/>,
    /// <see cref="InvalidDataException"/> (too large), <see cref="IOException"/> (no end of file within the timeout),
    /// <see cref="UnauthorizedAccessException"/> or <see cref="OperationCanceledException"/>.
    /// </summary>
    public static byte[] ReadAllBytes(string path, int maxBytes, TimeSpan timeout, CancellationToken cancellationToken = default,
        string limitName = "the limit")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"No file {path}", path);
        Func<InvalidDataException> tooLarge = () => new InvalidDataException($"{path} holds more than {limitName} of {maxBytes} bytes");
        if (info.Length > maxBytes) throw tooLarge();
        // A FIFO or a device reports no length; a regular file that has one is read here, still capped.
        if (IsPlainFile(info)) return ReadRegular(path, maxBytes, tooLarge);
        var reader = new Reader(path, maxBytes, tooLarge);
        // A thread of its own: open() of a FIFO and read() of a pipe block and cannot be cancelled; the pool must not wait.
        new Thread(reader.Run) { IsBackground = true, Name = "BoundedFile " + info.Name }.Start();
        bool ended;
        try { ended = reader.Result.Wait((int)Math.Ceiling(timeout.TotalMilliseconds), cancellationToken); }
        catch (OperationCanceledException)
        {
            reader.Abandon(mayBeFifo: info.Length == 0);
            throw;
        }
        catch (AggregateException e) when (e.InnerException is not null) { throw Rethrown(e.InnerException); }
        if (!ended)
        {
            reader.Abandon(mayBeFifo: info.Length == 0);
            throw new IOException($"{path} did not reach its end within {timeout.TotalSeconds:0.###} s (a pipe or device?)",
                new TimeoutException());
        }
        return reader.Result.Result;
    }

    private static byte[] ReadRegular(string path, int maxBytes, Func<InvalidDataException> tooLarge)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        return ReadCapped(stream, (int)Math.Min(stream.Length + 1, maxBytes + 1L), maxBytes, tooLarge, () => false);
    }

    /// <summary>Reads to the end (or until <paramref name="stop"/>), never holding more than one chunk past the cap.</summary>
    private static byte[] ReadCapped(Stream stream, int capacity, int maxBytes, Func<InvalidDataException> tooLarge, Func<bool> stop)
    {
        var data = new MemoryStream(capacity);
        var chunk = new byte[64 * 1024];
        int n;
        while (!stop() && (n = stream.Read(chunk)) > 0)
        {
            if (data.Length + n > maxBytes) throw tooLarge();
            data.Write(chunk, 0, n);
        }
        return data.ToArray();
    }

    private static Exception Rethrown(Exception e) => e switch
    {
        IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException => e,
        _ => new IOException($"Reading failed: {e.Message}", e),
    };

    private sealed class Reader(string path, int maxBytes, Func<InvalidDataException> tooLarge)
    {
        private readonly TaskCompletionSource<byte[]> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _abandoned;
        private volatile bool _opened;

        public Task<byte[]> Result => _result.Task;

        public void Run()
        {
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0);
                _opened = true;
                _result.TrySetResult(ReadCapped(stream, 0, maxBytes, tooLarge, () => _abandoned));
            }
            catch (Exception e) { _result.TrySetException(e); }
        }

        /// <summary>
        /// Stops reading at the next chunk. A thread still in open() waits for a FIFO writer: being that writer for an
        /// instant (no bytes written) lets it see end of file and end, instead of staying blocked.
        /// </summary>
        public void Abandon(bool mayBeFifo)
        {
            _abandoned = true;
            if (_opened || !mayBeFifo || OperatingSystem.IsWindows()) return;
            new Thread(() =>
            {
                try { File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite).Dispose(); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    /* the reader stays parked; it is a background thread */
                }
            }) { IsBackground = true }.Start();
        }
    }
}
