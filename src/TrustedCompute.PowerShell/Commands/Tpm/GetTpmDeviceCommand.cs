using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Tpm;

/// <summary>Gets the TPM's identity: manufacturer, vendor strings, firmware, spec level, PCR banks, transport.</summary>
[Cmdlet(VerbsCommon.Get, "TpmDevice")]
[OutputType(typeof(TpmDeviceInfo))]
public sealed class GetTpmDeviceCommand : TpmCmdlet
{
    protected override void ProcessRecord() =>
        RunTpm(ErrorIds.GetTpmDeviceFailed, Tpm, tpm => [TpmOperations.GetDeviceInfo(tpm, CancellationToken)]);
}
