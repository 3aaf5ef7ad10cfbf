using System.Collections.ObjectModel;
using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Txt;

namespace TrustedCompute.PowerShell.Commands.Txt;

/// <summary>Reads .pol (+ .data), .lst, .elt and .data files, ours or tboot's.</summary>
[Cmdlet(VerbsData.Import, "LaunchControlPolicy", DefaultParameterSetName = "Path")]
[OutputType(typeof(LaunchControlPolicy), typeof(LcpPolicyList), typeof(LcpElement), typeof(LcpPolicyData))]
public sealed class ImportLaunchControlPolicyCommand : TrustedComputeCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Path")]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "LiteralPath")]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The data file of a .pol; by default the .data file beside it.</summary>
    [Parameter]
    public string? DataPath { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var path in Resolve())
        {
            try
            {
                string? data = DataPath is null ? null : GetUnresolvedProviderPathFromPSPath(DataPath);
                WriteObject(LcpFiles.Read(path, data));
            }
            catch (FormatException e)
            {
                WriteError(e, ErrorIds.ImportLaunchControlPolicyInvalid, path);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                WriteError(e, ErrorIds.ImportLaunchControlPolicyNotFound, path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WriteError(e, ErrorIds.ImportLaunchControlPolicyReadFailed, path);
            }
        }
    }

    private IEnumerable<string> Resolve()
    {
        if (ParameterSetName == "LiteralPath")
        {
            foreach (var p in LiteralPath) yield return GetUnresolvedProviderPathFromPSPath(p);
            yield break;
        }
        foreach (var p in Path)
        {
            Collection<string>? resolved = null;
            try
            {
                resolved = GetResolvedProviderPathFromPSPath(p, out _);
            }
            catch (ItemNotFoundException e)
            {
                WriteError(e, ErrorIds.ImportLaunchControlPolicyNotFound, p);
            }
            foreach (var r in resolved ?? []) yield return r;
        }
    }
}
