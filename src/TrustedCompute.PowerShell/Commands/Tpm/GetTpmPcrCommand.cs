using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;
using TrustedCompute.Tpm.Transport;

namespace TrustedCompute.PowerShell.Commands.Tpm;

/// <summary>Gets PCR values of every allocated bank, or of the banks and indexes asked for.</summary>
[Cmdlet(VerbsCommon.Get, "TpmPcr")]
[OutputType(typeof(TpmPcrValue))]
public sealed class GetTpmPcrCommand : TpmCmdlet
{
    [Parameter(Position = 0)]
    [Alias("Index")]
    [PcrIndexTransformation]
    [ValidateRange(0, 23)]
    public int[]? PcrIndex { get; set; }

    [Parameter]
    [ValidateSet("sha1", "sha256", "sha384", "sha512", IgnoreCase = true)]
    public string[]? Bank { get; set; }

    protected override void ProcessRecord()
    {
        var banks = Bank?.Select(TpmHash.ParseBank).ToList();
        string connection = TpmTransportFactory.Resolve(Tpm);
        TpmClient tpm;
        try
        {
            tpm = TpmClient.Open(connection);
        }
        catch (TpmTransportException e) when (connection.StartsWith("device:", StringComparison.OrdinalIgnoreCase) && SysfsPcrReader.IsAvailable)
        {
            WriteVerbose($"{e.Message}; reading PCRs from {SysfsPcrReader.Root} instead");
            WriteObject(SysfsPcrReader.Read(banks, PcrIndex), enumerateCollection: true);
            return;
        }
        catch (Exception e) when (e is TpmTransportException or ArgumentException or PlatformNotSupportedException)
        {
            ThrowTerminatingError(e, ErrorIds.TpmUnavailable, connection);
            return;
        }
        using (tpm)
        {
            try
            {
                WriteObject(TpmOperations.ReadPcrs(tpm, banks, PcrIndex, CancellationToken), enumerateCollection: true);
            }
            catch (Exception e) when (e is TpmException or TpmProtocolException or TpmTransportException or ArgumentException)
            {
                ThrowTerminatingError(e, ErrorIds.GetTpmPcrFailed, connection);
            }
        }
    }
}
