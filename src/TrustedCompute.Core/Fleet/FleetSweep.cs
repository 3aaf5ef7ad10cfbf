using System.Diagnostics;
using System.Security.Cryptography;
using System.Threading.Channels;
using TrustedCompute.Attestation;

namespace TrustedCompute.Fleet;

/// <summary>
/// The sweep engine: a queue of targets, at most <see cref="SweepOptions.ThrottleLimit"/> in flight, a timeout and
/// retries per host, and exactly one outcome per distinct target, whatever happens to it (a failing host, a
/// throwing source or judge, cancellation). Targets may be added while outcomes stream out; the caller drains
/// outcomes on its own thread (the cmdlet's pipeline thread). Knows nothing of PowerShell.
/// </summary>
public sealed class FleetSweep : IDisposable
{
    private readonly IEvidenceSource _source;
    private readonly Func<IHostJudge> _judges;
    private readonly SweepOptions _options;
    private readonly Channel<SweepTarget> _targets = Channel.CreateUnbounded<SweepTarget>();
    private readonly Channel<SweepOutcome> _outcomes = Channel.CreateUnbounded<SweepOutcome>();
    private readonly HashSet<string> _seen = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stop;
    private readonly Task _workers;
    private int _inFlight;
    private int _maxInFlight;

    public FleetSweep(IEvidenceSource source, Func<IHostJudge> judges, SweepOptions options,
        CancellationToken cancellationToken = default)
    {
        options.Validate();
        (_source, _judges, _options) = (source, judges, options);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _workers = Task.WhenAll(Enumerable.Range(0, options.ThrottleLimit).Select(_ => Task.Run(WorkAsync)))
            .ContinueWith(_ => _outcomes.Writer.TryComplete(), TaskScheduler.Default);
    }

    /// <summary>Targets queued so far (duplicates not counted).</summary>
    public int Queued { get; private set; }
    /// <summary>The most hosts that were in flight at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);
    public bool IsStopping => _stop.IsCancellationRequested;

    /// <summary>Queues a target; false (and no outcome) when one of that name is queued already or the sweep stopped.</summary>
    public bool Add(SweepTarget target)
    {
        ArgumentException.ThrowIfNullOrEmpty(target.Name);
        if (_stop.IsCancellationRequested || !_seen.Add(target.Name)) return false;
        if (!_targets.Writer.TryWrite(target)) return false;
        Queued++;
        return true;
    }

    /// <summary>No more targets: the outcomes end once every queued target has one.</summary>
    public void Complete() => _targets.Writer.TryComplete();

    /// <summary>Stops the sweep: hosts in flight are cancelled, queued ones get a cancelled outcome without work.</summary>
    public void Stop()
    {
        _targets.Writer.TryComplete();
        _stop.Cancel();
    }

    /// <summary>An outcome that is ready now, without waiting.</summary>
    public bool TryTake(out SweepOutcome? outcome) => _outcomes.Reader.TryRead(out outcome);

    /// <summary>Waits up to <paramref name="wait"/> for the next outcome; null on timeout or when all are out.</summary>
    public SweepOutcome? Take(TimeSpan wait)
    {
        if (_outcomes.Reader.TryRead(out var ready)) return ready;
        using var timer = new CancellationTokenSource(wait);
        try
        {
            return _outcomes.Reader.WaitToReadAsync(timer.Token).AsTask().GetAwaiter().GetResult()
                && _outcomes.Reader.TryRead(out var next) ? next : null;
        }
        catch (OperationCanceledException) { return null; }
    }

    /// <summary>True once every queued target's outcome has been taken (after <see cref="Complete"/>).</summary>
    public bool IsFinished => _outcomes.Reader.Completion.IsCompleted;

    /// <summary>Every outcome as it comes, until the sweep is finished (call <see cref="Complete"/> first).</summary>
    public IEnumerable<SweepOutcome> TakeAll()
    {
        while (!IsFinished)
        {
            if (Take(TimeSpan.FromMilliseconds(200)) is { } outcome) yield return outcome;
        }
    }

    private async Task WorkAsync()
    {
        IHostJudge? judge = null;
        Exception? noJudge = null;
        try
        {
            while (await WaitForTargetAsync().ConfigureAwait(false))
            {
                while (_targets.Reader.TryRead(out var target))
                {
                    if (judge is null && noJudge is null)
                    {
                        try { judge = _judges(); }
                        catch (Exception e) { noJudge = e; }
                    }
                    var outcome = _stop.IsCancellationRequested ? Cancelled(target, 0, TimeSpan.Zero)
                        : judge is null ? NoJudge(target, noJudge!)
                        : await AttestAsync(judge, target).ConfigureAwait(false);
                    _outcomes.Writer.TryWrite(outcome);
                }
            }
        }
        finally { (judge as IDisposable)?.Dispose(); }
    }

