using System.Collections;
using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Txt;

namespace TrustedCompute.PowerShell.Commands.Txt;

/// <summary>Checks a policy as SINIT would, and optionally whether an MLE or platform configuration is allowed.</summary>
[Cmdlet(VerbsDiagnostic.Test, "LaunchControlPolicy", DefaultParameterSetName = "InputObject")]
[OutputType(typeof(LcpPolicyTestResult), typeof(bool))]
public sealed class TestLaunchControlPolicyCommand : TrustedComputeCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = "InputObject")]
    public LaunchControlPolicy InputObject { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path")]
    public string Path { get; set; } = "";

    [Parameter]
    public string? DataPath { get; set; }

    /// <summary>An MLE hash (hex) to check against the MLE elements.</summary>
    [Parameter]
    public string? Measurement { get; set; }

    /// <summary>An MLE image (e.g. tboot.gz) to measure and check.</summary>
    [Parameter]
    public string? MlePath { get; set; }

    [Parameter]
    public string? CommandLine { get; set; }

    [Parameter]
    [ValidateSet("Sha1", "Sha256", "Sha384", "Sha512")]
    public string MeasurementAlgorithm { get; set; } = "Sha256";

    /// <summary>PCR values to check against the PCONF elements: a hashtable (index → hex or bytes) or Get-TpmPcr output.</summary>
    [Parameter]
    public PSObject[]? PcrValue { get; set; }

    [Parameter]
    [ValidateSet("Sha1", "Sha256", "Sha384", "Sha512")]
    public string PcrBank { get; set; } = "Sha256";

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        object target = ParameterSetName == "Path" ? Path : InputObject;
        try
        {
            var lcp = ParameterSetName == "Path"
                ? LcpFiles.Read(GetUnresolvedProviderPathFromPSPath(Path), DataPath is null ? null : GetUnresolvedProviderPathFromPSPath(DataPath)) as LaunchControlPolicy
                    ?? throw new ArgumentException($"{Path} is not a policy (.pol) file.")
                : InputObject;
            var data = lcp.Data;
            if (data is null && DataPath is not null && ParameterSetName != "Path")
            {
                data = LcpPolicyData.Parse(LaunchControlPolicy.ReadBounded(GetUnresolvedProviderPathFromPSPath(DataPath)));
            }
            byte[]? measurement = Measurement is not null ? LcpHash.ParseHex(Measurement)
                : MlePath is not null ? MleHash.Compute(File.ReadAllBytes(GetUnresolvedProviderPathFromPSPath(MlePath)), CommandLine, TxtArguments.Hash(MeasurementAlgorithm))
                : null;
            Dictionary<LcpHashAlgorithm, IReadOnlyDictionary<int, byte[]>>? pcrs = null;
            if (PcrValue is not null)
            {
                var bank = TxtArguments.Hash(PcrBank);
                var byBank = new Dictionary<LcpHashAlgorithm, Dictionary<int, byte[]>> { [bank] = [] };
                foreach (var item in PcrValue)
                {
                    if (item.BaseObject is IDictionary table) TxtArguments.AddPcrValues(table, byBank[bank]);
                    else if (TxtArguments.TryPcr(item, out int index, out var value, out var itemBank))
                    {
                        var pcrBank = itemBank ?? bank;
                        if (!byBank.TryGetValue(pcrBank, out var values)) byBank[pcrBank] = values = [];
                        values[index] = value;
                    }
                    else throw new ArgumentException($"-PcrValue takes a hashtable or PCR objects (Index, Value, Bank), not {item.BaseObject.GetType().Name}.");
                }
                pcrs = byBank.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<int, byte[]>)kv.Value);
            }
            var result = LcpPolicyTester.Test(lcp.Policy, data, measurement, pcrs);
            foreach (var finding in result.Findings) WriteVerbose($"{finding.Severity} {finding.Id}: {finding.Message}");
            if (Quiet) WriteObject(result.IsValid && result.MleAllowed != false && result.PlatformAllowed != false);
            else WriteObject(result);
        }
        catch (FormatException e)
        {
            WriteError(e, ErrorIds.TestLaunchControlPolicyInvalid, target);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            WriteError(e, ErrorIds.TestLaunchControlPolicyFailed, target);
        }
    }
}
