using System.Management.Automation;
using TrustedCompute.OpenStack;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.OpenStack;

/// <summary>
/// Makes Glance images require (or forbid) trusted hosts with the image property trait:&lt;TRAIT&gt;=required|forbidden,
/// or removes it; no other property is touched.
/// </summary>
[Cmdlet(VerbsCommon.Set, "OpenStackTrustedImage", SupportsShouldProcess = true, DefaultParameterSetName = RequiredSet)]
[OutputType("TrustedCompute.OpenStack.TrustedImage")]
public sealed class SetOpenStackTrustedImageCommand : OpenStackCmdlet
{
    private const string RequiredSet = "Required";
    private const string ForbiddenSet = "Forbidden";
    private const string RemoveSet = "Remove";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "ImageId")]
    [ValidateNotNullOrEmpty]
    public string[] Image { get; set; } = [];

    [Parameter]
    [ValidatePattern("^[A-Z0-9_]{1,255}$")]
    public string Trait { get; set; } = TrustedFlavorManager.DefaultTrait;

    /// <summary>Hosts must be trusted (the default).</summary>
    [Parameter(ParameterSetName = RequiredSet)]
    public SwitchParameter Required { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ForbiddenSet)]
    public SwitchParameter Forbidden { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = RemoveSet)]
    public SwitchParameter Remove { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var manager = new TrustedImageManager(ResolveSession());
        var requirement = Remove ? TrustRequirement.Remove : Forbidden ? TrustRequirement.Forbidden : TrustRequirement.Required;
        string key = TrustedFlavorManager.TraitKey(Trait);
        string action = requirement switch
        {
            TrustRequirement.Remove => "Remove property " + key,
            TrustRequirement.Forbidden => $"Set property {key}=forbidden",
            _ => $"Set property {key}=required",
        };
        foreach (var name in Image)
        {
            try
            {
                if (!ShouldProcess($"image {name}", action)) continue;
                var result = Await(manager.SetAsync(name, Trait, requirement, CancellationToken));
                if (PassThru) WriteObject(result);
            }
            catch (Exception ex) when (IsTargetError(ex))
            {
                WriteError(ex, ErrorId(ex, ex is KeyNotFoundException ? ErrorIds.SetOpenStackTrustedImageNotFound
                    : ErrorIds.SetOpenStackTrustedImageFailed), name);
            }
        }
    }
}
