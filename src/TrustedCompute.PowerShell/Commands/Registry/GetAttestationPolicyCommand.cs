using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Store;

namespace TrustedCompute.PowerShell.Commands.Registry;

/// <summary>Reads stored policies: the newest version of each name, a given version, or every version.</summary>
[Cmdlet(VerbsCommon.Get, "AttestationPolicy")]
[OutputType(typeof(StoredPolicy))]
public sealed class GetAttestationPolicyCommand : StoreCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? PolicyName { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Version { get; set; }

    /// <summary>Every version, oldest first, not only the newest.</summary>
    [Parameter]
    public SwitchParameter AllVersions { get; set; }

    protected override void ProcessRecord()
    {
        IReadOnlyList<StoredPolicy> all = [];
        if (!TryStore(() => all = Store.GetPolicies(), ErrorIds.StoreOperationFailed, PolicyName)) return;
        var match = Matcher(PolicyName);
        foreach (var group in all.Where(p => match(p.Name)).GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).OrderBy(g => g.Key))
        {
            var versions = group.OrderBy(p => p.Version).ToList();
            IEnumerable<StoredPolicy> chosen = Version is { } v ? versions.Where(p => p.Version == v)
                : AllVersions ? versions : [versions[^1]];
            foreach (var p in chosen) WriteObject(p);
        }
    }
}
