using TrustedCompute.Store;

namespace TrustedCompute.Fleet;

/// <summary>
/// Feeds a <see cref="FleetSweep"/> only hosts it has claimed in the store, one throttle's worth at a time, so that
/// several admin nodes sweeping one fleet attest each host once per round and take over the hosts of a node that
/// died (once its leases run out). Runs on the caller's thread; every outcome and every host another sweep attested
/// is handed to the caller there.
/// </summary>
public sealed class ClaimedSweep(FleetSweep sweep, IAttestationStore store, SweepRecord record, int throttleLimit)
{
    /// <summary>How often hosts that another sweep holds are asked for again.</summary>
    public TimeSpan BusyPoll { get; init; } = TimeSpan.FromSeconds(1);

    public SweepRecord Record => record;

    public void Run(IReadOnlyList<SweepTarget> targets, Action<SweepOutcome> outcome, Action<SweepTarget> elsewhere,
        CancellationToken cancellationToken)
    {
        var pending = targets.DistinctBy(t => t.Name, StringComparer.OrdinalIgnoreCase).ToList();
        // Nodes that start together would otherwise ask for the same hosts in the same order.
        Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pending));
        int inFlight = 0;
        var nextAsk = DateTime.MinValue;
        while (!cancellationToken.IsCancellationRequested && !sweep.IsStopping && (pending.Count > 0 || inFlight > 0))
        {
            if (pending.Count > 0 && inFlight < throttleLimit && DateTime.UtcNow >= nextAsk)
            {
                for (int i = 0; i < pending.Count && inFlight < throttleLimit;)
                {
                    switch (store.ClaimHost(record, pending[i].Name))
                    {
                        case HostClaim.Claimed:
                            if (sweep.Add(pending[i])) inFlight++;
                            pending.RemoveAt(i);
                            break;
                        case HostClaim.Done:
                            elsewhere(pending[i]);
                            pending.RemoveAt(i);
                            break;
                        default:
                            i++;
                            break;
                    }
                }
                nextAsk = pending.Count > 0 ? DateTime.UtcNow + BusyPoll : DateTime.MinValue;
            }
            if (sweep.Take(TimeSpan.FromMilliseconds(100)) is { } done)
            {
                inFlight--;
                nextAsk = DateTime.MinValue; // a worker is free
                Release(done);
                outcome(done);
            }
        }
        sweep.Complete();
        // Stopped: the hosts still in flight come back cancelled and are released for the next sweep.
        foreach (var rest in sweep.TakeAll()) Release(rest);
    }

    private void Release(SweepOutcome done) =>
        store.ReleaseHost(record, done.Target.Name, handled: done.CollectFailure?.Id != FleetReasonIds.Cancelled);
}
