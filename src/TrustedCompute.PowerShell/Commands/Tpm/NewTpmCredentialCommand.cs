using System.Management.Automation;
using TrustedCompute.Enrollment;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Tpm;

/// <summary>
/// The verifier side of credential activation (TPM2_MakeCredential, done in software): a challenge that only the TPM
/// holding both the endorsement key and the attestation key of that name can open. Needs no TPM; changes nothing.
/// </summary>
[Cmdlet(VerbsCommon.New, "TpmCredential")]
[OutputType(typeof(CredentialChallenge))]
public sealed class NewTpmCredentialCommand : TrustedComputeCmdlet
{
    /// <summary>The EK's TPM2B_PUBLIC.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public byte[] EndorsementKeyPublic { get; set; } = [];

    /// <summary>The TPM name of the attestation key (nameAlg || digest of its public area).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public byte[] AttestationKeyName { get; set; } = [];

    /// <summary>The secret to protect: 1 to 32 bytes for a SHA-256 EK.</summary>
    [Parameter(Mandatory = true)]
    [ValidateCount(1, 64)]
    public byte[] Secret { get; set; } = [];

    protected override void ProcessRecord()
    {
        try
        {
            WriteObject(CredentialMaker.Make(TpmPublic.FromTpm2BPublic(EndorsementKeyPublic), AttestationKeyName, Secret));
        }
        catch (Exception e) when (e is TpmProtocolException or ArgumentException)
        {
            WriteError(e, ErrorIds.NewTpmCredentialInvalid, EndorsementKeyPublic);
        }
    }
}
