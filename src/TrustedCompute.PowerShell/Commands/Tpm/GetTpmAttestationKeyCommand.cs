using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Tpm;

/// <summary>Gets the persistent attestation keys (restricted signing keys) of the TPM.</summary>
[Cmdlet(VerbsCommon.Get, "TpmAttestationKey")]
[OutputType(typeof(AttestationKeyInfo))]
public sealed class GetTpmAttestationKeyCommand : TpmCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Handle")]
    [ValidateRange(0x81000000u, 0x81FFFFFFu)]
    [TpmHandleTransformation]
    public uint[]? AttestationKeyHandle { get; set; }

    protected override void ProcessRecord() => RunTpm(ErrorIds.GetTpmAttestationKeyFailed, Tpm, tpm =>
    {
        if (AttestationKeyHandle is null) return TpmOperations.GetAttestationKeys(tpm, CancellationToken);
        return ReadEach(AttestationKeyHandle,
            h => UsingAttestationKey(h, () => TpmOperations.ReadAttestationKey(tpm, h, CancellationToken)),
            ErrorIds.GetTpmAttestationKeyNotFound);
    });
}
