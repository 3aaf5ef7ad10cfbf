using System.Management.Automation;
using TrustedCompute.OpenStack;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.OpenStack;

/// <summary>Shows the trust extra specs (trait:&lt;TRAIT&gt; and trust:trusted_host) of flavors.</summary>
[Cmdlet(VerbsCommon.Get, "OpenStackTrustedFlavor")]
[OutputType("TrustedCompute.OpenStack.TrustedFlavor")]
public sealed class GetOpenStackTrustedFlavorCommand : OpenStackCmdlet
{
    /// <summary>Flavor ids or names; default: every flavor.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "FlavorId")]
    [ValidateNotNullOrEmpty]
    public string[]? Flavor { get; set; }

    [Parameter]
    [ValidatePattern("^[A-Z0-9_]{1,255}$")]
    public string Trait { get; set; } = TrustedFlavorManager.DefaultTrait;

    protected override void ProcessRecord()
    {
        var session = ResolveSession();
        var nova = new NovaClient(session);
        var manager = new TrustedFlavorManager(nova);
        IEnumerable<object> targets = Flavor is null ? [.. ListAll(nova)] : Flavor;
        foreach (var target in targets)
        {
            try
            {
                var flavor = target as TrustedCompute.OpenStack.Flavor ?? Await(nova.FindFlavorAsync((string)target, CancellationToken));
                WriteObject(Await(manager.GetAsync(flavor, Trait, CancellationToken)));
            }
            catch (Exception ex) when (IsTargetError(ex))
            {
                WriteError(ex, ErrorId(ex, ex is KeyNotFoundException ? ErrorIds.GetOpenStackTrustedFlavorNotFound : ErrorIds.GetOpenStackTrustedFlavorFailed), target);
            }
        }
    }

    private IReadOnlyList<TrustedCompute.OpenStack.Flavor> ListAll(NovaClient nova)
    {
        try
        {
            return Await(nova.ListFlavorsAsync(CancellationToken));
        }
        catch (OpenStackException ex)
        {
            ThrowTerminatingError(ex, ErrorId(ex, ErrorIds.GetOpenStackTrustedFlavorFailed), null);
            throw;
        }
    }
}
