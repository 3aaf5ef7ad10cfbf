using System.Diagnostics;
using TrustedCompute.EventLog;
using Xunit;

namespace TrustedCompute.Tests.EventLog;

/// <summary>Logs read from files that cannot seek (a FIFO, /dev/stdin): read to the end, bounded, like securityfs.</summary>
public class EventLogSourceTests
{
    [SkippableFact]
    public void A_log_read_from_a_fifo_parses()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "FIFOs are a POSIX thing");
        var bytes = new SyntheticLog().Action(4, "Calling EFI Application from Boot Option").Separator(4).ToArray();
        string dir = Directory.CreateTempSubdirectory("tc-fifo-").FullName;
        string fifo = Path.Combine(dir, "log.fifo");
        try
        {
            using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
            {
                mkfifo.WaitForExit();
                Skip.If(mkfifo.ExitCode != 0, "mkfifo failed");
            }
            var writer = Task.Run(() => File.WriteAllBytes(fifo, bytes));

            var log = EventLogSource.ReadFile(fifo);

            Assert.Equal(3, log.Events.Count);
            Assert.True(writer.Wait(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
