using System.Management.Automation;
using TrustedCompute.OpenStack;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.OpenStack;

/// <summary>
/// Makes flavors require (or forbid) trusted hosts: trait:&lt;TRAIT&gt;=required|forbidden for Placement-based pools,
/// trust:trusted_host=trusted|untrusted for the old TrustedFilter, or both; -Remove takes the keys away again.
/// </summary>
[Cmdlet(VerbsCommon.Set, "OpenStackTrustedFlavor", SupportsShouldProcess = true, DefaultParameterSetName = RequiredSet)]
[OutputType("TrustedCompute.OpenStack.TrustedFlavor")]
public sealed class SetOpenStackTrustedFlavorCommand : OpenStackCmdlet
{
    private const string RequiredSet = "Required";
    private const string ForbiddenSet = "Forbidden";
    private const string RemoveSet = "Remove";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "FlavorId")]
    [ValidateNotNullOrEmpty]
    public string[] Flavor { get; set; } = [];

    // a string, not the Core enum: a value-type field of a Core type would load Core before the module's resolver
    [Parameter]
    [ValidateSet("Trait", "Legacy", "Both")]
    public string Mode { get; set; } = nameof(TrustedFlavorMode.Trait);

    [Parameter]
    [ValidatePattern("^[A-Z0-9_]{1,255}$")]
    public string Trait { get; set; } = TrustedFlavorManager.DefaultTrait;

    /// <summary>Hosts must be trusted (the default).</summary>
    [Parameter(ParameterSetName = RequiredSet)]
    public SwitchParameter Required { get; set; }

    /// <summary>Hosts must not be trusted.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ForbiddenSet)]
    public SwitchParameter Forbidden { get; set; }

    /// <summary>Removes the keys of -Mode.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RemoveSet)]
    public SwitchParameter Remove { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var session = ResolveSession();
        var nova = new NovaClient(session);
        var manager = new TrustedFlavorManager(nova);
        var mode = Enum.Parse<TrustedFlavorMode>(Mode, ignoreCase: true);
        var requirement = Remove ? TrustRequirement.Remove : Forbidden ? TrustRequirement.Forbidden : TrustRequirement.Required;
        foreach (var name in Flavor)
        {
            try
            {
                var flavor = Await(nova.FindFlavorAsync(name, CancellationToken));
                if (!ShouldProcess($"flavor {flavor.Name} ({flavor.Id})", Describe(requirement))) continue;
                var result = Await(manager.SetAsync(flavor, mode, Trait, requirement, CancellationToken));
                if (PassThru) WriteObject(result);
            }
            catch (Exception ex) when (IsTargetError(ex))
            {
                WriteError(ex, ErrorId(ex, ex is KeyNotFoundException ? ErrorIds.SetOpenStackTrustedFlavorNotFound : ErrorIds.SetOpenStackTrustedFlavorFailed), name);
            }
        }
    }

    private string Describe(TrustRequirement requirement)
    {
        var keys = TrustedFlavorManager.Keys(Enum.Parse<TrustedFlavorMode>(Mode, ignoreCase: true), Trait, requirement);
        return requirement == TrustRequirement.Remove
            ? "Remove extra specs " + string.Join(", ", keys.Keys)
            : "Set extra specs " + string.Join(", ", keys.Select(k => $"{k.Key}={k.Value}")) +
              " (and a key of the other mode that says the opposite)";
    }
}
