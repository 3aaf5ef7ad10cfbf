using System.Globalization;
using System.Net;

namespace TrustedCompute.Service;

/// <summary>
/// How the service runs. Secrets (the auth secret, the store connection string, a PFX password) come only from the
/// environment or from files, never from the command line, where any user of the machine could read them.
/// </summary>
public sealed record ServiceOptions
{
    public const string StoreVariable = "TRUSTEDCOMPUTE_STORE";
    public const string AuthSecretVariable = "TRUSTEDCOMPUTE_SERVICE_AUTH_SECRET";
    public const string CertificatePasswordVariable = "TRUSTEDCOMPUTE_SERVICE_CERTIFICATE_PASSWORD";
    public const int DefaultPort = 8443;

    public int Port { get; init; } = DefaultPort;
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;
    /// <summary>PEM (with <see cref="CertificateKeyPath"/> or the key in the same file) or PFX.</summary>
    public string? CertificatePath { get; init; }
    public string? CertificateKeyPath { get; init; }
    public string? CertificatePassword { get; init; }
    /// <summary>Plain HTTP on an address other than loopback: only when the admin says so.</summary>
    public bool AllowHttp { get; init; }
    public string? StoreConnectionString { get; init; }
    /// <summary>When set: PollHosts needs it as x-auth-blob, /v1 and /metrics as a bearer token.</summary>
    public string? AuthSecret { get; init; }
    /// <summary>A Trusted result older than this is reported unknown.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromMinutes(10);
    public long MaxRequestBodyBytes { get; init; } = 1024 * 1024;
    public int MaxHostsPerRequest { get; init; } = 10_000;
    /// <summary>Where log lines go (null: the console).</summary>
    public string? LogPath { get; init; }

    public bool UsesTls => CertificatePath is not null;

    /// <summary>Reads the command line and the environment; <see cref="ArgumentException"/> names what is wrong.</summary>
    public static ServiceOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var options = new ServiceOptions
        {
            StoreConnectionString = environment(StoreVariable),
            AuthSecret = NullIfEmpty(environment(AuthSecretVariable)),
            CertificatePassword = NullIfEmpty(environment(CertificatePasswordVariable)),
        };
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            string Value()
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"{name} needs a value");
                return args[++i];
            }
            options = name switch
            {
                "--port" => options with { Port = ParsePort(Value()) },
                "--bind" => options with { BindAddress = ParseAddress(Value()) },
                "--certificate" => options with { CertificatePath = Path.GetFullPath(Value()) },
                "--certificate-key" => options with { CertificateKeyPath = Path.GetFullPath(Value()) },
                "--allow-http" => options with { AllowHttp = true },
                "--max-age-seconds" => options with { MaxAge = TimeSpan.FromSeconds(ParsePositive(name, Value())) },
                "--auth-secret-file" => options with { AuthSecret = ReadSecretFile(Value()) },
                "--log-path" => options with { LogPath = Path.GetFullPath(Value()) },
                _ => throw new ArgumentException($"Unknown option {name}"),
            };
        }
        options.Validate();
        return options;
    }

    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException($"The port {Port} is not 0-65535");
        if (CertificateKeyPath is not null && CertificatePath is null)
            throw new ArgumentException("--certificate-key needs --certificate");
        if (!UsesTls && !IPAddress.IsLoopback(BindAddress) && !AllowHttp)
        {
            throw new ArgumentException(
                $"Plain HTTP on {BindAddress} would send trust answers in the clear: give --certificate, bind to loopback, " +
                "or say --allow-http");
        }
        if (MaxAge <= TimeSpan.Zero) throw new ArgumentException("The maximum age must be positive");
    }

    private static int ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port <= 65535
            ? port : throw new ArgumentException($"The port '{text}' is not 0-65535");

    private static IPAddress ParseAddress(string text) =>
        IPAddress.TryParse(text, out var address) ? address : throw new ArgumentException($"'{text}' is not an IP address");

    private static double ParsePositive(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0 && value < 1e9
            ? value : throw new ArgumentException($"{name} needs a positive number of seconds, not '{text}'");

    private static string ReadSecretFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new ArgumentException($"The auth secret file {path} does not exist");
        if (info.Length > 4096) throw new ArgumentException($"The auth secret file {path} is larger than 4 KiB");
        string secret = File.ReadAllText(path).Trim();
        return secret.Length > 0 ? secret : throw new ArgumentException($"The auth secret file {path} is empty");
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
