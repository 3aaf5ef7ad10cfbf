using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using TrustedCompute.Attestation;
using TrustedCompute.Fleet;
using TrustedCompute.PowerShell.Commands.Attestation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Fleet;

/// <summary>
/// Collects evidence over PowerShell remoting: for each host a pipeline in a private runspace pool opens the session
/// (SSH or WinRM) or uses the one given, checks the remote module's version, runs Get-AttestationEvidence there and
/// closes what it opened. Cancellation stops the pipeline, which closes the session and ends the remote pwsh.
/// </summary>
internal sealed class RemotingEvidenceSource : IEvidenceSource, IDisposable
{
    /// <summary>Marks a failure the remote side reports about its module, so that it maps to collect.module.</summary>
    private const string ModuleMark = "TRUSTEDCOMPUTE-MODULE:";

    private const string Script = """
        param($Connect, $Parameters, $Version, $OpenTimeoutMs, $Session)
        $ErrorActionPreference = 'Stop'
        $opened = $null
        try {
            if (-not $Session) {
                if ($Connect.ContainsKey('ComputerName')) {
                    $Connect['SessionOption'] = New-PSSessionOption -OpenTimeout $OpenTimeoutMs
                }
                $opened = $Session = New-PSSession @Connect
            }
            Invoke-Command -Session $Session -ArgumentList $Parameters, $Version -ScriptBlock {
                param($p, $version)
                $null = $null
                $mark = 'TRUSTEDCOMPUTE-MODULE:'
                $m = Get-Module TrustedCompute
                if (-not $m) {
                    $all = @(Get-Module TrustedCompute -ListAvailable)
                    $m = $all | Where-Object { $_.Version -eq $version } | Select-Object -First 1
                    if (-not $m) {
                        $found = if ($all) { 'only ' + (($all.Version | Sort-Object -Unique) -join ', ') } else { 'none' }
                        throw "$mark the host has no TrustedCompute $version ($found)"
                    }
                    Import-Module $m
                }
                elseif ($m.Version -ne $version) { throw "$mark the host runs TrustedCompute $($m.Version), not $version" }
                Get-AttestationEvidence @p
            }
        }
        finally { if ($opened) { Remove-PSSession $opened } }
        """;

    private readonly RunspacePool _pool;
    private readonly uint _attestationKeyHandle;
    private readonly bool _noEventLog;
    private readonly string? _tpm;
    private readonly Version _version;

    public RemotingEvidenceSource(int throttleLimit, uint attestationKeyHandle, bool noEventLog, string? tpm)
    {
        (_attestationKeyHandle, _noEventLog, _tpm) = (attestationKeyHandle, noEventLog, tpm);
        _version = ThisModuleVersion;
        _pool = RunspaceFactory.CreateRunspacePool(InitialSessionState.CreateDefault());
        _pool.SetMaxRunspaces(throttleLimit);
        _pool.Open();
    }

    /// <summary>This module's version (major.minor.build), which every host must have.</summary>
    public static Version ThisModuleVersion
    {
        get
        {
            var v = typeof(RemotingEvidenceSource).Assembly.GetName().Version ?? new Version(0, 0);
            return new Version(v.Major, v.Minor, Math.Max(v.Build, 0));
        }
    }

    /// <summary>The module version the hosts must have (this module's).</summary>
    public Version ModuleVersion => _version;

    /// <summary>The event log file on each host (resolved there: "~" is the remote user's home); default: the host's own.</summary>
    public string? EventLogPath { get; init; }

