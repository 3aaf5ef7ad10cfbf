using System.Globalization;
using System.Management.Automation;
using System.Text;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Tpm;

/// <summary>Extends a measurement into a PCR of every allocated bank (for labs and tests).</summary>
[Cmdlet(VerbsData.Update, "TpmPcr", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = "Text")]
[OutputType(typeof(TpmPcrValue))]
public sealed class UpdateTpmPcrCommand : TpmCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("Index")]
    [PcrIndexTransformation(Single = true)]
    [ValidateRange(0, 23)]
    public int PcrIndex { get; set; }

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
        if (!ShouldProcess($"PCR {PcrIndex}", "Extend a measurement")) return;
        byte[] data = ParameterSetName == "Text" ? Encoding.UTF8.GetBytes(Text) : Data;
        var banks = Bank?.Select(TpmHash.ParseBank).ToList();
        RunTpm(ErrorIds.UpdateTpmPcrFailed, PcrIndex, tpm =>
        {
            try { TpmOperations.ExtendPcr(tpm, PcrIndex, data, banks, CancellationToken); }
            catch (TpmException e) when (e.BaseCode == TpmResponseCode.Locality)
            {
                throw e.WithAdvice($"PCR {PcrIndex} can be extended only at locality {Localities(PcrIndex)}; " +
                    $"{tpm.Description} uses locality {tpm.Locality}. A simulator takes locality=N in its " +
                    "connection string; on a real platform only the dynamic launch (Intel TXT) reaches them");
            }
            return TpmOperations.ReadPcrs(tpm, banks, [PcrIndex], CancellationToken);
        }, terminating: false);
    }

    private static string Localities(int pcr)
    {
        var allowed = PcrLocality.CanExtend(pcr).Select(l => l.ToString(CultureInfo.InvariantCulture)).ToList();
        return allowed.Count == 1 ? allowed[0] : $"{string.Join(", ", allowed[..^1])} or {allowed[^1]}";
    }
}
