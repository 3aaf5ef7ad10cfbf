namespace TrustedCompute.Tpm.Transport;

/// <summary>
/// The one place that picks a transport from a connection string:
/// <c>swtpm:host=127.0.0.1,port=2321[,locality=N][,timeout=S]</c>, <c>device:/dev/tpmrm0</c>, <c>tbs:</c>.
/// Empty means <c>$TRUSTEDCOMPUTE_TPM</c>, else this platform's TPM.
/// </summary>
public static class TpmTransportFactory
{
    public const string EnvironmentVariable = "TRUSTEDCOMPUTE_TPM";

    public static string Resolve(string? connection)
    {
        if (!string.IsNullOrWhiteSpace(connection)) return connection.Trim();
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return fromEnvironment.Trim();
        return OperatingSystem.IsWindows() ? "tbs:" : "device:";
    }

    public static ITpmTransport Open(string? connection)
    {
        string resolved = Resolve(connection);
        int colon = resolved.IndexOf(':');
        string scheme = colon < 0 ? resolved : resolved[..colon];
        string rest = colon < 0 ? "" : resolved[(colon + 1)..];
        switch (scheme.ToLowerInvariant())
        {
            case "swtpm":
            case "mssim":
            case "tcp":
                var options = ParseOptions(rest);
                string host = options.GetValueOrDefault("host", "127.0.0.1");
                int port = ParseInt(options.GetValueOrDefault("port", "2321"), "port", 1, 65535);
                byte locality = (byte)ParseInt(options.GetValueOrDefault("locality", "0"), "locality", 0, 4);
                int seconds = ParseInt(options.GetValueOrDefault("timeout", "30"), "timeout", 1, 3600);
                return new SwtpmTransport(host, port, locality, TimeSpan.FromSeconds(seconds));
            case "device":
                if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("device: transports are for Linux; use tbs: on Windows");
                return rest.Length == 0 ? DeviceTransport.OpenDefault() : new DeviceTransport(rest);
            case "tbs":
                if (!OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("tbs: (TPM Base Services) exists only on Windows");
                return new TbsTransport();
            default:
                throw new ArgumentException($"Unknown TPM connection '{resolved}'. Use swtpm:host=H,port=P, device:/dev/tpmrm0 or tbs:");
        }
    }

    internal static Dictionary<string, string> ParseOptions(string text)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"TPM connection option '{part}' is not name=value");
            options[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }
        return options;
    }

    private static int ParseInt(string value, string name, int min, int max) =>
        int.TryParse(value, out int n) && n >= min && n <= max ? n
            : throw new ArgumentException($"TPM connection option {name}={value} is not a number from {min} to {max}");
}
