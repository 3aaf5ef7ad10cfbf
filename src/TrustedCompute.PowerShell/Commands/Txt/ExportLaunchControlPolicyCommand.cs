using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Txt;

namespace TrustedCompute.PowerShell.Commands.Txt;

/// <summary>Writes a policy as .pol + .data (or a list, element or data file) in the byte format SINIT and tboot use.</summary>
[Cmdlet(VerbsData.Export, "LaunchControlPolicy", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportLaunchControlPolicyCommand : TrustedComputeCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public PSObject InputObject { get; set; } = null!;

    /// <summary>The .pol file (".pol" is added when there is no extension), or the .lst/.elt/.data file.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = "";

    [Parameter]
    public string? DataPath { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        object item = InputObject.BaseObject;
        try
        {
            string path = GetUnresolvedProviderPathFromPSPath(Path);
            string? dataPath = DataPath is null ? null : GetUnresolvedProviderPathFromPSPath(DataPath);
            var targets = LcpFiles.TargetsOf(item, path, dataPath);
            if (!ShouldProcess(string.Join(", ", targets), "Write launch control policy")) return;
            var existing = targets.FirstOrDefault(File.Exists);
            if (existing is not null && !Force)
            {
                WriteError(new IOException($"{existing} exists; use -Force to overwrite it."), ErrorIds.ExportLaunchControlPolicyFileExists, existing);
                return;
            }
            foreach (var written in LcpFiles.Write(item, path, dataPath))
            {
                WriteVerbose($"Wrote {written}");
                if (PassThru) WriteObject(new FileInfo(written));
            }
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            WriteError(e, e is ArgumentException or NotSupportedException ? ErrorIds.ExportLaunchControlPolicyInvalidInput : ErrorIds.ExportLaunchControlPolicyWriteFailed, item);
        }
    }
}
