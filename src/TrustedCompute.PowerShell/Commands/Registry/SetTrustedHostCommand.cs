using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Store;

namespace TrustedCompute.PowerShell.Commands.Registry;

/// <summary>Changes an enrolled host's policy name or tags.</summary>
[Cmdlet(VerbsCommon.Set, "TrustedHost", SupportsShouldProcess = true)]
[OutputType(typeof(EnrolledHost))]
public sealed class SetTrustedHostCommand : StoreCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    public string HostName { get; set; } = "";

    /// <summary>The stored policy the host is judged by; an empty string removes it.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? PolicyName { get; set; }

    /// <summary>The host's tags, replacing the ones it has.</summary>
    [Parameter]
    [AllowEmptyCollection]
    public string[]? Tag { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        EnrolledHost? host = null;
        if (!TryStore(() => host = Store.GetHost(HostName), ErrorIds.StoreOperationFailed, HostName)) return;
        if (host is null)
        {
            WriteError(new ItemNotFoundException($"No host named '{HostName}' is enrolled"), ErrorIds.SetTrustedHostNotFound, HostName);
            return;
        }
        if (PolicyName is { Length: > 0 } && Store.GetPolicy(PolicyName) is null)
        {
            WriteError(new ItemNotFoundException($"No policy named '{PolicyName}' is in the store: add it with Register-AttestationPolicy"),
                ErrorIds.SetTrustedHostPolicyNotFound, PolicyName);
            return;
        }
        var changed = host with
        {
            PolicyName = PolicyName ?? host.PolicyName,
            Tags = Tag is null ? host.Tags : [.. Tag.Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)],
        };
        string what = string.Join(", ", new[]
        {
            PolicyName is null ? null : $"policy '{changed.PolicyName}'",
            Tag is null ? null : $"tags '{string.Join(",", changed.Tags)}'",
        }.Where(s => s is not null));
        if (what.Length == 0 || !ShouldProcess(host.Name, $"Set {what}")) return;
        if (TryStore(() => Store.UpdateHost(changed), ErrorIds.StoreOperationFailed, HostName) && PassThru) WriteObject(changed);
    }
}
