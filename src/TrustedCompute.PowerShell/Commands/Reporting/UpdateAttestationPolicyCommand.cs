using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.PowerShell.Commands.Attestation;
using TrustedCompute.PowerShell.Commands.Registry;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Reporting;
using TrustedCompute.Store;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Reporting;

/// <summary>
/// Patch day: adds what a known-good, updated, enrolled host shows as allowed alternatives to a stored policy and
/// stores the result as the policy's next version, with who approved it and when. -Retire also removes every
/// allowed value that host does not show; -WhatIf lists each value it would add or retire.
/// </summary>
[Cmdlet(VerbsData.Update, "AttestationPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(StoredPolicy))]
public sealed class UpdateAttestationPolicyCommand : StoreCmdlet
{
    /// <summary>The stored policy to update (its newest version).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string PolicyName { get; set; } = "";

    /// <summary>Evidence of the known-good, updated host (an object or an evidence file).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object Evidence { get; set; } = null!;

    /// <summary>The enrolled host the evidence is from; default: the host enrolled with the evidence's attestation key.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HostName { get; set; }

    /// <summary>Also remove every allowed value the host does not show.</summary>
    [Parameter]
    public SwitchParameter Retire { get; set; }

    [Parameter]
    public string Comment { get; set; } = "";

    /// <summary>Who approved the change; default: the current user.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ApprovedBy { get; set; } = Environment.UserName;

    protected override void ProcessRecord()
    {
        AttestationEvidence evidence;
        try
        {
            object value = Evidence is PSObject ps ? ps.BaseObject : Evidence;
            evidence = value is string path
                ? AttestationEvidence.ReadFile(GetUnresolvedProviderPathFromPSPath(path), CancellationToken)
                : AttestationInput.ToEvidence(Evidence);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            WriteError(e, ErrorIds.UpdateAttestationPolicyInvalidEvidence, Evidence);
            return;
        }
        StoredPolicy? stored = null;
        EnrolledHost? host = null;
        if (!TryStore(() =>
            {
                stored = Store.GetPolicy(PolicyName);
                host = HostName is not null ? Store.GetHost(HostName) : HostOfKey(evidence);
            }, ErrorIds.StoreOperationFailed, PolicyName)) return;
        if (stored is null)
        {
            WriteError(new ItemNotFoundException($"The store has no policy '{PolicyName}'"), ErrorIds.UpdateAttestationPolicyNotFound, PolicyName);
            return;
        }
        if (host is null)
        {
            WriteError(new ItemNotFoundException(HostName is null ? "The evidence's attestation key is enrolled for no host: give -HostName"
                : $"'{HostName}' is not enrolled"), ErrorIds.UpdateAttestationPolicyHostNotFound, HostName ?? (object)evidence);
            return;
        }
        PolicyUpdatePlan plan;
        try
        {
            var options = new VerificationOptions
            {
                HostName = host.Name, ExpectedAttestationKey = TpmPublic.FromTpm2BPublic(host.AttestationKeyPublic),
            };
            plan = PolicyUpdater.Plan(PolicyYaml.Parse(stored.Yaml), evidence, options, ApprovedBy, DateTime.UtcNow, Retire, Comment);
        }
        catch (Exception e) when (e is PolicyUpdateException or AttestationPolicyException or TpmProtocolException
            or TrustedCompute.EventLog.EventLogFormatException)
        {
            WriteError(e, ErrorIds.UpdateAttestationPolicyRejected, evidence);
            return;
        }
        if (plan.IsEmpty)
        {
            WriteWarning($"{host.Name} shows nothing that {stored} does not allow already{(Retire ? " and nothing to retire" : "")}: nothing to store");
            return;
        }
        string listing = $"Update policy {stored} from {host.Name} as version {stored.Version + 1}:\n  "
            + string.Join("\n  ", plan.Changes.Select(c => c.ToString()));
        if (!ShouldProcess(listing, $"{listing}\nStore this version?", "Update-AttestationPolicy")) return;
        StoredPolicy? added = null;
        string comment = Comment.Length > 0 ? Comment : $"patch day: {plan.Changes.Count(c => c.Kind == PolicyChangeKind.Add)} added, " +
            $"{plan.Changes.Count(c => c.Kind == PolicyChangeKind.Retire)} retired from {host.Name}";
        if (TryStore(() => added = Store.AddPolicy(PolicyName, PolicyYaml.Serialize(plan.Updated), ApprovedBy, comment),
                ErrorIds.StoreOperationFailed, PolicyName))
            WriteObject(added);
    }

    private EnrolledHost? HostOfKey(AttestationEvidence evidence)
    {
        try { return Store.GetHostByAttestationKey(
            Convert.ToHexString(TpmPublic.FromTpm2BPublic(evidence.AttestationKeyPublic).Name()).ToLowerInvariant()); }
        catch (TpmProtocolException) { return null; }
    }
}
