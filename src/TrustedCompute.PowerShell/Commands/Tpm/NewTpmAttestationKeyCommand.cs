using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Tpm;

/// <summary>Creates an attestation key under the endorsement key and makes it persistent.</summary>
[Cmdlet(VerbsCommon.New, "TpmAttestationKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(AttestationKeyInfo))]
public sealed class NewTpmAttestationKeyCommand : TpmCmdlet
{
    [Parameter(Position = 0)]
    public AttestationKeyType KeyType { get; set; } = AttestationKeyType.RsaSsa;

    [Parameter]
    [ValidateRange(0x81000000u, 0x81FFFFFFu)]
    [TpmHandleTransformation]
    public uint Handle { get; set; } = TpmHandles.DefaultAttestationKey;

    /// <summary>Replace an attestation key already at the handle.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Hex(Handle), $"Create a {KeyType} attestation key")) return;
        RunTpm(ErrorIds.NewTpmAttestationKeyFailed, Hex(Handle), tpm =>
        {
            if (Force) TryRemove(tpm);
            return [TpmOperations.CreateAttestationKey(tpm, KeyType, Handle, CancellationToken)];
        });
    }

    private void TryRemove(TpmClient tpm)
    {
        try { TpmOperations.RemoveAttestationKey(tpm, Handle, CancellationToken); }
        catch (TpmException e) when (TpmResponseCode.BaseCode(e.ResponseCode) == 0x8B) { }
    }
}
