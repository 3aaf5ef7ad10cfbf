using System.Management.Automation;
using System.Security;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Tpm;

public sealed record TpmNvContent(uint Index, int Offset, byte[] Data);

/// <summary>Reads the data of an NV index (whole, or a range), in chunks of the TPM's NV buffer.</summary>
[Cmdlet(VerbsCommunications.Read, "TpmNvIndex")]
[OutputType(typeof(TpmNvContent))]
public sealed class ReadTpmNvIndexCommand : TpmCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0x01000000u, 0x01FFFFFFu)]
    [TpmHandleTransformation]
    public uint Index { get; set; }

    [Parameter]
    [ValidateRange(0, 65535)]
    public int Offset { get; set; }

    /// <summary>Bytes to read; the rest of the index when not given.</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int? Size { get; set; }

    /// <summary>The index's (or owner's) authorization value.</summary>
    [Parameter]
    public SecureString? Authorization { get; set; }

    protected override void ProcessRecord() => RunTpm(ErrorIds.ReadTpmNvIndexFailed, Hex(Index), tpm =>
    {
        var pub = tpm.NvReadPublic(Index, CancellationToken).Public;
        int size = Size ?? pub.DataSize - Offset;
        return [new TpmNvContent(Index, Offset, TpmOperations.ReadNvIndex(tpm, pub, Offset, size, CancellationToken, SecretBytes(Authorization)))];
    }, terminating: false);
}
