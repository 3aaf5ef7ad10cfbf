using System.Collections;
using System.Management.Automation;
using System.Security;
using TrustedCompute.Attestation;
using TrustedCompute.Fleet;
using TrustedCompute.OpenStack;
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
    /// <summary>Hosts another sweep of the same round attested (their latest results are counted above).</summary>
    public int Elsewhere { get; init; }
    /// <summary>0: every host Trusted; 1: some host is not; 2: the sweep was stopped before every host was done.</summary>
    public int ExitCode { get; init; }
    /// <summary>The sweep's record in the store.</summary>
    public string SweepId { get; init; } = "";
    /// <summary>Verdict changes the webhook delivered (-WebhookUri).</summary>
    public int WebhookDelivered { get; init; }
    /// <summary>What -SyncOpenStack changed in the trusted pool.</summary>
    public TrustedPoolChange[] PoolChanges { get; init; } = [];

    public override string ToString() => $"{Trusted}/{Total} Trusted, {Untrusted} Untrusted, {Unknown} Unknown";

    internal SweepSummary WithPoolChanges(TrustedPoolChange[] changes) => new()
    {
        Store = Store, Started = Started, Duration = Duration, Total = Total, Trusted = Trusted, Untrusted = Untrusted,
        Unknown = Unknown, NotTrusted = NotTrusted, Elsewhere = Elsewhere, ExitCode = ExitCode, SweepId = SweepId,
        WebhookDelivered = WebhookDelivered, PoolChanges = changes,
    };
}

/// <summary>
/// Attests every enrolled host (or those with a tag) over SSH and records every result, for schedules and runbooks.
/// No double work: a sweep of a SQLite store holds its lock (one sweep at a time); sweeps of a PostgreSQL store claim
/// each host with a lease, so several admin nodes share one fleet and take over the hosts of a node that died.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "AttestationSweep")]
[OutputType(typeof(AttestationResult), typeof(SweepSummary))]
public sealed class InvokeAttestationSweepCommand : StoreCmdlet
{
    private SweepRunner? _runner;
    private SweepLock? _lock;
    private readonly List<SweepOutcome> _outcomes = [];
    private IReadOnlyDictionary<string, AttestationResult> _previous = new Dictionary<string, AttestationResult>();
    private VerdictWebhook? _webhook;

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

    /// <summary>Posts each verdict change (JSON) here; https, or http to loopback only.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? WebhookUri { get; set; }

    /// <summary>Signs each post (HMAC-SHA256 of its time and body) with this secret, which the receiver shares.</summary>
    [Parameter]
    [Service.SecretTransformation]
    public SecureString? WebhookSecret { get; set; }

    /// <summary>Then brings the OpenStack trusted pool in line with the latest results of the swept hosts (Sync-TrustedPool).</summary>
    [Parameter]
    public SwitchParameter SyncOpenStack { get; set; }

    protected override void BeginProcessing()
    {
        if (WebhookUri is not null)
        {
            try { VerdictWebhook.Check(WebhookUri); }
            catch (ArgumentException e) { ThrowTerminatingError(e, ErrorIds.InvokeAttestationSweepWebhookInvalid, WebhookUri); }
        }
        if (WebhookSecret is not null && (WebhookUri is null || WebhookSecret.Length < VerdictWebhook.MinimumKeyLength))
        {
            string why = WebhookUri is null ? "-WebhookSecret needs -WebhookUri"
                : $"The webhook secret must have at least {VerdictWebhook.MinimumKeyLength} characters";
            ThrowTerminatingError(new ArgumentException(why), ErrorIds.InvokeAttestationSweepWebhookInvalid, null);
        }
        if (Store is not SqliteAttestationStore sqlite) return; // PostgreSQL: per-host claims
        try { _lock = SweepLock.TryAcquire(sqlite, TimeSpan.FromSeconds(LockTimeoutSec), CancellationToken); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(e, ErrorIds.StoreUnavailable, sqlite.Location);
        }
        if (_lock is null)
            ThrowTerminatingError(new InvalidOperationException($"Another sweep of {sqlite.Location} is running"),
                ErrorIds.InvokeAttestationSweepBusy, sqlite.Location);
    }

