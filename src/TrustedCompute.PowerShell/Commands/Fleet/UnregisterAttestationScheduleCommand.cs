using System.Management.Automation;
using TrustedCompute.Fleet;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.Fleet;

/// <summary>Removes schedules Register-AttestationSchedule wrote; an enabled timer is stopped and disabled first.</summary>
[Cmdlet(VerbsLifecycle.Unregister, "AttestationSchedule", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class UnregisterAttestationScheduleCommand : ScheduleCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    protected override void ProcessRecord()
    {
        ScheduleFolder folder;
        try { folder = Folder(); }
        catch (PlatformNotSupportedException e)
        {
            WriteError(e, ErrorIds.UnregisterAttestationSchedulePlatformNotSupported, Platform);
            return;
        }
        foreach (string name in Name)
        {
            try
            {
                if (!folder.Exists(name))
                {
                    WriteError(new ItemNotFoundException($"No schedule named '{name}' in {folder}"),
                        ErrorIds.UnregisterAttestationScheduleNotFound, name);
                    continue;
                }
                if (!ShouldProcess(string.Join(", ", folder.Files(name)), "Remove the schedule")) continue;
                bool running = folder.IsSystem && folder.IsEnabled(name) && ScheduleFolder.SystemdRunning;
                if (running) ScheduleFolder.DisableTimer(name);
                folder.Remove(name);
                if (running) ScheduleFolder.ReloadSystemd();
            }
            catch (ScheduleException e) { WriteError(e, ErrorIds.UnregisterAttestationScheduleInvalid, name); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException
                                          or PlatformNotSupportedException)
            {
                WriteError(e, ErrorIds.UnregisterAttestationScheduleFailed, name);
            }
        }
    }
}
