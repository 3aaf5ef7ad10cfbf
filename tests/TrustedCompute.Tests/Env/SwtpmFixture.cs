using System.Diagnostics;
using Xunit;

namespace TrustedCompute.Tests.Env;

/// <summary>
/// One swtpm simulator for a test class (xunit IClassFixture), started and stopped by tests/env/swtpm.sh.
/// Tests call <see cref="Require"/> first: it skips them where swtpm is not installed.
/// </summary>
public sealed class SwtpmFixture : IDisposable
{
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "tc-swtpm-" + Guid.NewGuid().ToString("N")[..12]);

    public SwtpmFixture()
    {
        if (!ToolExists("swtpm") || !ToolExists("tpm2_pcrread"))
        {
            Unavailable = "swtpm and tpm2-tools are not installed";
            return;
        }
        var values = Run(TestPaths.EnvScript("swtpm.sh"), "start", _stateDir)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1]);
        ConnectionString = values["TRUSTEDCOMPUTE_TPM"];
        Port = int.Parse(values["PORT"]);
        CaDirectory = values["CA_DIR"];
    }

    public string? Unavailable { get; }
    public string ConnectionString { get; } = "";
    public int Port { get; }
    public string CaDirectory { get; } = "";

    /// <summary>The TCTI string tpm2-tools take for this simulator.</summary>
    public string Tcti => $"swtpm:host=127.0.0.1,port={Port}";

    public void Require() => Skip.If(Unavailable is not null, Unavailable);

    /// <summary>Runs a tpm2-tools command against this simulator; returns stdout, throws on a non-zero exit.</summary>
    public string Tpm2(string tool, params string[] args) => Run(tool, ["-T", Tcti, .. args]);

    public static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(60_000)) { process.Kill(true); throw new TimeoutException($"{file} did not finish in 60 s"); }
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {stderr}");
        return stdout.Result;
    }

    private static bool ToolExists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, name)));

    public void Dispose()
    {
        if (Unavailable is not null) return;
        try { Run(TestPaths.EnvScript("swtpm.sh"), "stop", _stateDir); }
        finally { try { Directory.Delete(_stateDir, true); } catch (IOException) { } }
    }
}
