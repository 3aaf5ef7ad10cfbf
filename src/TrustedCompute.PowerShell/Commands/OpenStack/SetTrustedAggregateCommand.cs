using System.Management.Automation;
using TrustedCompute.OpenStack;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.OpenStack;

/// <summary>
/// Isolates the trusted pool: a Nova aggregate with trait:&lt;TRAIT&gt;=required whose Placement members are exactly the
/// providers carrying the trait, so that (with Nova's isolated-aggregate filtering on) only flavors and images that
/// require the trait land on trusted hosts.
/// </summary>
[Cmdlet(VerbsCommon.Set, "TrustedAggregate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType("TrustedCompute.OpenStack.TrustedAggregate")]
public sealed class SetTrustedAggregateCommand : OpenStackCmdlet
{
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, 255)]
    public string Name { get; set; } = TrustedAggregateManager.DefaultName;

    [Parameter]
    [ValidatePattern("^CUSTOM_[A-Z0-9_]{1,248}$")]
    public string Trait { get; set; } = TrustedFlavorManager.DefaultTrait;

    protected override void EndProcessing()
    {
        var session = ResolveSession();
        try
        {
            var manager = new TrustedAggregateManager(session);
            var result = manager.Sync(Name, Trait, FlushAndConfirm, CancellationToken);
            FlushDebug();
            WriteObject(result);
        }
        catch (Exception ex) when (IsTargetError(ex))
        {
            ThrowTerminatingError(ex, ErrorId(ex, ErrorIds.SetTrustedAggregateFailed), Name);
        }
    }

    private bool FlushAndConfirm(string target, string action)
    {
        FlushDebug();
        return ShouldProcess(target, action);
    }
}
