using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Store;

namespace TrustedCompute.PowerShell.Commands.Registry;

/// <summary>Stores a policy as the next version of its name, so enrolled hosts can be judged by it.</summary>
[Cmdlet(VerbsLifecycle.Register, "AttestationPolicy", SupportsShouldProcess = true, DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(StoredPolicy))]
public sealed class RegisterAttestationPolicyCommand : StoreCmdlet
{
    private const string ObjectSet = "Object";
    private const string PathSet = "Path";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    [ValidateNotNull]
    public AttestationPolicy Policy { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string PolicyPath { get; set; } = "";

    /// <summary>The name to store it under; default: the policy's own name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PolicyName { get; set; }

    /// <summary>Why this version exists (kept in its history).</summary>
    [Parameter]
    public string Comment { get; set; } = "";

    protected override void ProcessRecord()
    {
        AttestationPolicy policy;
        try
        {
            policy = ParameterSetName == PathSet
                ? PolicyYaml.ReadFile(GetUnresolvedProviderPathFromPSPath(PolicyPath), CancellationToken)
                : Policy.Snapshot();
        }
        catch (Exception e) when (e is AttestationPolicyException or IOException or UnauthorizedAccessException)
        {
            WriteError(e, ErrorIds.RegisterAttestationPolicyInvalid, ParameterSetName == PathSet ? PolicyPath : Policy);
            return;
        }
        string? name = PolicyName ?? policy.Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            WriteError(new ArgumentException("The policy has no name: give -PolicyName"), ErrorIds.RegisterAttestationPolicyNoName, policy);
            return;
        }
        if (!ShouldProcess(name, "Store a new version of the policy")) return;
        StoredPolicy? stored = null;
        if (TryStore(() => stored = Store.AddPolicy(name, PolicyYaml.Serialize(policy), Environment.UserName, Comment),
                ErrorIds.StoreOperationFailed, name))
            WriteObject(stored);
    }
}
