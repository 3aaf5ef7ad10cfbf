using System.Collections;
using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.Fleet;
using TrustedCompute.PowerShell.Commands.Registry;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Store;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Fleet;

/// <summary>What a sweep did, for runbooks and schedules: counts, the hosts that were not Trusted, an exit code.</summary>
public sealed class SweepSummary
{
    public required string Store { get; init; }
    public DateTime Started { get; init; }
    public TimeSpan Duration { get; init; }
    public int Total { get; init; }
    public int Trusted { get; init; }
    public int Untrusted { get; init; }
    public int Unknown { get; init; }
    /// <summary>Hosts that are not Trusted, by name.</summary>
    public string[] NotTrusted { get; init; } = [];
    /// <summary>0: every host Trusted; 1: some host is not; 2: the sweep was stopped before every host was done.</summary>
    public int ExitCode { get; init; }

    public override string ToString() => $"{Trusted}/{Total} Trusted, {Untrusted} Untrusted, {Unknown} Unknown";
}

/// <summary>
/// Attests every enrolled host (or those with a tag) over SSH, records every result, and holds the store's sweep
/// lock meanwhile so that two sweeps of one store never attest the same hosts at once. For schedules and runbooks.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "AttestationSweep")]
[OutputType(typeof(AttestationResult), typeof(SweepSummary))]
public sealed class InvokeAttestationSweepCommand : StoreCmdlet
{
    private SweepRunner? _runner;
    private SweepLock? _lock;
    private readonly List<SweepOutcome> _outcomes = [];

    /// <summary>Only the hosts with any of these tags.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Tag { get; set; }

    /// <summary>Only the hosts whose names match (wildcards).</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UserName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int? Port { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Hashtable? Options { get; set; }

    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = SweepOptions.DefaultThrottleLimit;

    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = 60;

    [Parameter]
    [ValidateRange(0, 10)]
    public int RetryCount { get; set; } = 1;

    /// <summary>How long to wait for another sweep of the same store to finish (default 0: fail at once).</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int LockTimeoutSec { get; set; }

    [Parameter]
    [ValidateRange(0x81000000u, 0x81FFFFFFu)]
    [TpmHandleTransformation]
    public uint AttestationKeyHandle { get; set; } = TpmHandles.DefaultAttestationKey;

    [Parameter]
    public SwitchParameter NoEventLog { get; set; }

    /// <summary>The event log file on each host, resolved there ("~" is the SSH user's home); default: the host's own.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? EventLogPath { get; set; }

    /// <summary>Write one SweepSummary at the end instead of the results.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing()
    {
        var store = Store;
        if (store is not SqliteAttestationStore sqlite)
        {
            ThrowTerminatingError(new NotSupportedException(
                "Invoke-AttestationSweep takes a SQLite store for now: per-host claims for a shared PostgreSQL store are not built yet"),
                ErrorIds.InvokeAttestationSweepStoreNotSupported, store.Location);
            return;
        }
        try { _lock = SweepLock.TryAcquire(sqlite, TimeSpan.FromSeconds(LockTimeoutSec), CancellationToken); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(e, ErrorIds.StoreUnavailable, store.Location);
        }
        if (_lock is null)
            ThrowTerminatingError(new InvalidOperationException($"Another sweep of {store.Location} is running"),
                ErrorIds.InvokeAttestationSweepBusy, store.Location);
    }

    protected override void EndProcessing()
    {
        var started = DateTime.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var writer = new Writer(this);
        try
        {
            var hosts = Hosts();
            var timeout = TimeSpan.FromSeconds(TimeoutSec);
            var source = new RemotingEvidenceSource(ThrottleLimit, AttestationKeyHandle, NoEventLog, null)
            {
                Timeout = timeout, EventLogPath = EventLogPath,
            };
            var verifier = new Enrollment.EnrolledHostVerifier(Store);
            var options = new SweepOptions
            {
                ThrottleLimit = ThrottleLimit, Timeout = timeout, Retries = RetryCount,
                Selection = [PcrSelection.Create(TpmAlgId.Sha256, [0, 1, 2, 3, 4, 5, 6, 7])],
            };
            var store = Store;
            _runner = new SweepRunner(new FleetSweep(source, () => new RegistryJudge(store), options, CancellationToken),
                "Sweeping enrolled hosts", source);
            string? key = KeyFilePath is null ? null : GetUnresolvedProviderPathFromPSPath(KeyFilePath);
            var sshOptions = SshOptions();
            foreach (var host in hosts)
            {
                var policy = verifier.PolicyFor(host.Name)?.RequiredSelection();
                _runner.Add(RemoteTarget.ForSsh(host.Name, host.Name, UserName, key, Port, sshOptions) with
                {
                    Selection = policy is { Count: > 0 } ? policy : null,
                });
            }
            _runner.DrainAll(writer, CancellationToken);
            if (PassThru) WriteObject(Summary(store.Location, started, clock.Elapsed, hosts.Count));
        }
        catch (StoreException e) { ThrowTerminatingError(e, ErrorIds.StoreOperationFailed, null); }
        finally
        {
            _runner?.Dispose();
            _lock?.Dispose();
            base.EndProcessing();
        }
    }

    protected override void StopProcessing()
    {
        base.StopProcessing();
        _runner?.Stop();
    }

    private List<EnrolledHost> Hosts()
    {
        var match = Matcher(Name);
        return Store.GetHosts().Where(h => match(h.Name))
            .Where(h => Tag is null || h.Tags.Any(t => Tag.Contains(t, StringComparer.OrdinalIgnoreCase))).ToList();
    }

    private SweepSummary Summary(string location, DateTime started, TimeSpan duration, int total)
    {
        int Count(AttestationVerdict v) => _outcomes.Count(o => o.Result.Verdict == v);
        bool complete = _outcomes.Count == total && _outcomes.All(o => o.CollectFailure?.Id != FleetReasonIds.Cancelled);
        int trusted = Count(AttestationVerdict.Trusted);
        return new SweepSummary
        {
            Store = location, Started = started, Duration = duration, Total = total, Trusted = trusted,
            Untrusted = Count(AttestationVerdict.Untrusted), Unknown = Count(AttestationVerdict.Unknown),
            NotTrusted = _outcomes.Where(o => o.Result.Verdict != AttestationVerdict.Trusted).Select(o => o.Target.Name)
                .Order(StringComparer.OrdinalIgnoreCase).ToArray(),
            ExitCode = !complete ? 2 : trusted == total ? 0 : 1,
        };
    }

    private Dictionary<string, string> SshOptions()
    {
        try { return RemoteTarget.SshOptions(Options); }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(e, ErrorIds.InvokeHostAttestationTargetInvalid, Options);
            throw; // not reached
        }
    }

    private sealed class Writer(InvokeAttestationSweepCommand cmdlet) : ISweepWriter
    {
        public void Result(SweepOutcome outcome)
        {
            cmdlet._outcomes.Add(outcome);
            if (!cmdlet.PassThru) cmdlet.WriteObject(outcome.Result);
        }

        public void Error(SweepOutcome outcome, ErrorRecord error) => cmdlet.WriteError(error);
        public void Progress(ProgressRecord progress) => cmdlet.WriteProgress(progress);
    }
}
