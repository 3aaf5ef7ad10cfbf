using System.Globalization;

namespace TrustedCompute.Tpm.Transport;

/// <summary>What a <c>swtpm:</c> connection string asks for.</summary>
internal sealed record SwtpmSettings(string Host, int Port, byte Locality, TimeSpan Timeout);

/// <summary>
/// The one place that picks a transport from a connection string:
/// <c>swtpm:host=127.0.0.1,port=2321[,locality=N][,timeout=S]</c>, <c>device:/dev/tpmrm0</c>, <c>tbs:</c>.
/// Empty means <c>$TRUSTEDCOMPUTE_TPM</c>, else this platform's TPM.
/// </summary>
public static class TpmTransportFactory
{
    public const string EnvironmentVariable = "TRUSTEDCOMPUTE_TPM";

    /// <summary>The keys a swtpm: connection string may have.</summary>
    public static readonly IReadOnlyList<string> SwtpmKeys = ["host", "port", "locality", "timeout"];

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
                var s = ParseSwtpm(rest);
                return new SwtpmTransport(s.Host, s.Port, s.Locality, s.Timeout);
            case "device":
                if (rest.Contains('=') || rest.Contains(','))
                    throw new ArgumentException($"device: takes a device path such as device:/dev/tpmrm0, not '{rest}'");
                if (OperatingSystem.IsWindows())
                    throw new PlatformNotSupportedException("device: transports are for Linux; use tbs: on Windows");
                return rest.Length == 0 ? DeviceTransport.OpenDefault() : new DeviceTransport(rest);
            case "tbs":
                if (rest.Trim().Length > 0) throw new ArgumentException($"tbs: takes no options, got '{rest}'");
                if (!OperatingSystem.IsWindows())
                    throw new PlatformNotSupportedException("tbs: (TPM Base Services) exists only on Windows");
                return new TbsTransport();
            default:
                throw new ArgumentException(
                    $"Unknown TPM connection '{resolved}'. Use swtpm:host=H,port=P, device:/dev/tpmrm0 or tbs:");
        }
    }

    /// <summary>Reads the options after <c>swtpm:</c>; unknown or repeated keys and bad numbers are errors.</summary>
    internal static SwtpmSettings ParseSwtpm(string text)
    {
        var options = ParseOptions(text);
        string host = options.GetValueOrDefault("host", "127.0.0.1");
        if (host.Length == 0) throw new ArgumentException("TPM connection option host= is empty");
        int port = ParseInt(options.GetValueOrDefault("port", "2321"), "port", 1, 65535);
        byte locality = (byte)ParseInt(options.GetValueOrDefault("locality", "0"), "locality", 0, 4);
        int seconds = ParseInt(options.GetValueOrDefault("timeout", "30"), "timeout", 1, 3600);
        return new SwtpmSettings(host, port, locality, TimeSpan.FromSeconds(seconds));
    }

    internal static Dictionary<string, string> ParseOptions(string text)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string part in parts)
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"TPM connection option '{part}' is not name=value");
            string key = part[..eq].Trim();
            if (!SwtpmKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException(
                    $"Unknown TPM connection option '{key}'; the options are {string.Join(", ", SwtpmKeys)}");
            }
            if (!options.TryAdd(key, part[(eq + 1)..].Trim()))
                throw new ArgumentException($"TPM connection option '{key}' is given more than once");
        }
        return options;
    }

    /// <summary>ASCII digits only, whatever the current culture: no sign, no spaces, no native digits.</summary>
    private static int ParseInt(string value, string name, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max ? n
            : throw new ArgumentException(
                $"TPM connection option {name}={value} is not a number from {min} to {max} (digits 0-9 only)");
}
