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
    [Alias("Handle")]
    [ValidateRange(0x81000000u, 0x81FFFFFFu)]
    [TpmHandleTransformation]
    public uint AttestationKeyHandle { get; set; } = TpmHandles.DefaultAttestationKey;

    /// <summary>Replace an attestation key already at the handle.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        string target = Hex(AttestationKeyHandle);
        if (!ShouldProcess(target, $"Create a {KeyType} attestation key")) return;
        RunTpm(ErrorIds.NewTpmAttestationKeyFailed, target, tpm =>
        {
            if (Force) TryRemove(tpm);
            try { return [TpmOperations.CreateAttestationKey(tpm, KeyType, AttestationKeyHandle, CancellationToken)]; }
            catch (TpmException e) when (e.BaseCode == TpmResponseCode.NvDefined)
            {
                throw e.WithAdvice($"{target} already holds a key: use -Force to replace it, " +
                                   "or another -AttestationKeyHandle");
            }
        }, terminating: false);
    }

    private void TryRemove(TpmClient tpm)
    {
        try { TpmOperations.RemoveAttestationKey(tpm, AttestationKeyHandle, CancellationToken); }
        catch (TpmException e) when (e.BaseCode == TpmResponseCode.Handle) { }
    }
}
