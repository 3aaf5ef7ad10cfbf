using System.Diagnostics;
using TrustedCompute.Fleet;

namespace TrustedCompute.PowerShell.Commands.Fleet;

/// <summary>
/// PowerShell reports every SSH failure alike ("the SSH transport process has abruptly terminated"). After such a
/// failure one plain ssh run (BatchMode, the same key, user, port and options, remote command `true`) tells a refused
/// key (collect.auth), a host that is not there (collect.unreachable) and a host whose PowerShell subsystem is
/// missing (SSH works: collect.module) apart.
/// </summary>
internal static class SshProbe
{
    public static async Task<EvidenceCollectionException> RefineAsync(SweepTarget target,
        EvidenceCollectionException failure, CancellationToken ct)
    {
        var info = new ProcessStartInfo("ssh")
        {
            RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in Arguments(target)) info.ArgumentList.Add(arg);
        Process process;
        try { process = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception) { return failure; }
        using (process)
        {
            process.StandardInput.Close();
            var stderr = process.StandardError.ReadToEndAsync(ct);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromSeconds(10));
            try { await process.WaitForExitAsync(limit.Token).ConfigureAwait(false); }
            catch (OperationCanceledException)
            {
                process.Kill();
                return failure;
            }
            string text = await stderr.ConfigureAwait(false);
            string detail = text.Trim().Split('\n').LastOrDefault()?.Trim() ?? "";
            if (process.ExitCode == 0)
                return new(FleetReasonIds.Module,
                    $"{target.Name}: SSH works, but PowerShell does not start as its 'powershell' subsystem", false, failure);
            if (text.Contains("Permission denied", StringComparison.Ordinal)
                || text.Contains("Host key verification failed", StringComparison.Ordinal)
                || text.Contains("Too many authentication failures", StringComparison.Ordinal))
                return new(FleetReasonIds.Auth, $"{target.Name}: {detail}", false, failure);
            return detail.Length == 0 ? failure
                : new(FleetReasonIds.Unreachable, $"{target.Name}: {detail}", true, failure);
        }
    }

    private static IEnumerable<string> Arguments(SweepTarget target)
    {
        yield return "-T";
        foreach (var (key, value) in target.Options.Append(new("BatchMode", "yes")).Append(new("ConnectTimeout", "5")))
        {
            yield return "-o";
            yield return $"{key}={value}";
        }
        if (target.KeyFilePath is not null) { yield return "-i"; yield return target.KeyFilePath; }
        if (target.Port is { } port) { yield return "-p"; yield return port.ToString(System.Globalization.CultureInfo.InvariantCulture); }
        if (target.UserName is not null) { yield return "-l"; yield return target.UserName; }
        yield return "--";
        yield return target.ConnectTo;
        yield return "true";
    }
}
