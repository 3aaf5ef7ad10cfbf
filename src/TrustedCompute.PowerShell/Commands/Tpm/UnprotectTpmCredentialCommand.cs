using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Tpm;

/// <summary>
/// Credential activation (TPM2_ActivateCredential): the TPM releases the verifier's secret only when the attestation
/// key and the endorsement key the challenge was made for are both in it. The host side of Register-TrustedHost.
/// </summary>
[Cmdlet(VerbsSecurity.Unprotect, "TpmCredential")]
[OutputType(typeof(byte[]))]
public sealed class UnprotectTpmCredentialCommand : TpmCmdlet
{
    /// <summary>The TPM2B_ID_OBJECT contents of the challenge.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public byte[] CredentialBlob { get; set; } = [];

    /// <summary>The TPM2B_ENCRYPTED_SECRET contents of the challenge.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public byte[] EncryptedSecret { get; set; } = [];

    [Parameter]
    [Alias("Handle")]
    [ValidateRange(0x81000000u, 0x81FFFFFFu)]
    [TpmHandleTransformation]
    public uint AttestationKeyHandle { get; set; } = TpmHandles.DefaultAttestationKey;

    /// <summary>The EK the challenge was made for (its template).</summary>
    [Parameter]
    public EndorsementKeyType EndorsementKeyType { get; set; } = EndorsementKeyType.Rsa2048;

    protected override void ProcessRecord() => RunTpm(ErrorIds.UnprotectTpmCredentialFailed, Hex(AttestationKeyHandle), tpm =>
    {
        var secret = UsingAttestationKey(AttestationKeyHandle, () =>
            TpmOperations.ActivateCredential(tpm, AttestationKeyHandle, CredentialBlob, EncryptedSecret, EndorsementKeyType, CancellationToken));
        return [new PSObject(secret)];
    }, terminating: false);
}
