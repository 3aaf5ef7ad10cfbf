using System.Management.Automation;
using TrustedCompute.EventLog;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.EventLog;

/// <summary>Gets the events of a TCG event log: the local measured-boot log, or log files.</summary>
[Cmdlet(VerbsCommon.Get, "TpmEventLog", DefaultParameterSetName = LocalSet)]
[OutputType("TrustedCompute.EventLog.TcgEvent")]
public sealed class GetTpmEventLogCommand : EventLogCommandBase
{
    [Parameter]
    [PcrIndexTransformation]
    [ValidateRange(0, 23)]
    public int[]? PcrIndex { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EventTypeCompleter))]
    public string[]? EventType { get; set; }

    protected override LogErrorIds LogErrors { get; } =
        new(ErrorIds.GetTpmEventLogParseFailed, ErrorIds.GetTpmEventLogReadFailed, ErrorIds.GetTpmEventLogPathNotFound);

    protected override void ProcessRecord()
    {
        var patterns = EventType?.Select(t => new WildcardPattern(t, WildcardOptions.IgnoreCase)).ToList();
        foreach (var (source, log) in ReadLogs())
        {
            foreach (var e in log.Events)
            {
                if (PcrIndex is not null && !PcrIndex.Contains(e.PcrIndex)) continue;
                if (patterns is not null && !patterns.Any(p => p.IsMatch(e.EventTypeName))) continue;
                var item = new PSObject(e);
                item.Properties.Add(new PSNoteProperty("Source", source));
                WriteObject(item);
            }
        }
    }
}
