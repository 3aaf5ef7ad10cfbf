using System.Diagnostics;
using TrustedCompute.IO;
using Xunit;

namespace TrustedCompute.Tests.IO;

/// <summary>The size cap, the deadline and Ctrl+C hold for regular files, devices that never end and FIFOs that never open.</summary>
public sealed class BoundedFileTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);

    [Fact]
    public void ARegularFileUpToTheLimitReadsAndOneByteMoreDoesNot()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [1, 2, 3, 4]);
            Assert.Equal([1, 2, 3, 4], BoundedFile.ReadAllBytes(path, 4, Short));
            Assert.Contains("limit of 3", Assert.Throws<InvalidDataException>(() => BoundedFile.ReadAllBytes(path, 3, Short)).Message);
            File.WriteAllBytes(path, []);
            Assert.Empty(BoundedFile.ReadAllBytes(path, 0, Short));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void MissingFilesAndFoldersAreNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => BoundedFile.ReadAllBytes(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString()), 10, Short));
        Assert.Throws<FileNotFoundException>(() => BoundedFile.ReadAllBytes(Path.GetTempPath(), 10, Short));
    }

    [SkippableTheory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public void EndlessDevicesStopAtTheLimit(string device)
    {
        Skip.IfNot(File.Exists(device), $"no {device}");
        var e = Deadline.Within(TimeSpan.FromSeconds(5), () => BoundedFile.ReadAllBytes(device, 1 << 20, TimeSpan.FromSeconds(4)));
        Assert.Contains("limit", Assert.IsType<InvalidDataException>(e).Message);
    }

    [SkippableFact]
    public void AFifoWithoutAWriterTimesOutAndItsOpenIsReleased()
    {
        using var fifo = new Fifo();
        var clock = Stopwatch.StartNew();
        var e = Deadline.Within(TimeSpan.FromSeconds(5), () => BoundedFile.ReadAllBytes(fifo.Path, 100, Short));
        Assert.Contains("within 0.3 s", Assert.IsType<IOException>(e).Message);
        Assert.IsType<TimeoutException>(e.InnerException);
        Assert.InRange(clock.Elapsed, Short, TimeSpan.FromSeconds(3));
        // The parked open() got a writer for an instant and ended: a second reader is not stuck behind anything.
        fifo.Writer("printf abc");
        Assert.Equal("abc"u8.ToArray(), BoundedFile.ReadAllBytes(fifo.Path, 100, TimeSpan.FromSeconds(4)));
    }

    [SkippableFact]
    public void AFifoWhoseWriterNeverClosesTimesOut()
    {
        using var fifo = new Fifo();
        fifo.Writer("printf 'some bytes'; exec sleep 30");
        var e = Deadline.Within(TimeSpan.FromSeconds(5), () => BoundedFile.ReadAllBytes(fifo.Path, 100, Short));
        Assert.IsType<IOException>(e);
    }

    [SkippableFact]
    public void AFifoThatTricklesForeverTimesOut()
    {
        using var fifo = new Fifo();
        fifo.Writer("while :; do printf x; sleep 0.05; done");
        var e = Deadline.Within(TimeSpan.FromSeconds(5), () => BoundedFile.ReadAllBytes(fifo.Path, 1 << 20, Short));
        Assert.IsType<IOException>(e);
    }

    [SkippableFact]
    public void AFifoThatFloodsStopsAtTheLimit()
    {
        using var fifo = new Fifo();
        fifo.Writer("exec cat /dev/zero");
        var e = Deadline.Within(TimeSpan.FromSeconds(5), () => BoundedFile.ReadAllBytes(fifo.Path, 1 << 16, TimeSpan.FromSeconds(4)));
        Assert.IsType<InvalidDataException>(e);
    }

    [SkippableFact]
    public void AFifoWithAWriterThatEndsReadsWhole()
    {
        using var fifo = new Fifo();
        fifo.Writer("printf 'schemaVersion: 1\\n'");
        Assert.Equal("schemaVersion: 1\n"u8.ToArray(), BoundedFile.ReadAllBytes(fifo.Path, 100, TimeSpan.FromSeconds(4)));
    }

    [SkippableFact]
    public void CancellationEndsTheWaitAtOnce()
    {
        using var fifo = new Fifo();
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var clock = Stopwatch.StartNew();
        var e = Deadline.Within(TimeSpan.FromSeconds(5), () => BoundedFile.ReadAllBytes(fifo.Path, 100, TimeSpan.FromSeconds(30), stop.Token));
        Assert.IsAssignableFrom<OperationCanceledException>(e);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
    }
}
