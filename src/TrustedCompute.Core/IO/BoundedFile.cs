namespace TrustedCompute.IO;

/// <summary>
/// Reads whole files that may be hostile: a size cap, a deadline and Ctrl+C, so /dev/zero, a FIFO whose writer never
/// closes, or a FIFO with no writer at all (whose open() blocks) is a clear error, not a hang or an exhausted memory.
/// </summary>
public static class BoundedFile
{
    /// <summary>How long a policy, evidence or key file may take to give its whole contents.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The file's bytes, at most <paramref name="maxBytes"/>. Throws <see cref="FileNotFoundException"/>,
    /// <see cref="InvalidDataException"/> (too large), <see cref="IOException"/> (no end of file within the timeout),
    /// <see cref="UnauthorizedAccessException"/> or <see cref="OperationCanceledException"/>.
    /// </summary>
    public static byte[] ReadAllBytes(string path, int maxBytes, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"No file {path}", path);
        if (info.Length > maxBytes) throw TooLarge(path, maxBytes);
        // A FIFO or a device reports no length; a regular file that has one is read here, still capped.
        if (info.Length > 0 && (info.Attributes & FileAttributes.Device) == 0) return ReadRegular(path, maxBytes);
        var reader = new Reader(path, maxBytes);
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

    private static byte[] ReadRegular(string path, int maxBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var buffer = new byte[Math.Min(maxBytes + 1L, stream.Length + 1)];
        int total = 0, n;
        while (total < buffer.Length && (n = stream.Read(buffer, total, buffer.Length - total)) > 0) total += n;
        if (total > maxBytes) throw TooLarge(path, maxBytes);
        if (total == buffer.Length) return ReadGrown(stream, buffer, maxBytes, path);
        return buffer.AsSpan(0, total).ToArray();
    }

    /// <summary>The file grew while it was read: go on, still under the cap.</summary>
    private static byte[] ReadGrown(FileStream stream, byte[] start, int maxBytes, string path)
    {
        var data = new MemoryStream();
        data.Write(start);
        var chunk = new byte[64 * 1024];
        int n;
        while ((n = stream.Read(chunk)) > 0)
        {
            if (data.Length + n > maxBytes) throw TooLarge(path, maxBytes);
            data.Write(chunk, 0, n);
        }
        return data.ToArray();
    }

    internal static InvalidDataException TooLarge(string path, int maxBytes) =>
        new($"{path} holds more than the limit of {maxBytes} bytes");

    private static Exception Rethrown(Exception e) => e switch
    {
        IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException => e,
        _ => new IOException($"Reading failed: {e.Message}", e),
    };

    private sealed class Reader(string path, int maxBytes)
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
                var data = new MemoryStream();
                var chunk = new byte[64 * 1024];
                int n;
                while (!_abandoned && (n = stream.Read(chunk)) > 0)
                {
                    if (data.Length + n > maxBytes) throw TooLarge(path, maxBytes);
                    data.Write(chunk, 0, n);
                }
                _result.TrySetResult(data.ToArray());
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