    protected override void EndProcessing()
    {
        var started = DateTime.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var writer = new Writer(this);
        VerdictWebhook? webhook = null;
        try
        {
            var store = Store;
            var hosts = Hosts();
            var timeout = TimeSpan.FromSeconds(TimeoutSec);
            var source = new RemotingEvidenceSource(ThrottleLimit, AttestationKeyHandle, NoEventLog, null)
            {
                Timeout = timeout, EventLogPath = EventLogPath,
            };
            var verifier = new Enrollment.EnrolledHostVerifier(store);
            var options = new SweepOptions
            {
                ThrottleLimit = ThrottleLimit, Timeout = timeout, Retries = RetryCount,
                Selection = [PcrSelection.Create(TpmAlgId.Sha256, [0, 1, 2, 3, 4, 5, 6, 7])],
            };
            var record = store.StartSweep($"{Environment.MachineName}:{Environment.ProcessId}", options.HostLease, exclusive: _lock is not null);
            WriteVerbose($"{record} started; round of {record.RoundStart:O}");
            if (WebhookUri is not null)
            {
                _previous = store.GetLatestResults(hosts.Select(h => h.Name)); // what a change is measured against
                webhook = new VerdictWebhook(WebhookUri, record.Id, record.Node)
                {
                    SigningKey = WebhookSecret is null ? null : SecretBytes(WebhookSecret),
                };
            }
            _webhook = webhook;
            _runner = new SweepRunner(new FleetSweep(source, () => new RegistryJudge(store), options, CancellationToken),
                "Sweeping enrolled hosts", source);
            string? key = KeyFilePath is null ? null : GetUnresolvedProviderPathFromPSPath(KeyFilePath);
            var sshOptions = SshOptions();
            var targets = hosts.Select(host =>
            {
                var policy = verifier.PolicyFor(host.Name)?.RequiredSelection();
                return RemoteTarget.ForSsh(host.Name, host.Name, UserName, key, Port, sshOptions) with
                {
                    Selection = policy is { Count: > 0 } ? policy : null,
                };
            }).ToList();
            var elsewhere = new List<string>();
            _runner.DrainClaimed(writer, new ClaimedSweep(_runner.Sweep, store, record, ThrottleLimit), targets, t =>
            {
                elsewhere.Add(t.Name);
                WriteVerbose($"{t.Name}: attested by another sweep of this round");
            }, CancellationToken);
            var latest = elsewhere.Count == 0 ? new Dictionary<string, AttestationResult>() : store.GetLatestResults(elsewhere);
            var deliveries = FinishWebhook(webhook);
            var summary = Summary(store.Location, started, clock.Elapsed, hosts.Count, elsewhere, latest, record.Id, deliveries);
            store.FinishSweep(record, new SweepTally(summary.Total, summary.Trusted, summary.Untrusted, summary.Unknown, summary.Elsewhere));
            if (SyncOpenStack && !CancellationToken.IsCancellationRequested)
                summary = summary.WithPoolChanges(SyncPool(store, hosts));
            if (PassThru) WriteObject(summary);
        }
        catch (StoreException e) { ThrowTerminatingError(e, ErrorIds.StoreOperationFailed, null); }
        finally
        {
            webhook?.Dispose();
            _runner?.Dispose();
            _lock?.Dispose();
            base.EndProcessing();
        }
    }

    private int FinishWebhook(VerdictWebhook? webhook)
    {
        if (webhook is null) return 0;
        foreach (var failure in webhook.Complete(TimeSpan.FromSeconds(60), CancellationToken))
        {
            WriteError(new HttpRequestException($"The webhook did not take the change of {failure.Change.HostName}: {failure.Message}"),
                ErrorIds.InvokeAttestationSweepWebhookFailed, failure.Change.HostName);
        }
        return webhook.Delivered;
    }

