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

    private void Write(ISweepWriter writer, SweepOutcome outcome)
    {
        Done++;
        _counts[outcome.Result.Verdict]++;
        if (outcome.JudgeError is { } judge)
            writer.Error(outcome, ErrorMapper.ToErrorRecord(judge, ErrorIds.StoreOperationFailed, outcome.Target.Name));
        if (outcome.CollectFailure is { } failure)
            writer.Error(outcome, CollectError(outcome.Target.Name, failure));
        writer.Result(outcome);
        int total = Math.Max(_sweep.Queued, Done);
        writer.Progress(new ProgressRecord(ProgressId, _activity, Status())
        {
            PercentComplete = total == 0 ? 0 : Math.Min(100, Done * 100 / total),
            CurrentOperation = $"{outcome.Target.Name}: {outcome.Result.Verdict}",
        });
    }

    private string Status() =>
        $"{Done}/{Math.Max(_sweep.Queued, Done)} done: {_counts[AttestationVerdict.Trusted]} Trusted, " +
        $"{_counts[AttestationVerdict.Untrusted]} Untrusted, {_counts[AttestationVerdict.Unknown]} Unknown";

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

    public void Stop() => _sweep.Stop();

    public void Dispose()
    {
        _sweep.Dispose();
        _owned?.Dispose();
    }
}
