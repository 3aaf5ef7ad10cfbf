using System.Diagnostics;
using Xunit;

namespace TrustedCompute.Tests.IO;

/// <summary>A FIFO in a private temporary folder, and writer processes that feed it; skips the test where there is no mkfifo.</summary>
internal sealed class Fifo : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tc-fifo-").FullName;
    private readonly List<Process> _writers = [];

    public Fifo()
    {
        Path = System.IO.Path.Combine(_dir, "input");
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "FIFOs are a POSIX thing");
        try
        {
            using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [Path]) { UseShellExecute = false })!;
            mkfifo.WaitForExit();
            Skip.If(mkfifo.ExitCode != 0, "mkfifo failed");
        }
        catch (System.ComponentModel.Win32Exception) { Skip.If(true, "no mkfifo"); }
    }

    public string Path { get; }

    /// <summary>Starts a shell whose standard output is the FIFO (it blocks until a reader opens it).</summary>
    public void Writer(string script)
    {
        var start = new ProcessStartInfo("sh", ["-c", $"exec > \"$1\"; {script}", "sh", Path]) { UseShellExecute = false };
        _writers.Add(Process.Start(start)!);
    }

    public void Dispose()
    {
        foreach (var w in _writers)
        {
            try { w.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { /* already gone */ }
            w.Dispose();
        }
        Directory.Delete(_dir, true);
    }
}

internal static class Deadline
{
    /// <summary>Runs a call that must end (return or throw) within the limit; a hang fails the test instead of the run.</summary>
    public static Exception? Within(TimeSpan limit, Action call)
    {
        var run = Task.Factory.StartNew(call, TaskCreationOptions.LongRunning);
        try { run.Wait(limit); }
        catch (AggregateException) { /* the failure is returned below */ }
        Assert.True(run.IsCompleted, $"still running after {limit.TotalSeconds} s");
        return run.Exception?.InnerException;
    }
}
