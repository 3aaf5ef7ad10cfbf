using System.Management.Automation;
using TrustedCompute.OpenStack;

namespace TrustedCompute.PowerShell.Commands.OpenStack;

/// <summary>
/// Brings the trusted pool in line with attestation results, fail-closed: the trait is added to a host's
/// compute-node provider only for a fresh "Trusted" verdict, and removed for anything else, including hosts in the
/// pool that have no result. Collects all input, then plans and applies per host.
/// </summary>
[Cmdlet(VerbsData.Sync, "TrustedPool", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType("TrustedCompute.OpenStack.TrustedPoolChange")]
public sealed class SyncTrustedPoolCommand : OpenStackCmdlet
{
    private readonly List<TrustedPoolMember> _members = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ComputerName")]
    [ValidateNotNullOrEmpty]
    public string HostName { get; set; } = "";

    /// <summary>Only exactly "Trusted" counts; strings and enum values both bind.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public object? Verdict { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("VerifiedAt")]
    public DateTimeOffset? Time { get; set; }

    [Parameter]
    [ValidatePattern("^CUSTOM_[A-Z0-9_]{1,248}$")]
    public string Trait { get; set; } = TrustedFlavorManager.DefaultTrait;

    /// <summary>Results older than this count as stale (default one hour).</summary>
    [Parameter]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(1);

    protected override void ProcessRecord()
    {
        object? verdict = Verdict is PSObject wrapped ? wrapped.BaseObject : Verdict;
        _members.Add(new TrustedPoolMember(HostName, verdict?.ToString(), Time));
        Time = null;
        Verdict = null;
    }

    protected override void EndProcessing()
    {
        if (MaxAge <= TimeSpan.Zero) ThrowTerminatingError(new ArgumentException("-MaxAge must be positive."), "SyncTrustedPoolInvalidMaxAge", MaxAge);
        if (_members.Count == 0) WriteWarning("No attestation results: every host in the pool will be removed from it (fail-closed).");
        var session = ResolveSession();
        var sync = new TrustedPoolSynchronizer(new PlacementClient(session));
        IReadOnlyList<TrustedPoolPlan> plans;
        try
        {
            plans = Await(sync.PlanAsync(_members, Trait, MaxAge, DateTimeOffset.UtcNow, CancellationToken));
        }
        catch (Exception ex) when (ex is OpenStackException or ArgumentException)
        {
            ThrowTerminatingError(ex, ErrorId(ex, "SyncTrustedPoolPlanFailed"), Trait);
            return;
        }

        int added = 0, removed = 0, unchanged = 0, skipped = 0, failed = 0;
        foreach (var plan in plans)
        {
            if (plan.Provider is null)
            {
                failed++;
                WriteError(new KeyNotFoundException($"No compute-node resource provider matches host '{plan.HostName}'."),
                    "SyncTrustedPoolProviderNotFound", plan.HostName);
                continue;
            }
            if (plan.Action != TrustedPoolAction.None)
            {
                string action = plan.Action == TrustedPoolAction.Add ? $"Add trait {Trait} ({plan.Reason})" : $"Remove trait {Trait} ({plan.Reason})";
                if (!ShouldProcess($"{plan.HostName} (provider {plan.Provider.Uuid})", action))
                {
                    skipped++;
                    WriteObject(TrustedPoolSynchronizer.Record(plan, TrustedPoolStatus.Skipped, 0));
                    continue;
                }
            }
            try
            {
                var change = Await(sync.ApplyAsync(plan, CancellationToken));
                if (change.Status == TrustedPoolStatus.Changed && change.Action == TrustedPoolAction.Add) added++;
                else if (change.Status == TrustedPoolStatus.Changed) removed++;
                else unchanged++;
                WriteObject(change);
            }
            catch (Exception ex) when (IsTargetError(ex))
            {
                failed++;
                WriteError(ex, ErrorId(ex, "SyncTrustedPoolProviderFailed"), plan.HostName);
            }
        }
        var summary = new TrustedPoolSummary(Trait, plans.Count, added, removed, unchanged, skipped, failed);
        WriteVerbose($"Trusted pool {Trait}: {added} added, {removed} removed, {unchanged} unchanged, {skipped} skipped, {failed} failed.");
        WriteInformation(summary, ["TrustedPoolSummary"]);
    }
}
