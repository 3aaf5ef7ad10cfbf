using System.Management.Automation;
using TrustedCompute.Enrollment;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Tpm;

/// <summary>
/// Reads what this host offers for enrollment: the EK (public area, certificate as stored, the TPM's chain
/// certificates) and the attestation key to bind. The host side of Register-TrustedHost; changes nothing.
/// </summary>
[Cmdlet(VerbsCommon.Get, "TpmEnrollmentRequest")]
[OutputType(typeof(EnrollmentRequest))]
public sealed class GetTpmEnrollmentRequestCommand : TpmCmdlet
{
    [Parameter]
    [Alias("Handle")]
    [ValidateRange(0x81000000u, 0x81FFFFFFu)]
    [TpmHandleTransformation]
    public uint AttestationKeyHandle { get; set; } = TpmHandles.DefaultAttestationKey;

    protected override void ProcessRecord() => RunTpm(ErrorIds.GetTpmEnrollmentRequestFailed, Hex(AttestationKeyHandle), tpm =>
        [UsingAttestationKey(AttestationKeyHandle, () =>
            EnrollmentRequest.Collect(tpm, AttestationKeyHandle, Environment.MachineName, CancellationToken))]);
}
