using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace TrustedCompute.PowerShell.Commands.Service;

/// <summary>A running attestation service process started by Start-AttestationService.</summary>
public sealed class AttestationServiceInfo
{
    public required int ProcessId { get; init; }
    public required int Port { get; init; }
    public required string BindAddress { get; init; }
    /// <summary>The OpenAttestation base nova's [trusted_computing] settings point at.</summary>
    public required Uri Url { get; init; }
    public required bool Tls { get; init; }
    public required string LogPath { get; init; }
    public required DateTime StartTime { get; init; }

    public override string ToString() => $"{Url} (PID {ProcessId})";
}

/// <summary>Where the service ships inside the module, how to start it, and how to recognise and stop it.</summary>
internal static class AttestationServiceProcess
{
    public const string AssemblyName = "TrustedCompute.Service.dll";

    /// <summary>service/TrustedCompute.Service.dll beside the cmdlet assembly in the staged module.</summary>
    public static string ServiceAssemblyPath =>
        Path.Combine(Path.GetDirectoryName(typeof(AttestationServiceProcess).Assembly.Location)!, "service", AssemblyName);

    /// <summary>The dotnet host of the runtime pwsh runs on (the service needs the ASP.NET Core shared framework).</summary>
    public static string DotnetHost()
    {
        string runtime = RuntimeEnvironment.GetRuntimeDirectory();
        var root = new DirectoryInfo(runtime.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Parent?.Parent;
        string name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        string candidate = root is null ? "" : Path.Combine(root.FullName, name);
        return File.Exists(candidate) ? candidate : name;
    }

    /// <summary>Waits until the port accepts connections; false when the process exits or time runs out first.</summary>
    public static bool WaitUntilListening(Process process, IPAddress address, int port, TimeSpan timeout, CancellationToken cancel)
    {
        var target = address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : address;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout && !cancel.IsCancellationRequested)
        {
            if (process.HasExited) return false;
            try
            {
                using var client = new TcpClient(target.AddressFamily);
                client.Connect(target, port);
                return true;
            }
            catch (SocketException) { cancel.WaitHandle.WaitOne(100); }
        }
        return false;
    }

    /// <summary>True when the process runs our service assembly (Linux: its command line; elsewhere: its main module).</summary>
    public static bool IsService(Process process)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                string commandLine = File.ReadAllText($"/proc/{process.Id}/cmdline");
                return commandLine.Split('\0').Any(a => Path.GetFileName(a) == AssemblyName);
            }
            return StartedHere.ContainsKey(process.Id);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException) { return false; }
    }

    /// <summary>Processes this pwsh started (the only ones recognised where no command line can be read).</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<int, DateTime> StartedHere = new();

    /// <summary>SIGTERM first (Kestrel drains and exits), then a kill when it has not exited within the grace time.</summary>
    public static void Stop(Process process, TimeSpan grace)
    {
        if (!OperatingSystem.IsWindows() && SendSignal(process.Id, SigTerm) == 0 && process.WaitForExit(grace)) return;
        if (!process.HasExited) process.Kill();
        process.WaitForExit(grace);
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
