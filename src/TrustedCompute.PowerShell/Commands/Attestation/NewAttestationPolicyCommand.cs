using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.Attestation;

/// <summary>Makes a policy whose golden PCR values come from a known-good host's evidence.</summary>
[Cmdlet(VerbsCommon.New, "AttestationPolicy")]
[OutputType(typeof(AttestationPolicy))]
public sealed class NewAttestationPolicyCommand : TrustedComputeCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object FromEvidence { get; set; } = null!;

    /// <summary>PCRs to take golden values of; default: every PCR in the evidence.</summary>
    [Parameter]
    [PcrIndexTransformation]
    [ValidateRange(0, 23)]
    public int[]? PcrIndex { get; set; }

    [Parameter]
    [ValidateSet("sha1", "sha256", "sha384", "sha512", IgnoreCase = true)]
    public string[]? Bank { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Keep the evidence's event log (its events in the policy's PCRs) to explain later differences.</summary>
    [Parameter]
    public SwitchParameter KeepReferenceLog { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var evidence = AttestationInput.ToEvidence(FromEvidence);
            WriteObject(AttestationPolicy.FromEvidence(evidence, Bank, PcrIndex, Name, KeepReferenceLog));
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FormatException)
        {
            WriteError(e, ErrorIds.NewAttestationPolicyInvalidEvidence, FromEvidence);
        }
    }
}
