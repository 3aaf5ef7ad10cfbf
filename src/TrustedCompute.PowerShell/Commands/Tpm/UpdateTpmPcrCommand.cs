using System.Management.Automation;
using System.Text;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Tpm;

/// <summary>Extends a measurement into a PCR of every allocated bank (for labs and tests).</summary>
[Cmdlet(VerbsData.Update, "TpmPcr", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Text")]
[OutputType(typeof(TpmPcrValue))]
public sealed class UpdateTpmPcrCommand : TpmCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateRange(0, 23)]
    public int Index { get; set; }

    /// <summary>Text whose UTF-8 bytes are hashed and extended.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = "Text")]
    public string Text { get; set; } = "";

    /// <summary>Bytes that are hashed and extended.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Data")]
    public byte[] Data { get; set; } = [];

    [Parameter]
    [ValidateSet("sha1", "sha256", "sha384", "sha512", IgnoreCase = true)]
    public string[]? Bank { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"PCR {Index}", "Extend a measurement")) return;
        byte[] data = ParameterSetName == "Text" ? Encoding.UTF8.GetBytes(Text) : Data;
        var banks = Bank?.Select(TpmHash.ParseBank).ToList();
        RunTpm(ErrorIds.UpdateTpmPcrFailed, Index, tpm =>
        {
            TpmOperations.ExtendPcr(tpm, Index, data, banks, CancellationToken);
            return TpmOperations.ReadPcrs(tpm, banks, [Index], CancellationToken);
        });
    }
}
