using System.Diagnostics;
using TrustedCompute.OpenStack;
using TrustedCompute.Tests.Env;
using Xunit;

namespace TrustedCompute.Tests.OpenStack;

[CollectionDefinition(Name)]
public sealed class OpenStackCollection : ICollectionFixture<OpenStackFixture>
{
    public const string Name = "OpenStack services";
}

/// <summary>
/// Real Keystone, Placement and Nova API on 127.0.0.1 for the whole OpenStack suite, started once by
/// tests/env/openstack.sh (exit code 77 = packages missing and not root: the tests skip). Stops the services at the
/// end only when it started them.
/// </summary>
public sealed class OpenStackFixture : IDisposable
{
    private readonly bool _startedHere;

    public OpenStackFixture()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/dpkg-query"))
        {
            Unavailable = "the OpenStack test services need Debian packages";
            return;
        }
        string script = TestPaths.EnvScript("openstack.sh");
        _startedHere = Run(script, "status").ExitCode != 0;
        var watch = Stopwatch.StartNew();
        var (exit, stdout, stderr) = Run(script, "start");
        StartSeconds = watch.Elapsed.TotalSeconds;
        if (exit == 77)
        {
            Unavailable = "OpenStack test services unavailable: " + stderr.Trim();
            _startedHere = false;
            return;
        }
        if (exit != 0) throw new InvalidOperationException($"openstack.sh start failed ({exit}): {stderr}");
        Environment = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2)).Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => (string?)kv[1]);
        Admin = new OpenStackSession(NewCloud());
    }

    public string? Unavailable { get; }

    /// <summary>Seconds openstack.sh start took for this run.</summary>
    public double StartSeconds { get; }

    /// <summary>The OS_* settings the script printed.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; } = new Dictionary<string, string?>();

    /// <summary>An admin session shared by tests for set-up and checks.</summary>
    public OpenStackSession Admin { get; } = null!;

    public void Require() => Skip.If(Unavailable is not null, Unavailable);

    /// <summary>Fresh settings from the printed OS_* variables (the openstackclient environment path).</summary>
    public OpenStackCloud NewCloud(Action<Dictionary<string, string?>>? edit = null)
    {
        var env = new Dictionary<string, string?>(Environment);
        edit?.Invoke(env);
        return OpenStackCloudLoader.Load(null, env, []);
    }

    /// <summary>Bulk flavors for paging tests, made once per run (tests/env/openstack.sh flavors, straight into the database).</summary>
    public const string BulkPrefix = "tc-bulk";

    public const int BulkCount = 1016;

    private readonly Lazy<bool> _bulk = new(() =>
    {
        var (exit, _, stderr) = Run(TestPaths.EnvScript("openstack.sh"), "flavors", BulkPrefix, BulkCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return exit == 0 ? true : throw new InvalidOperationException($"openstack.sh flavors failed ({exit}): {stderr}");
    });

    /// <summary>Makes sure the 1,016 bulk flavors exist (PREFIX-00000.., ids PREFIX-id-00000..).</summary>
    public void EnsureBulkFlavors() => _ = _bulk.Value;

    /// <summary>A session whose HTTP calls are recorded.</summary>
    public (OpenStackSession Session, RecordingHandler Calls) RecordedSession(Action<Dictionary<string, string?>>? edit = null)
    {
        var settings = NewCloud(edit);
        var calls = new RecordingHandler(OpenStackSession.CreateHandler(settings));
        return (new OpenStackSession(settings, calls), calls);
    }

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>A unique custom trait name for one test.</summary>
    public static string UniqueTrait() => "CUSTOM_TCTEST_" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();

    private static (int ExitCode, string Stdout, string Stderr) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(900_000)) { process.Kill(true); throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish"); }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose()
    {
        Admin?.Dispose();
        if (_startedHere) Run(TestPaths.EnvScript("openstack.sh"), "stop");
    }
}
