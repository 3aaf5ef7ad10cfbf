using TrustedCompute.Store;

namespace TrustedCompute.Fleet;

/// <summary>
/// Keeps two sweeps of one SQLite store from attesting the same hosts at once: an exclusive lock on a user-only file
/// beside the database, held for the whole sweep and released by the OS when the process dies (kill -9 included).
/// </summary>
public sealed class SweepLock : IDisposable
{
    private readonly FileStream _file;

    private SweepLock(FileStream file, string path) => (_file, Path) = (file, path);

    public string Path { get; }

    /// <summary>Takes the lock of the store, waiting up to <paramref name="wait"/>; null when another sweep holds it.</summary>
    public static SweepLock? TryAcquire(SqliteAttestationStore store, TimeSpan wait, CancellationToken ct = default)
    {
        string path = store.FilePath + ".sweep.lock";
        UserOnlyFiles.CreateFile(path);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                return new SweepLock(file, path);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                if (ct.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(200))) ct.ThrowIfCancellationRequested();
            }
            catch (IOException) { return null; }
        }
    }

    public void Dispose() => _file.Dispose();
}
