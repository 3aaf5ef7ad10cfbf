using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Tpm;

/// <summary>Lists NV indexes with their attributes and sizes.</summary>
[Cmdlet(VerbsCommon.Get, "TpmNvIndex")]
[OutputType(typeof(TpmNvPublic))]
public sealed class GetTpmNvIndexCommand : TpmCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0x01000000u, 0x01FFFFFFu)]
    [TpmHandleTransformation]
    public uint[]? Index { get; set; }

    protected override void ProcessRecord() => RunTpm(ErrorIds.GetTpmNvIndexFailed, Tpm, tpm =>
    {
        var indexes = Index ?? tpm.GetHandles(TpmHandles.NvIndexFirst, CancellationToken);
        return ReadEach(indexes, index => tpm.NvReadPublic(index, CancellationToken).Public,
            ErrorIds.GetTpmNvIndexNotFound);
    });
}
