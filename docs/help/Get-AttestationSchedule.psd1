@{
    Synopsis    = 'Reads back the sweep schedules Register-AttestationSchedule wrote: when they run and with which sweep arguments.'
    Description = @'
Get-AttestationSchedule lists the schedules in /etc/systemd/system (or the folder -Path names; with -Platform Windows its task XML files), or on Windows the tasks in \TrustedCompute\. It reads only files this module wrote (systemd units carrying its banner line) and parses them back: the calendar or interval, the random delay, the user, the pwsh and module, and the sweep's arguments from the ExecStart command line (split as systemd splits it) or the task's -EncodedCommand.

Enabled tells whether the timer is linked into timers.target.wants (systemctl enable) or the task is enabled. Modified is true when the files differ from what those settings would write: someone edited them since. A file of ours that cannot be read back (an edit this module never writes) is a non-terminating GetAttestationScheduleInvalid error; a name without wildcards that matches nothing is GetAttestationScheduleNotFound.
'@
    Parameters  = @{
        Name     = 'The schedules to read (wildcards allowed). Default: all.'
        Platform = 'Linux (systemd units) or Windows (Task Scheduler). Default: this system''s.'
        Path     = 'The folder to read instead of /etc/systemd/system or Task Scheduler.'
    }
    Inputs      = @{ Name = 'Schedule names, by property name.'; Platform = 'The platform, by property name.'; Path = 'The folder, by property name.' }
    Outputs     = 'TrustedCompute.Fleet.AttestationSchedule: Name, Platform, OnCalendar, Interval, When, RandomizedDelay, Sweep (the arguments), Command, PwshPath, ModulePath, User, WorkingDirectory, EnvironmentFile, Path, Enabled, Modified.'
    Examples    = @(
        @{
            Code    = @'
$null = Register-AttestationSchedule -Name hourly -Path ./units -OnCalendar hourly -Tag edge
Get-AttestationSchedule -Path ./units
'@
            Remarks = 'Writes a schedule into ./units and lists the schedules there.'
        }
        @{
            Code    = '(Get-AttestationSchedule hourly -Path ./units).Sweep | Format-List Tag, ThrottleLimit, StoreConnectionString'
            Remarks = 'Shows the sweep arguments of one schedule.'
        }
    )
    RelatedLinks = @('Register-AttestationSchedule', 'Unregister-AttestationSchedule', 'Invoke-AttestationSweep')
}
