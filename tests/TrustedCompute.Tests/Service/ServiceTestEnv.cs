using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Npgsql;
using TrustedCompute.Tests.Env;
using Xunit;

namespace TrustedCompute.Tests.Service;

/// <summary>A test CA and a server certificate it issued for 127.0.0.1/localhost, as PEM files in a folder.</summary>
public sealed class TestCertificates
{
    public TestCertificates(string folder)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=TrustedCompute service test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var server = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(12));

        CaPath = Path.Combine(folder, "ca.pem");
        CertificatePath = Path.Combine(folder, "server.pem");
        KeyPath = Path.Combine(folder, "server.key");
        File.WriteAllText(CaPath, ca.ExportCertificatePem());
        File.WriteAllText(CertificatePath, server.ExportCertificatePem());
        File.WriteAllText(KeyPath, serverKey.ExportPkcs8PrivateKeyPem());
        CaCertificate = X509CertificateLoader.LoadCertificate(ca.RawData);
    }

    public string CaPath { get; }
    public string CertificatePath { get; }
    public string KeyPath { get; }
    public X509Certificate2 CaCertificate { get; }

    /// <summary>An HttpClient that trusts only the test CA (custom trust store, no system roots).</summary>
    public HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(CaCertificate);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            bool nameOk = (errors & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
            return nameOk && chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }
}

/// <summary>The service as a real process (dotnet TrustedCompute.Service.dll), killed with SIGKILL when asked.</summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly List<string> _arguments;
    private readonly Dictionary<string, string> _environment;
    private Process? _process;

    public ServiceProcess(string folder, int port, IEnumerable<string> arguments, IDictionary<string, string> environment)
    {
        Port = port;
        LogPath = Path.Combine(folder, $"service-{port}.log");
        _arguments = ["--port", port.ToString(), "--log-path", LogPath, .. arguments];
        _environment = new(environment);
    }

    public int Port { get; }
    public string LogPath { get; }
    public Process Process => _process ?? throw new InvalidOperationException("Not started");

    public static string ServiceAssembly
    {
        get
        {
            string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}")
                ? "Debug" : "Release";
            return Path.Combine(TestPaths.RepositoryRoot, "src", "TrustedCompute.Service", "bin", configuration, "net10.0",
                "TrustedCompute.Service.dll");
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the process and waits until it accepts connections (or throws with its log when it exits).</summary>
    public void Start()
    {
        Assert.True(File.Exists(ServiceAssembly), $"{ServiceAssembly} is not built");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(ServiceAssembly);
        foreach (string a in _arguments) info.ArgumentList.Add(a);
        foreach (var (k, v) in _environment) info.Environment[k] = v;
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The service exited with {_process.ExitCode}: {ReadLog()}");
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) { Thread.Sleep(100); }
        }
        throw new TimeoutException("The service did not listen within 60 s: " + ReadLog());
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void KillHard()
    {
        Process.Kill(entireProcessTree: true);
        Process.WaitForExit(10_000);
    }

    public bool IsRunning => _process is { HasExited: false };

    public string ReadLog() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "(no log)";

    public void Dispose()
    {
        if (_process is null) return;
        if (!_process.HasExited) { _process.Kill(true); _process.WaitForExit(10_000); }
        _process.Dispose();
    }
}

/// <summary>
/// One private PostgreSQL 15 server for a test class (tests/env/postgres.sh); each test makes its own database.
/// </summary>
public sealed class PostgresFixture : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tc-svc-pg-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly bool _started;

    public PostgresFixture()
    {
        var info = new ProcessStartInfo(TestPaths.EnvScript("postgres.sh")) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("start");
        info.ArgumentList.Add(_folder);
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode == 77) { Unavailable = "PostgreSQL 15 is not installed (apt-get install postgresql)"; return; }
        if (process.ExitCode != 0) throw new InvalidOperationException($"postgres.sh start failed: {error}");
        _started = true;
        Port = int.Parse(output.Split('\n').Single(l => l.StartsWith("PORT=", StringComparison.Ordinal))[5..]);
    }

    public string? Unavailable { get; }
    public int Port { get; }

    public void Require() => Skip.If(Unavailable is not null, Unavailable);

    /// <summary>A fresh database; the connection string carries a password (trust auth ignores it) to prove it never leaks.</summary>
    public string NewDatabase(string password)
    {
        string name = "svc_" + Guid.NewGuid().ToString("N")[..12];
        using (var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=tc;Database=postgres"))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }
        return $"Host=127.0.0.1;Port={Port};Username=tc;Password={password};Database={name}";
    }

    public void Dispose()
    {
        if (!_started) return;
        var info = new ProcessStartInfo(TestPaths.EnvScript("postgres.sh")) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("stop");
        info.ArgumentList.Add(_folder);
        using var process = Process.Start(info)!;
        process.WaitForExit(60_000);
        try { Directory.Delete(_folder, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
