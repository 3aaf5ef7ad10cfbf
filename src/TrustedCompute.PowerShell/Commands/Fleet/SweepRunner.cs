using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.Fleet;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.Fleet;

/// <summary>Where a sweep's output goes: the cmdlet's pipeline, or a job's child streams. Called on one thread.</summary>
internal interface ISweepWriter
{
    void Result(SweepOutcome outcome);
    void Error(SweepOutcome outcome, ErrorRecord error);
    void Progress(ProgressRecord progress);
}

/// <summary>
/// Runs a <see cref="FleetSweep"/> for a cmdlet or a job: feeds targets, and on the caller's thread turns each
/// outcome into a result, a non-terminating error for a host that failed, and a progress record (done/total and the
/// count of each verdict).
/// </summary>
internal sealed class SweepRunner : IDisposable
{
    private const int ProgressId = 1;
    private readonly FleetSweep _sweep;
    private readonly string _activity;
    private readonly IDisposable? _owned;
    private int? _total;
    private volatile bool _stopped;
    private readonly Dictionary<AttestationVerdict, int> _counts = new()
    {
        [AttestationVerdict.Trusted] = 0, [AttestationVerdict.Untrusted] = 0, [AttestationVerdict.Unknown] = 0,
    };

    public SweepRunner(FleetSweep sweep, string activity, IDisposable? owned = null) =>
        (_sweep, _activity, _owned) = (sweep, activity, owned);

    public int Done { get; private set; }
    public IReadOnlyDictionary<AttestationVerdict, int> Counts => _counts;
    public FleetSweep Sweep => _sweep;

    public bool Add(SweepTarget target) => _sweep.Add(target);

    /// <summary>Writes what is ready now; never waits (for ProcessRecord).</summary>
    public void DrainReady(ISweepWriter writer)
    {
        while (_sweep.TryTake(out var outcome)) Write(writer, outcome!);
    }

    /// <summary>No more targets: writes every outcome as it comes until the sweep ends, then completes the progress.</summary>
    public void DrainAll(ISweepWriter writer, CancellationToken stopping)
    {
        _sweep.Complete();
        while (!_sweep.IsFinished)
        {
            if (_sweep.Take(TimeSpan.FromMilliseconds(100)) is { } outcome && !stopping.IsCancellationRequested)
                Write(writer, outcome);
        }
        if (!stopping.IsCancellationRequested)
            writer.Progress(new ProgressRecord(ProgressId, _activity, Status()) { RecordType = ProgressRecordType.Completed });
    }

    /// <summary>
    /// Attests the targets this sweep claims in the store (see <see cref="ClaimedSweep"/>), writing each outcome as it
    /// comes; hosts another sweep of the round attested count as done and go to <paramref name="elsewhere"/>.
    /// </summary>
    public void DrainClaimed(ISweepWriter writer, ClaimedSweep claimed, IReadOnlyList<SweepTarget> targets,
        Action<SweepTarget> elsewhere, CancellationToken stopping)
    {
        _total = targets.Count;
        claimed.Run(targets, outcome => { if (!stopping.IsCancellationRequested) Write(writer, outcome); }, target =>
        {
            Done++;
            Elsewhere++;
            elsewhere(target);
            writer.Progress(new ProgressRecord(ProgressId, _activity, Status())
            {
                PercentComplete = Math.Min(100, Done * 100 / Math.Max(1, Total)), CurrentOperation = $"{target.Name}: attested by another sweep",
            });
        }, stopping);
        if (!stopping.IsCancellationRequested)
            writer.Progress(new ProgressRecord(ProgressId, _activity, Status()) { RecordType = ProgressRecordType.Completed });
    }

    public int Elsewhere { get; private set; }

    private int Total => _total ?? Math.Max(_sweep.Queued, Done);

    private void Write(ISweepWriter writer, SweepOutcome outcome)
    {
        Done++;
        _counts[outcome.Result.Verdict]++;
        if (outcome.JudgeError is { } judge)
            writer.Error(outcome, ErrorMapper.ToErrorRecord(judge, ErrorIds.StoreOperationFailed, outcome.Target.Name));
        if (outcome.CollectFailure is { } failure)
            writer.Error(outcome, CollectError(outcome.Target.Name, failure));
        writer.Result(outcome);
        int total = Total;
        writer.Progress(new ProgressRecord(ProgressId, _activity, Status())
        {
            PercentComplete = total == 0 ? 0 : Math.Min(100, Done * 100 / total),
            CurrentOperation = $"{outcome.Target.Name}: {outcome.Result.Verdict}",
        });
    }

    private string Status() =>
        $"{Done}/{Total} done: {_counts[AttestationVerdict.Trusted]} Trusted, " +
        $"{_counts[AttestationVerdict.Untrusted]} Untrusted, {_counts[AttestationVerdict.Unknown]} Unknown" +
        (Elsewhere > 0 ? $", {Elsewhere} by another sweep" : "");

    /// <summary>The non-terminating error of a host whose evidence could not be had; the reason id is in the message.</summary>
    public static ErrorRecord CollectError(string host, AttestationReason failure)
    {
        var category = failure.Id switch
        {
            FleetReasonIds.Unreachable => ErrorCategory.ConnectionError,
            FleetReasonIds.Auth => ErrorCategory.AuthenticationError,
            FleetReasonIds.Timeout => ErrorCategory.OperationTimeout,
            FleetReasonIds.Tpm => ErrorCategory.DeviceError,
            FleetReasonIds.Module => ErrorCategory.NotInstalled,
            FleetReasonIds.Cancelled => ErrorCategory.OperationStopped,
            _ => ErrorCategory.NotSpecified,
        };
        var exception = new EvidenceCollectionException(failure.Id, $"{failure.Id}: {failure.Message}");
        return new ErrorRecord(exception, ErrorIds.InvokeHostAttestationRemoteFailed, category, host);
    }

    public void Stop()
    {
        _stopped = true;
        _sweep.Stop();
    }

    /// <summary>
    /// After a stop (Ctrl+C, Stop-Job) the source's remote pipelines are still closing their sessions: that finishes in
    /// the background, so that the prompt comes back at once.
    /// </summary>
    public void Dispose()
    {
        _sweep.Dispose();
        if (_owned is null) return;
        if (_stopped) _ = Task.Run(_owned.Dispose);
        else _owned.Dispose();
    }
}