    /// <summary>
    /// Sync-TrustedPool in this runspace (its connection, its guard rails) with the latest result of every swept host:
    /// a host whose latest result is not a fresh Trusted loses the trait. Its errors become ours.
    /// </summary>
    private TrustedPoolChange[] SyncPool(IAttestationStore store, List<EnrolledHost> hosts)
    {
        var latest = store.GetLatestResults(hosts.Select(h => h.Name));
        var results = hosts.Select(h => latest.TryGetValue(h.Name, out var r) ? r : new AttestationResult
        {
            HostName = h.Name, Verdict = AttestationVerdict.Unknown, Time = DateTime.UtcNow,
            Reasons = [new AttestationReason(FleetReasonIds.Failed, ReasonSeverity.Indeterminate, $"{h.Name} has no result")],
        }).ToList();
        using var sync = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        sync.AddCommand("TrustedCompute\\Sync-TrustedPool");
        foreach (string name in new[] { "WhatIf", "Confirm" })
            if (MyInvocation.BoundParameters.TryGetValue(name, out var value)) sync.AddParameter(name, value);
        try
        {
            var changes = sync.Invoke(results).Select(o => o.BaseObject).OfType<TrustedPoolChange>().ToArray();
            foreach (var error in sync.Streams.Error) WriteError(error);
            return changes;
        }
        catch (RuntimeException e)
        {
            foreach (var error in sync.Streams.Error) WriteError(error);
            WriteError(e.ErrorRecord);
            return [];
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

    private SweepSummary Summary(string location, DateTime started, TimeSpan duration, int total, List<string> elsewhere,
        IReadOnlyDictionary<string, AttestationResult> latest, string sweepId, int delivered)
    {
        // Hosts another sweep attested count by the result it recorded; one without a result is not Trusted.
        var verdicts = _outcomes.Select(o => (o.Target.Name, o.Result.Verdict))
            .Concat(elsewhere.Select(n => (n, latest.TryGetValue(n, out var r) ? r.Verdict : AttestationVerdict.Unknown))).ToList();
        int Count(AttestationVerdict v) => verdicts.Count(x => x.Item2 == v);
        bool complete = verdicts.Count == total && _outcomes.All(o => o.CollectFailure?.Id != FleetReasonIds.Cancelled);
        int trusted = Count(AttestationVerdict.Trusted);
        return new SweepSummary
        {
            Store = location, Started = started, Duration = duration, Total = total, Trusted = trusted,
            Untrusted = Count(AttestationVerdict.Untrusted), Unknown = Count(AttestationVerdict.Unknown),
            NotTrusted = verdicts.Where(x => x.Item2 != AttestationVerdict.Trusted).Select(x => x.Item1)
                .Order(StringComparer.OrdinalIgnoreCase).ToArray(),
            Elsewhere = elsewhere.Count,
            ExitCode = !complete ? 2 : trusted == total ? 0 : 1,
            SweepId = sweepId,
            WebhookDelivered = delivered,
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
            if (cmdlet._webhook is { } webhook && outcome.CollectFailure?.Id != FleetReasonIds.Cancelled)
            {
                var previous = cmdlet._previous.TryGetValue(outcome.Target.Name, out var p) ? p.Verdict : (AttestationVerdict?)null;
                if (previous != outcome.Result.Verdict) webhook.Post(new VerdictChange(outcome.Target.Name, previous, outcome.Result));
            }
            if (!cmdlet.PassThru) cmdlet.WriteObject(outcome.Result);
        }

        public void Error(SweepOutcome outcome, ErrorRecord error) => cmdlet.WriteError(error);
        public void Progress(ProgressRecord progress) => cmdlet.WriteProgress(progress);
    }
}
