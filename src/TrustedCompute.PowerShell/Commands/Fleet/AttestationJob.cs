using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.Fleet;

namespace TrustedCompute.PowerShell.Commands.Fleet;

/// <summary>
/// A sweep as a PowerShell job: one child job per host holds that host's result (and its error), the parent holds
/// the progress. Receive-Job, Wait-Job and Stop-Job work on it as on Invoke-Command -AsJob's jobs.
/// </summary>
public sealed class AttestationJob : Job
{
    private readonly Dictionary<string, HostAttestationJob> _children = new(StringComparer.OrdinalIgnoreCase);
    private SweepRunner? _runner;
    private Thread? _thread;
    private volatile bool _stopRequested;

    internal AttestationJob(string command, string? name) : base(command, name) => PSJobTypeName = "AttestationJob";

    public override string StatusMessage => _runner is null ? "" : $"{_runner.Done}/{_runner.Sweep.Queued} hosts";
    public override bool HasMoreData => ChildJobs.Any(c => c.HasMoreData) || Progress.Count > 0;
    public override string Location => string.Join(", ", _children.Keys);

    internal void AddHost(string name)
    {
        if (_children.ContainsKey(name)) return;
        var child = new HostAttestationJob(Command, name);
        _children[name] = child;
        ChildJobs.Add(child);
    }

    /// <summary>Starts draining the sweep on the job's own thread; the job owns the runner from now on.</summary>
    internal void Start(SweepRunner runner)
    {
        _runner = runner;
        SetJobState(JobState.Running);
        foreach (var child in _children.Values) child.Begin();
        _thread = new Thread(Drain) { IsBackground = true, Name = "TrustedCompute sweep job" };
        _thread.Start();
    }

    private void Drain()
    {
        var writer = new JobWriter(this);
        try { _runner!.DrainAll(writer, CancellationToken.None); }
        finally
        {
            _runner!.Dispose();
            foreach (var child in _children.Values) child.Finish(JobState.Stopped);
            bool failed = _children.Values.Any(c => c.JobStateInfo.State == JobState.Failed);
            SetJobState(_stopRequested ? JobState.Stopped : failed ? JobState.Failed : JobState.Completed);
        }
    }

    public override void StopJob()
    {
        _stopRequested = true;
        _runner?.Stop();
        _thread?.Join(TimeSpan.FromSeconds(5));
    }

    private sealed class JobWriter(AttestationJob job) : ISweepWriter
    {
        public void Result(SweepOutcome outcome)
        {
            if (!job._children.TryGetValue(outcome.Target.Name, out var child)) return;
            child.Output.Add(PSObject.AsPSObject(outcome.Result));
            bool cancelled = outcome.CollectFailure?.Id == FleetReasonIds.Cancelled;
            child.Finish(cancelled ? JobState.Stopped : outcome.CollectFailure is null ? JobState.Completed : JobState.Failed);
        }

        public void Error(SweepOutcome outcome, ErrorRecord error)
        {
            if (job._children.TryGetValue(outcome.Target.Name, out var child)) child.Error.Add(error);
        }

        public void Progress(ProgressRecord progress) => job.Progress.Add(progress);
    }
}

/// <summary>One host of an <see cref="AttestationJob"/>: its result in Output, its failure in Error.</summary>
public sealed class HostAttestationJob : Job
{
    internal HostAttestationJob(string command, string host) : base(command, host) => HostName = host;

    public string HostName { get; }
    public override string StatusMessage => JobStateInfo.State.ToString();
    public override bool HasMoreData => Output.Count > 0 || Error.Count > 0;
    public override string Location => HostName;

    /// <summary>The result, once there is one (for scripts that look at the children).</summary>
    public AttestationResult? Result => Output.Count > 0 ? Output[0].BaseObject as AttestationResult : null;

    internal void Begin() => SetJobState(JobState.Running);

    internal void Finish(JobState state)
    {
        if (JobStateInfo.State is JobState.Running or JobState.NotStarted) SetJobState(state);
    }

    public override void StopJob() => Finish(JobState.Stopped);
}
