using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Tpm;

/// <summary>Evicts a persistent attestation key from the TPM.</summary>
[Cmdlet(VerbsCommon.Remove, "TpmAttestationKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveTpmAttestationKeyCommand : TpmCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Handle")]
    [ValidateRange(0x81000000u, 0x81FFFFFFu)]
    [TpmHandleTransformation]
    public uint AttestationKeyHandle { get; set; }

    protected override void ProcessRecord()
    {
        string target = Hex(AttestationKeyHandle);
        if (!ShouldProcess(target, "Evict the attestation key")) return;
        RunTpm(ErrorIds.RemoveTpmAttestationKeyFailed, target, tpm =>
        {
            try { TpmOperations.RemoveAttestationKey(tpm, AttestationKeyHandle, CancellationToken); }
            catch (TpmException e) when (e.BaseCode == TpmResponseCode.Handle)
            {
                throw e.WithAdvice($"No key at {target} to remove; Get-TpmAttestationKey lists the attestation keys");
            }
            return [];
        }, terminating: false);
    }
}
