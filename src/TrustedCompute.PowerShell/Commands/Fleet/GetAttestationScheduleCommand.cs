using System.Management.Automation;
using TrustedCompute.Fleet;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.Fleet;

/// <summary>
/// Reads back the schedules Register-AttestationSchedule wrote: their timing and the sweep's arguments, parsed from
/// the units (or the task), whether the timer is enabled and whether the files were edited since.
/// </summary>
[Cmdlet(VerbsCommon.Get, "AttestationSchedule")]
[OutputType(typeof(AttestationSchedule))]
public sealed class GetAttestationScheduleCommand : ScheduleCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        ScheduleFolder folder;
        try { folder = Folder(); }
        catch (PlatformNotSupportedException e)
        {
            ThrowTerminatingError(e, ErrorIds.GetAttestationSchedulePlatformNotSupported, Platform);
            return;
        }
        var patterns = (Name ?? ["*"]).Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToList();
        List<(string Name, AttestationSchedule? Schedule, Exception? Error)> found;
        try { found = folder.Read(name => patterns.Any(p => p.IsMatch(name))); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            ThrowTerminatingError(e, ErrorIds.GetAttestationScheduleReadFailed, folder.ToString());
            return;
        }
        foreach (var (name, schedule, error) in found)
        {
            if (schedule is not null) WriteObject(schedule);
            else WriteError(error!, ErrorIds.GetAttestationScheduleInvalid, name);
        }
        foreach (string literal in (Name ?? []).Where(n => !WildcardPattern.ContainsWildcardCharacters(n)))
        {
            if (!found.Any(f => string.Equals(f.Name, literal, StringComparison.OrdinalIgnoreCase)))
            {
                WriteError(new ItemNotFoundException($"No schedule named '{literal}' in {folder}"),
                    ErrorIds.GetAttestationScheduleNotFound, literal);
            }
        }
    }
}
