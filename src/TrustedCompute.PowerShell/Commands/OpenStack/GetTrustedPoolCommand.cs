using System.Management.Automation;
using TrustedCompute.OpenStack;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.OpenStack;

/// <summary>Lists the trusted pool: the resource providers that carry the trait.</summary>
[Cmdlet(VerbsCommon.Get, "TrustedPool")]
[OutputType("TrustedCompute.OpenStack.TrustedPoolHost")]
public sealed class GetTrustedPoolCommand : OpenStackCmdlet
{
    [Parameter(Position = 0)]
    [ValidatePattern("^CUSTOM_[A-Z0-9_]{1,248}$")]
    public string Trait { get; set; } = TrustedFlavorManager.DefaultTrait;

    protected override void EndProcessing()
    {
        var session = ResolveSession();
        try
        {
            foreach (var host in Await(new TrustedPoolSynchronizer(new PlacementClient(session)).GetPoolAsync(Trait, CancellationToken)))
                WriteObject(host);
        }
        catch (OpenStackException ex)
        {
            ThrowTerminatingError(ex, ErrorId(ex, ErrorIds.GetTrustedPoolFailed), Trait);
        }
    }
}
