using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Net;
using System.Runtime.InteropServices;
using System.Security;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.Service;

/// <summary>
/// Starts the attestation service shipped in the module (service/TrustedCompute.Service.dll) as its own process and
/// waits until it listens. Secrets reach it through its environment, never its command line.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "AttestationService", SupportsShouldProcess = true)]
[OutputType(typeof(AttestationServiceInfo))]
public sealed class StartAttestationServiceCommand : TrustedComputeCmdlet
{
    [Parameter(Position = 0)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 8443;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string BindAddress { get; set; } = "127.0.0.1";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CertificatePath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CertificateKeyPath { get; set; }

    [Parameter]
    [SecretTransformation]
    public SecureString? CertificatePassword { get; set; }

    [Parameter]
    public SwitchParameter AllowHttp { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StoreConnectionString { get; set; }

    [Parameter]
    [SecretTransformation]
    public SecureString? AuthSecret { get; set; }

    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int MaxAgeSeconds { get; set; } = 600;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LogPath { get; set; }

    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 60;

    protected override void EndProcessing()
    {
        if (!IPAddress.TryParse(BindAddress, out var address))
        {
            ThrowTerminatingError(new ArgumentException($"'{BindAddress}' is not an IP address"),
                ErrorIds.StartAttestationServiceInvalidArgument, BindAddress);
        }
        bool tls = CertificatePath is not null;
        if (!tls && !IPAddress.IsLoopback(address!) && !AllowHttp)
        {
            ThrowTerminatingError(new ArgumentException(
                $"Plain HTTP on {address} would send trust answers in the clear: give -CertificatePath, bind to loopback, " +
                "or say -AllowHttp"),
                ErrorIds.StartAttestationServiceInvalidArgument, BindAddress);
        }
        string? secret = Reveal(AuthSecret);
        if (AuthSecret is not null && string.IsNullOrEmpty(secret))
        {
            ThrowTerminatingError(new ArgumentException("The auth secret is empty"),
                ErrorIds.StartAttestationServiceInvalidArgument, null);
        }
        string assembly = AttestationServiceProcess.ServiceAssemblyPath;
        if (!File.Exists(assembly))
        {
            ThrowTerminatingError(
                new FileNotFoundException($"The service is not in the module ({assembly}); build it with build.ps1"),
                ErrorIds.StartAttestationServiceNotInstalled, assembly);
        }
        string scheme = tls ? "https" : "http";
        string host = address!.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        var url = new Uri($"{scheme}://{host}:{Port}/OpenAttestationWebServices/V1.0");
        if (!ShouldProcess(url.ToString(), "Start the attestation service")) return;

        string logPath = LogPath is null ? DefaultLogPath(Port) : GetUnresolvedProviderPathFromPSPath(LogPath);
        var info = new ProcessStartInfo(AttestationServiceProcess.DotnetHost())
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        info.ArgumentList.Add(assembly);
        AddArguments(info.ArgumentList, address, logPath);
        info.Environment.Remove("TRUSTEDCOMPUTE_SERVICE_AUTH_SECRET");
        info.Environment.Remove("TRUSTEDCOMPUTE_SERVICE_CERTIFICATE_PASSWORD");
        if (secret is not null) info.Environment["TRUSTEDCOMPUTE_SERVICE_AUTH_SECRET"] = secret;
        if (Reveal(CertificatePassword) is { } password) info.Environment["TRUSTEDCOMPUTE_SERVICE_CERTIFICATE_PASSWORD"] = password;
        if (StoreConnectionString is not null) info.Environment["TRUSTEDCOMPUTE_STORE"] = StoreConnectionString;

        Process process;
        try { process = Process.Start(info) ?? throw new InvalidOperationException("The service process did not start"); }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            ThrowTerminatingError(new InvalidOperationException($"Could not start {info.FileName}: {e.Message}"),
                ErrorIds.StartAttestationServiceFailed, url);
            return;
        }
        // The service logs to its file; its own streams are drained so it never blocks on them.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AttestationServiceProcess.StartedHere[process.Id] = DateTime.UtcNow;

        var timeout = TimeSpan.FromSeconds(TimeoutSec);
        if (!AttestationServiceProcess.WaitUntilListening(process, address, Port, timeout, CancellationToken))
        {
            string why = process.HasExited ? $"it exited with code {process.ExitCode}" : "it did not listen in time";
            if (!process.HasExited) process.Kill();
            AttestationServiceProcess.StartedHere.TryRemove(process.Id, out _);
            ThrowTerminatingError(
                new InvalidOperationException($"The attestation service did not start: {why}. {LastLines(logPath)}"),
                ErrorIds.StartAttestationServiceFailed, url);
        }
        WriteObject(new AttestationServiceInfo
        {
            ProcessId = process.Id, Port = Port, BindAddress = address.ToString(), Url = url, Tls = tls, LogPath = logPath,
            StartTime = DateTime.UtcNow,
        });
    }

    private void AddArguments(IList<string> arguments, IPAddress address, string logPath)
    {
        arguments.Add("--port"); arguments.Add(Port.ToString(CultureInfo.InvariantCulture));
        arguments.Add("--bind"); arguments.Add(address.ToString());
        arguments.Add("--max-age-seconds"); arguments.Add(MaxAgeSeconds.ToString(CultureInfo.InvariantCulture));
        arguments.Add("--log-path"); arguments.Add(logPath);
        if (CertificatePath is not null)
        {
            arguments.Add("--certificate");
            arguments.Add(GetUnresolvedProviderPathFromPSPath(CertificatePath));
        }
        if (CertificateKeyPath is not null)
        {
            arguments.Add("--certificate-key");
            arguments.Add(GetUnresolvedProviderPathFromPSPath(CertificateKeyPath));
        }
        if (AllowHttp) arguments.Add("--allow-http");
    }

    private static string DefaultLogPath(int port)
    {
        string folder = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData,
            Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(folder)) folder = Path.GetTempPath();
        return Path.Combine(folder, "TrustedCompute", $"service-{port}.log");
    }

    private static string LastLines(string logPath)
    {
        try
        {
            var lines = File.ReadAllLines(logPath);
            return "Its log (" + logPath + ") ends: " + string.Join(" | ", lines.Skip(Math.Max(0, lines.Length - 3)));
        }
        catch (IOException) { return $"It wrote no log ({logPath})."; }
        catch (UnauthorizedAccessException) { return $"Its log ({logPath}) cannot be read."; }
    }

    private static string? Reveal(SecureString? secret)
    {
        if (secret is null) return null;
        IntPtr pointer = Marshal.SecureStringToGlobalAllocUnicode(secret);
        try { return Marshal.PtrToStringUni(pointer); }
        finally { Marshal.ZeroFreeGlobalAllocUnicode(pointer); }
    }
}
