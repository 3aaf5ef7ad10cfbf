using System.Diagnostics;
using TrustedCompute.Attestation;
using TrustedCompute.Fleet;
using TrustedCompute.Tpm;

namespace TrustedCompute.Tests.Fleet;

/// <summary>Collects from a swtpm simulator per target (the target's Port), as the remote host would.</summary>
internal sealed class SwtpmEvidenceSource(uint akHandle) : IEvidenceSource
{
    public Task<AttestationEvidence> CollectAsync(SweepTarget target, EvidenceRequest request, CancellationToken ct) =>
        Task.Run(() =>
        {
            TpmClient tpm;
            try { tpm = TpmClient.Open($"swtpm:host=127.0.0.1,port={target.Port},timeout=30"); }
            catch (TpmTransportException e)
            {
                throw new EvidenceCollectionException(FleetReasonIds.Tpm, $"{target.Name}: {e.Message}", false, e);
            }
            using (tpm)
            {
                try { return EvidenceCollector.Collect(tpm, akHandle, request.Nonce, request.Selection, null, "claimed", ct); }
                catch (Exception e) when (e is TpmException or TpmTransportException or TpmProtocolException)
                {
                    throw new EvidenceCollectionException(FleetReasonIds.Tpm, $"{target.Name}: {e.Message}", false, e);
                }
            }
        }, ct);
}

/// <summary>
/// A source that runs a real process per host (sleep) and never gets evidence: it shows the engine's timeouts,
/// throttle and cancellation reach a process and leave none behind. Counts what is in flight at once.
/// </summary>
internal sealed class SleepingProcessSource : IEvidenceSource
{
    private int _running;
    public int MaxRunning;
    public readonly List<int> Pids = [];

    public async Task<AttestationEvidence> CollectAsync(SweepTarget target, EvidenceRequest request, CancellationToken ct)
    {
        using var process = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        lock (Pids) Pids.Add(process.Id);
        int now = Interlocked.Increment(ref _running);
        lock (Pids) MaxRunning = Math.Max(MaxRunning, now);
        try
        {
            await process.WaitForExitAsync(ct);
            throw new EvidenceCollectionException(FleetReasonIds.Failed, "sleep ended", false);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            if (!process.HasExited) { process.Kill(); process.WaitForExit(2000); }
        }
    }
}

/// <summary>A source whose hosts fail in given ways; counts attempts per host.</summary>
internal sealed class ScriptedSource(Func<SweepTarget, int, AttestationEvidence> behaviour) : IEvidenceSource
{
    private readonly Dictionary<string, int> _attempts = [];

    public int Attempts(string name) { lock (_attempts) return _attempts.GetValueOrDefault(name); }

    public Task<AttestationEvidence> CollectAsync(SweepTarget target, EvidenceRequest request, CancellationToken ct)
    {
        int attempt;
        lock (_attempts) attempt = _attempts[target.Name] = _attempts.GetValueOrDefault(target.Name) + 1;
        return Task.FromResult(behaviour(target, attempt));
    }
}
