using System.Diagnostics;
using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using Xunit;

namespace TrustedCompute.Tests.EventLog;

/// <summary>
/// Logs read from files that cannot seek or never end (a FIFO, /dev/zero, /dev/urandom): read to the end like securityfs,
/// with a hard size cap and a timeout, by the cmdlets and by evidence collection alike.
/// </summary>
public sealed class EventLogSourceTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(8);
    private static readonly EventLogParseOptions Quick = new() { ReadTimeout = TimeSpan.FromMilliseconds(400), MaxLogSize = 1 << 20 };
    /// <summary>For reads that must succeed: a loaded machine may start the writer late.</summary>
    private static readonly EventLogParseOptions Patient = Quick with { ReadTimeout = TimeSpan.FromSeconds(6) };
    private readonly string _dir = Directory.CreateTempSubdirectory("tc-fifo-").FullName;
    private readonly CancellationTokenSource _done = new();

    public void Dispose()
    {
        _done.Cancel();
        Directory.Delete(_dir, true);
    }

    private static byte[] Log => new SyntheticLog().Action(4, "Calling EFI Application from Boot Option").Separator(4).ToArray();

    private string Fifo()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "FIFOs and the timeout on them are Linux-only");
        string fifo = Path.Combine(_dir, $"log-{Guid.NewGuid():N}.fifo");
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Skip.If(mkfifo.ExitCode != 0, "mkfifo failed");
        return fifo;
    }

    /// <summary>A writer that writes <paramref name="bytes"/> and then keeps the FIFO open until the test ends.</summary>
    private Task WriterThatNeverCloses(string fifo, byte[] bytes) => Task.Run(() =>
    {
        using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
        writer.Write(bytes);
        writer.Flush();
        _done.Token.WaitHandle.WaitOne();
    });

    /// <summary>Runs <paramref name="read"/> and fails the test, instead of hanging it, when it does not finish in time.</summary>
    private static T Within<T>(Func<T> read)
    {
        var task = Task.Run(read);
        Assert.True(task.Wait(Limit) || task.IsCompleted, $"the read did not finish within {Limit.TotalSeconds} s");
        return task.Result;
    }

    private static TException ThrowsWithin<TException>(Func<object?> read) where TException : Exception
    {
        var task = Task.Run(read);
        Assert.True(task.ContinueWith(_ => { }).Wait(Limit), $"the read did not finish within {Limit.TotalSeconds} s");
        var ex = Assert.IsType<AggregateException>(task.Exception).InnerException;
        return Assert.IsAssignableFrom<TException>(ex);
    }

    [SkippableFact]
    public void A_log_read_from_a_fifo_parses_and_evidence_gets_the_same_bytes()
    {
        var bytes = Log;
        string fifo = Fifo();
        var writer = Task.Run(() => File.WriteAllBytes(fifo, bytes));
        Assert.Equal(3, Within(() => EventLogSource.ReadFile(fifo, Patient)).Events.Count);
        Assert.True(writer.Wait(Limit));

        writer = Task.Run(() => File.WriteAllBytes(fifo, bytes));
        Assert.Equal(bytes, Within(() => EvidenceCollector.ReadLocalEventLog(fifo, Patient)));
        Assert.True(writer.Wait(Limit));
    }

    [SkippableFact]
    public void A_fifo_whose_writer_opened_first_ends_when_it_closes_not_at_the_timeout()
    {
        var bytes = Log;
        string fifo = Fifo();
        var writer = Task.Run(() => File.WriteAllBytes(fifo, bytes));
        Thread.Sleep(300); // the writer now waits in open(2) for a reader
        var watch = Stopwatch.StartNew();
        Assert.Equal(bytes, Within(() => EventLogSource.ReadFileBytes(fifo, Patient)));
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.True(writer.Wait(Limit));
    }

    [SkippableFact]
    public void Dev_null_is_an_empty_log_at_once()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux devices");
        var watch = Stopwatch.StartNew();
        var ex = ThrowsWithin<EventLogFormatException>(() => EventLogSource.ReadFile("/dev/null", Patient));
        Assert.Contains("empty", ex.Message);
        Assert.Empty(EventLogSource.ReadFileBytes("/dev/null", Patient));
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [SkippableFact]
    public void A_fifo_with_no_writer_times_out_for_the_cmdlets_and_for_evidence()
    {
        string fifo = Fifo();
        var watch = Stopwatch.StartNew();
        var ex = ThrowsWithin<IOException>(() => EventLogSource.ReadFile(fifo, Quick));
        Assert.IsType<TimeoutException>(ex.InnerException);
        Assert.Contains(fifo, ex.Message);
        Assert.InRange(watch.Elapsed, Quick.ReadTimeout * 0.9, Limit);

        ex = ThrowsWithin<IOException>(() => EvidenceCollector.ReadLocalEventLog(fifo, Quick));
        Assert.IsType<TimeoutException>(ex.InnerException);
    }

    [SkippableFact]
    public void A_fifo_whose_writer_never_closes_times_out_even_after_a_whole_log()
    {
        string fifo = Fifo();
        _ = WriterThatNeverCloses(fifo, Log);
        var ex = ThrowsWithin<IOException>(() => EventLogSource.ReadFile(fifo, Quick));
        Assert.IsType<TimeoutException>(ex.InnerException);

        string second = Fifo();
        _ = WriterThatNeverCloses(second, Log);
        Assert.IsType<TimeoutException>(ThrowsWithin<IOException>(() => EventLogSource.ReadFileBytes(second, Quick)).InnerException);
    }

    [SkippableFact]
    public void Cancellation_ends_a_wait_on_a_fifo_before_the_timeout()
    {
        string fifo = Fifo();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var slow = Quick with { ReadTimeout = TimeSpan.FromMinutes(5) };
        ThrowsWithin<OperationCanceledException>(() => EventLogSource.ReadFile(fifo, slow, cancel.Token));
    }

    [SkippableTheory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public void Endless_devices_fail_at_the_size_cap_with_bounded_memory(string device)
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists(device), $"{device} is not here");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Within(() => Record.Exception(() => EvidenceCollector.ReadLocalEventLog(device, Quick)));
        Assert.IsType<InvalidDataException>(ex);
        Assert.Contains("maximum log size", ex.Message);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 8 * Quick.MaxLogSize);

        var parse = Within(() => Record.Exception(() => EventLogSource.ReadFile(device, Quick)));
        Assert.True(parse is InvalidDataException or EventLogFormatException, parse?.ToString());
    }

    [SkippableFact]
    public void Evidence_reads_the_local_log_where_the_cmdlets_do_or_gets_none()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the local log source differs by OS");
        Exception? local = Record.Exception(() => EventLogSource.ReadLocalBytes(Quick));
        var evidence = EvidenceCollector.ReadLocalEventLog(null, Quick);
        if (local is null) Assert.Equal(EventLogSource.ReadLocalBytes(Quick), evidence);
        else Assert.True(evidence is null && local is FileNotFoundException or UnauthorizedAccessException, local.ToString());
    }

    [Fact]
    public void A_directory_or_a_missing_file_is_a_clear_error()
    {
        Assert.Contains("directory", Assert.Throws<IOException>(() => EventLogSource.ReadFile(_dir)).Message);
        var missing = Path.Combine(_dir, "missing.bin");
        Assert.Throws<FileNotFoundException>(() => EventLogSource.ReadFile(missing));
        Assert.Throws<FileNotFoundException>(() => EvidenceCollector.ReadLocalEventLog(missing));
    }
}
