using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;
using TrustedCompute.Txt;

namespace TrustedCompute.PowerShell.Commands.Txt;

/// <summary>Reads the launch control policy from a TPM's PO or PS NV index.</summary>
[Cmdlet(VerbsCommon.Get, "LaunchControlPolicy")]
[OutputType(typeof(LaunchControlPolicy))]
public sealed class GetLaunchControlPolicyCommand : TrustedComputeCmdlet
{
    [Parameter(Position = 0)]
    [ValidateSet("PlatformOwner", "PlatformSupplier")]
    public string Authority { get; set; } = "PlatformOwner";

    /// <summary>Reads the PO policy from the legacy index 0x01400001 (older SINITs).</summary>
    [Parameter]
    public SwitchParameter Legacy { get; set; }

    /// <summary>swtpm:host=H,port=P | device:/dev/tpmrm0 | tbs: ; default $env:TRUSTEDCOMPUTE_TPM, else this machine's TPM.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Transport")]
    public string? Tpm { get; set; }

    /// <summary>The policy data file that belongs with the policy, for Test-LaunchControlPolicy.</summary>
    [Parameter]
    public string? DataPath { get; set; }

    protected override void ProcessRecord()
    {
        uint index = Authority == "PlatformSupplier" ? LcpNvIndex.PlatformSupplier : Legacy ? LcpNvIndex.LegacyPlatformOwner : LcpNvIndex.PlatformOwner;
        try
        {
            LaunchControlPolicy lcp;
            using (var tpm = TpmClient.Open(Tpm))
            {
                WriteVerbose($"Reading NV index 0x{index:X8} on {tpm.Description}");
                lcp = LcpNvStore.Read(tpm, index, CancellationToken);
            }
            if (DataPath is not null)
            {
                string path = GetUnresolvedProviderPathFromPSPath(DataPath);
                lcp = new LaunchControlPolicy(lcp.Policy, LcpPolicyData.Parse(LaunchControlPolicy.ReadBounded(path))) { Path = lcp.Path, DataPath = path };
            }
            WriteObject(lcp);
        }
        catch (KeyNotFoundException e)
        {
            WriteError(e, ErrorIds.GetLaunchControlPolicyNotFound, index);
        }
        catch (InvalidOperationException e)
        {
            WriteError(e, ErrorIds.GetLaunchControlPolicyNotWritten, index);
        }
        catch (FormatException e)
        {
            WriteError(e, ErrorIds.GetLaunchControlPolicyInvalid, index);
        }
        catch (Exception e) when (e is TpmException or TpmTransportException or TpmProtocolException or IOException or ArgumentException or PlatformNotSupportedException)
        {
            WriteError(e, ErrorIds.GetLaunchControlPolicyTpmError, index);
        }
    }
}
