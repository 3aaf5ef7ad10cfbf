using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.OpenStack;
using TrustedCompute.PowerShell.Commands.Attestation;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.OpenStack;

/// <summary>
/// Brings the trusted pool in line with attestation results, fail-closed: the trait is added to a host's
/// compute-node provider only for a fresh "Trusted" verdict, and removed for anything else, including hosts in the
/// pool that have no result. Pipeline input must be this module's AttestationResult (live or deserialized); one
/// host can be given by -HostName/-Verdict. Collects all input, then plans and applies per host.
/// </summary>
[Cmdlet(VerbsData.Sync, "TrustedPool", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = ResultSet)]
[OutputType("TrustedCompute.OpenStack.TrustedPoolChange")]
public sealed class SyncTrustedPoolCommand : OpenStackCmdlet
{
    private const string ResultSet = "Result";
    private const string HostSet = "Host";
    private readonly List<TrustedPoolMember> _members = [];

    /// <summary>Results of Invoke-HostAttestation; any other object is refused, whatever properties it has.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ResultSet)]
    [ValidateNotNull]
    public object InputObject { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = HostSet)]
    [Alias("ComputerName")]
    [ValidateNotNullOrEmpty]
    public string HostName { get; set; } = "";

    /// <summary>Only exactly "Trusted" counts; strings and enum values both bind.</summary>
    [Parameter(Position = 1, ParameterSetName = HostSet)]
    [AllowNull]
    public object? Verdict { get; set; }

    [Parameter(ParameterSetName = HostSet)]
    [Alias("VerifiedAt")]
    public DateTimeOffset? Time { get; set; }

    [Parameter]
    [ValidatePattern("^CUSTOM_[A-Z0-9_]{1,248}$")]
    public string Trait { get; set; } = TrustedFlavorManager.DefaultTrait;

    /// <summary>Results older than this count as stale (default one hour).</summary>
    [Parameter]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The share of the pool one sync may remove without confirmation (default 25%).</summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public double MaxRemovalPercent { get; set; } = 25;

    /// <summary>Carries out a mass removal (every host, or more than -MaxRemovalPercent) without asking.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == HostSet)
        {
            object? verdict = Verdict is PSObject wrapped ? wrapped.BaseObject : Verdict;
            _members.Add(new TrustedPoolMember(HostName, verdict?.ToString(), Time));
            return;
        }
        AttestationResult result;
        try { result = AttestationInput.ToAttestationResult(InputObject, allowUntyped: false); }
        catch (InvalidDataException e)
        {
            WriteError(new ArgumentException($"{e.Message}; Sync-TrustedPool takes the results of " +
                "Invoke-HostAttestation (or -HostName and -Verdict), so no host is added on another object's word", e),
                ErrorIds.SyncTrustedPoolInvalidInput, InputObject);
            return;
        }
        DateTimeOffset? time = result.Time == default ? null : new DateTimeOffset(result.Time.ToUniversalTime());
        _members.Add(new TrustedPoolMember(result.HostName, result.Verdict.ToString(), time));
    }

    private bool Confirm(TrustedPoolPlan plan) => FlushAnd() && ShouldProcess($"{plan.HostName} (provider {plan.Provider!.Uuid})",
        $"{(plan.Action == TrustedPoolAction.Add ? "Add" : "Remove")} trait {Trait} ({plan.Reason})");

    protected override void EndProcessing()
    {
        if (MaxAge <= TimeSpan.Zero) ThrowTerminatingError(new ArgumentException("-MaxAge must be positive."), ErrorIds.SyncTrustedPoolInvalidMaxAge, MaxAge);
        if (_members.Count == 0)
        {
            WriteWarning("Sync-TrustedPool received no attestation results, so it changes nothing: an empty input never " +
                         "empties the pool. To take hosts out, pass their results or use -HostName and -Verdict.");
        }
        var session = ResolveSession(); // a missing connection is still an error, also with nothing to do
        if (_members.Count == 0)
        {
            WriteInformation(TrustedPoolSummary.Of(Trait, []), ["TrustedPoolSummary"]);
            return;
        }
        var sync = new TrustedPoolSynchronizer(new PlacementClient(session));
        IReadOnlyList<TrustedPoolPlan> plans;
        try
        {
            plans = Await(sync.PlanAsync(_members, Trait, MaxAge, DateTimeOffset.UtcNow, CancellationToken));
        }
        catch (Exception ex) when (ex is OpenStackException or ArgumentException)
        {
            ThrowTerminatingError(ex, ErrorId(ex, ErrorIds.SyncTrustedPoolPlanFailed), Trait);
            return;
        }
        GuardMassRemoval(TrustedPoolRemovalCheck.Of(plans, MaxRemovalPercent));

        var outcomes = new List<TrustedPoolOutcome>();
        try
        {
            foreach (var outcome in sync.Apply(plans, Confirm, CancellationToken))
            {
                FlushDebug();
                outcomes.Add(outcome);
                if (outcome.Change is not null) WriteObject(outcome.Change);
                else if (outcome.Error is KeyNotFoundException notFound) WriteError(notFound, ErrorIds.SyncTrustedPoolProviderNotFound, outcome.Plan.HostName);
                else if (outcome.Plan.Action == TrustedPoolAction.Remove)
                    WriteError(outcome.Error!, ErrorIds.SyncTrustedPoolRemovalFailed, outcome.Plan.HostName);
                else WriteError(outcome.Error!, ErrorIds.SyncTrustedPoolProviderFailed, outcome.Plan.HostName);
            }
        }
        catch (OpenStackAuthenticationException ex)
        {
            ThrowTerminatingError(ex, AuthenticationFailedId, Trait);
        }
        var summary = TrustedPoolSummary.Of(Trait, outcomes);
        WriteVerbose($"Trusted pool {Trait}: {summary.Added} added, {summary.Removed} removed, {summary.Unchanged} unchanged, " +
                     $"{summary.Skipped} skipped, {summary.Failed} failed.");
        WriteInformation(summary, ["TrustedPoolSummary"]);
        if (summary.FailedRemovals.Count > 0)
        {
            // a host that should have left the pool may still be in it: never let that pass quietly
            ThrowTerminatingError(new InvalidOperationException(
                $"{summary.FailedRemovals.Count} host(s) could not be removed from the trusted pool and may still carry " +
                $"{Trait}: {string.Join(", ", summary.FailedRemovals)}. Run Sync-TrustedPool again, or remove the trait by hand."),
                ErrorIds.SyncTrustedPoolRemovalIncomplete, summary);
        }
    }

    /// <summary>
    /// Stops a mass removal unless -Force, or the user says yes: -Confirm:$false and a host that cannot ask (a
    /// non-interactive runbook) refuse. -WhatIf changes nothing, so it only warns.
    /// </summary>
    private void GuardMassRemoval(TrustedPoolRemovalCheck check)
    {
        if (!check.IsMassRemoval || Force) return;
        string what = $"This sync would remove {check} from the trusted pool {Trait}";
        if (IsWhatIf())
        {
            WriteWarning(what + ": without -WhatIf it would ask for confirmation, or need -Force.");
            return;
        }
        bool confirmedOff = MyInvocation.BoundParameters.TryGetValue("Confirm", out var c) && c is SwitchParameter { IsPresent: false };
        bool yes = false;
        if (!confirmedOff)
        {
            try
            {
                yes = ShouldContinue(what + ". A mass removal is usually a broken pipeline (an empty or partial result " +
                                     "file). Remove them?", "Mass removal from the trusted pool");
            }
            catch (Exception ex) when (ex is PSInvalidOperationException or System.Management.Automation.Host.HostException
                                           or NotImplementedException)
            {
                yes = false; // nobody to ask
            }
        }
        if (yes) return;
        ThrowTerminatingError(new InvalidOperationException(
            what + ", more than -MaxRemovalPercent allows: nothing was changed. Check the input (a broken pipeline " +
            "often looks like this); to remove them, run again with -Force or a higher -MaxRemovalPercent."),
            ErrorIds.SyncTrustedPoolMassRemoval, check);
    }

    private bool FlushAnd()
    {
        FlushDebug();
        return true;
    }

    private bool IsWhatIf() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) ? w is SwitchParameter { IsPresent: true }
            : GetVariableValue("WhatIfPreference") is true or SwitchParameter { IsPresent: true };
}
