using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.Registry;

/// <summary>Removes hosts from the registry; their results stay in the history.</summary>
[Cmdlet(VerbsLifecycle.Unregister, "TrustedHost", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class UnregisterTrustedHostCommand : StoreCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    public string[] HostName { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var name in HostName)
        {
            if (!ShouldProcess(name, "Unregister the host (its results stay in the history)")) continue;
            bool removed = false;
            if (!TryStore(() => removed = Store.RemoveHost(name), ErrorIds.StoreOperationFailed, name)) continue;
            if (!removed) WriteError(new ItemNotFoundException($"No host named '{name}' is enrolled"), ErrorIds.UnregisterTrustedHostNotFound, name);
        }
    }
}