    private async Task<bool> WaitForTargetAsync()
    {
        try { return await _targets.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { return _targets.Reader.TryPeek(out _); }
    }

    private async Task<SweepOutcome> AttestAsync(IHostJudge judge, SweepTarget target)
    {
        var clock = Stopwatch.StartNew();
        int inFlight = Interlocked.Increment(ref _inFlight);
        for (int seen = Volatile.Read(ref _maxInFlight); inFlight > seen; seen = Volatile.Read(ref _maxInFlight))
            if (Interlocked.CompareExchange(ref _maxInFlight, inFlight, seen) == seen) break;
        try
        {
            AttestationReason? failure = null;
            for (int attempt = 1; ; attempt++)
            {
                var request = new EvidenceRequest(RandomNumberGenerator.GetBytes(32), target.Selection ?? _options.Selection);
                AttestationEvidence evidence;
                try { evidence = await CollectAsync(target, request).ConfigureAwait(false); }
                catch (EvidenceCollectionException e) when (!_stop.IsCancellationRequested)
                {
                    failure = new AttestationReason(e.ReasonId, ReasonSeverity.Indeterminate, e.Message);
                    if (e.Transient && attempt <= _options.Retries && await DelayAsync().ConfigureAwait(false)) continue;
                    return Finish(target, () => judge.NotCollected(target, failure), attempt, clock, failure);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return Cancelled(target, attempt, clock.Elapsed);
                }
                return Finish(target, () => judge.Judge(target, evidence, request), attempt, clock, null);
            }
        }
        finally { Interlocked.Decrement(ref _inFlight); }
    }

    /// <summary>One attempt under the per-host timeout; every failure becomes an EvidenceCollectionException.</summary>
    private async Task<AttestationEvidence> CollectAsync(SweepTarget target, EvidenceRequest request)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        attempt.CancelAfter(_options.Timeout);
        try
        {
            // The source runs on its own task so that a source that blocks before its first await cannot stall us.
            var collect = Task.Run(() => _source.CollectAsync(target, request, attempt.Token), attempt.Token);
            var finished = await Task.WhenAny(collect, Task.Delay(Timeout.Infinite, attempt.Token)).ConfigureAwait(false);
            if (finished != collect)
            {
                // The source got the cancellation; give it a moment to clean up, then leave it behind.
                await Task.WhenAny(collect, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
                _ = collect.ContinueWith(t => t.Exception, TaskScheduler.Default);
                attempt.Token.ThrowIfCancellationRequested();
            }
            return await collect.ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!_stop.IsCancellationRequested)
        {
            throw new EvidenceCollectionException(FleetReasonIds.Timeout,
                $"{target.Name} did not answer within {_options.Timeout.TotalSeconds:0.###} s", transient: true, e);
        }
        catch (Exception e) when (e is not EvidenceCollectionException && !_stop.IsCancellationRequested)
        {
            throw new EvidenceCollectionException(FleetReasonIds.Failed, $"{target.Name}: {e.Message}", false, e);
        }
    }

    private async Task<bool> DelayAsync()
    {
        try { await Task.Delay(_options.RetryDelay, _stop.Token).ConfigureAwait(false); return true; }
        catch (OperationCanceledException) { return false; }
    }

    private static SweepOutcome Finish(SweepTarget target, Func<AttestationResult> judge, int attempts,
        Stopwatch clock, AttestationReason? failure)
    {
        try
        {
            return new SweepOutcome(target, judge()) { Attempts = attempts, Elapsed = clock.Elapsed, CollectFailure = failure };
        }
        catch (Exception e)
        {
            var reason = failure ?? new AttestationReason(FleetReasonIds.Failed, ReasonSeverity.Indeterminate,
                $"{target.Name} could not be judged: {e.Message}");
            return new SweepOutcome(target, Unknown(target, reason))
            {
                Attempts = attempts, Elapsed = clock.Elapsed, CollectFailure = failure, JudgeError = e,
            };
        }
    }

    private static SweepOutcome NoJudge(SweepTarget target, Exception e) =>
        new(target, Unknown(target, new AttestationReason(FleetReasonIds.Failed, ReasonSeverity.Indeterminate,
            $"{target.Name} could not be judged: {e.Message}"))) { JudgeError = e };

    /// <summary>A host the sweep stopped for; not recorded (it was not attested: the next sweep takes it).</summary>
    private static SweepOutcome Cancelled(SweepTarget target, int attempts, TimeSpan elapsed)
    {
        var reason = new AttestationReason(FleetReasonIds.Cancelled, ReasonSeverity.Indeterminate,
            attempts == 0 ? $"The sweep stopped before {target.Name} was tried" : $"The sweep stopped while {target.Name} was in flight");
        return new SweepOutcome(target, Unknown(target, reason)) { Attempts = attempts, Elapsed = elapsed, CollectFailure = reason };
    }

    internal static AttestationResult Unknown(SweepTarget target, AttestationReason reason) => new()
    {
        HostName = target.Name, Verdict = AttestationVerdict.Unknown, Reasons = [reason], Time = DateTime.UtcNow,
    };

    public void Dispose()
    {
        Stop();
        try { _workers.Wait(TimeSpan.FromSeconds(3)); }
        catch (AggregateException) { }
        _stop.Dispose();
    }
}