    /// <summary>Sweep timeout, for the connection attempt inside it.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    public async Task<AttestationEvidence> CollectAsync(SweepTarget target, EvidenceRequest request, CancellationToken ct)
    {
        var selection = request.Selection;
        var parameters = AttestationInput.RemoteParameters(request.Nonce, selection[0].Indexes.ToArray(),
            selection.Select(s => TpmHash.BankName(s.Bank)).ToArray(), _attestationKeyHandle, _noEventLog, _tpm, EventLogPath);
        var remote = target.Handle as RemoteTarget;
        using var ps = System.Management.Automation.PowerShell.Create();
        ps.RunspacePool = _pool;
        ps.AddScript(Script)
            .AddParameter("Connect", RemoteTarget.SessionParameters(target, Timeout) ?? new Hashtable())
            .AddParameter("Parameters", parameters)
            .AddParameter("Version", _version.ToString())
            .AddParameter("OpenTimeoutMs", (int)Math.Min(Timeout.TotalMilliseconds, int.MaxValue))
            .AddParameter("Session", remote?.Session);
        using var stop = ct.Register(() => { try { ps.BeginStop(null, null); } catch (InvalidOperationException) { } });
        PSDataCollection<PSObject> output;
        try
        {
            var pending = ps.BeginInvoke();
            output = await Task.Factory.FromAsync(pending, ps.EndInvoke).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PipelineStoppedException && ct.IsCancellationRequested)
        {
            throw new OperationCanceledException($"{target.Name}: stopped", e, ct);
        }
        catch (RuntimeException e) when (!ct.IsCancellationRequested)
        {
            var failure = Classify(target, e);
            bool opening = e.ErrorRecord?.FullyQualifiedErrorId?.Contains("PSSessionOpenFailed", StringComparison.Ordinal) == true;
            if (opening && remote?.Transport is null or RemoteTransport.Ssh && failure.ReasonId is FleetReasonIds.Unreachable)
                failure = await SshProbe.RefineAsync(target, failure, ct).ConfigureAwait(false);
            throw failure;
        }
        ct.ThrowIfCancellationRequested();
        var bundles = output.Where(o => o?.BaseObject is not ErrorRecord).ToList();
        if (bundles.Count != 1)
            throw new EvidenceCollectionException(FleetReasonIds.Failed,
                $"{target.Name} returned {bundles.Count} objects instead of one evidence bundle");
        try { return AttestationInput.ToEvidence(bundles[0]); }
        catch (InvalidDataException e)
        {
            throw new EvidenceCollectionException(FleetReasonIds.Failed, $"{target.Name} returned bad evidence: {e.Message}", false, e);
        }
    }

    /// <summary>Maps a remoting failure to its reason; the message is PowerShell's (no secret is ever in it).</summary>
    internal static EvidenceCollectionException Classify(SweepTarget target, RuntimeException e)
    {
        string message = e.ErrorRecord?.Exception?.Message is { Length: > 0 } inner ? inner : e.Message;
        string fqid = e.ErrorRecord?.FullyQualifiedErrorId ?? "";
        string text = message + " " + fqid;
        bool Has(params string[] words) => words.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase));
        string show = $"{target.Name}: {message}";
        int mark = message.IndexOf(ModuleMark, StringComparison.Ordinal);
        if (mark >= 0)
            return new(FleetReasonIds.Module, $"{target.Name}: {message[(mark + ModuleMark.Length)..].Trim()}", false, e);
        if (Has("subsystem request failed"))
            return new(FleetReasonIds.Module, $"{target.Name}: PowerShell is not available as an SSH subsystem ({message})", false, e);
        if (Has("Permission denied", "Authentication failed", "Access is denied", "AccessDenied", "LogonFailure",
                "Host key verification failed", "AuthenticationFailed"))
            return new(FleetReasonIds.Auth, show, false, e);
        if (Has(nameof(ErrorIds.GetAttestationEvidenceEventLogUnreadable)))
            return new(FleetReasonIds.Failed, $"{target.Name}: the event log could not be read there ({message})", false, e);
        if (Has("did not answer within"))
            return new(FleetReasonIds.Timeout, show, true, e);
        if (Has("GetAttestationEvidence", "TpmTransport", "TPM simulator", "TPM device", "TPM_RC"))
            return new(FleetReasonIds.Tpm, show, false, e);
        if (Has("SSH connection attempt failed", "connect to host"))
            return new(FleetReasonIds.Unreachable, show, true, e);
        if (Has("timed out", "Timeout"))
            return new(FleetReasonIds.Timeout, show, true, e);
        if (Has("PSSessionOpenFailed", "No route", "refused", "Could not resolve", "closed by remote host",
                "Connection reset", "Broken", "PSRemotingTransportException", "pipe", "session has ended", "Connection closed",
                "abruptly terminated",
                "NetworkPathNotFound", "WinRM cannot complete"))
            return new(FleetReasonIds.Unreachable, show, true, e);
        return new(FleetReasonIds.Failed, show, false, e);
    }

    public void Dispose() => _pool.Dispose();
}
