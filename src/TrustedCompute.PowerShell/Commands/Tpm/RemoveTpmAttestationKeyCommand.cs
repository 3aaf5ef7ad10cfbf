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
    [ValidateRange(0x81000000u, 0x81FFFFFFu)]
    [TpmHandleTransformation]
    public uint Handle { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Hex(Handle), "Evict the attestation key")) return;
        RunTpm(ErrorIds.RemoveTpmAttestationKeyFailed, Hex(Handle), tpm =>
        {
            TpmOperations.RemoveAttestationKey(tpm, Handle, CancellationToken);
            return [];
        }, terminating: false);
    }
}
