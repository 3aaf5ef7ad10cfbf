using System.Management.Automation;
using System.Text;
using TrustedCompute.PowerShell.Commands.Registry;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Reporting;
using TrustedCompute.Store;

namespace TrustedCompute.PowerShell.Commands.Reporting;

public enum ReportFormat { Html, Csv }

/// <summary>Writes the fleet report from the store: one self-contained HTML page, or CSV for spreadsheets.</summary>
[Cmdlet(VerbsData.Export, "AttestationReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportAttestationReportCommand : StoreCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Html (default) or Csv.</summary>
    [Parameter]
    public ReportFormat Format { get; set; } = ReportFormat.Html;

    /// <summary>Only hosts whose name matches one of these (wildcards); default: every host.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? HostName { get; set; }

    /// <summary>Results per host in the history (drill-down and trend).</summary>
    [Parameter]
    [ValidateRange(1, 10000)]
    public int HistoryCount { get; set; } = 50;

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void EndProcessing()
    {
        string target = GetUnresolvedProviderPathFromPSPath(Path);
        if (File.Exists(target) && !Force)
        {
            WriteError(new IOException($"{target} exists; use -Force to overwrite it"), ErrorIds.ExportAttestationReportFileExists, target);
            base.EndProcessing();
            return;
        }
        FleetReport? report = null;
        if (TryStore(() => report = FleetReport.FromStore(Store, Matcher(HostName), HistoryCount), ErrorIds.StoreOperationFailed, target)
            && ShouldProcess(target, $"Write the {Format} fleet report of {report!.Hosts.Count} host(s)"))
        {
            try
            {
                using (var writer = new StreamWriter(target, false, new UTF8Encoding(Format == ReportFormat.Csv)))
                {
                    if (Format == ReportFormat.Csv) ReportWriter.WriteCsv(report, writer);
                    else ReportWriter.WriteHtml(report, writer);
                }
                WriteObject(new FileInfo(target));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WriteError(e, ErrorIds.ExportAttestationReportWriteFailed, target);
            }
        }
        base.EndProcessing();
    }
}
