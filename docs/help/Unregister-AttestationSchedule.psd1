@{
    Synopsis    = 'Removes sweep schedules: their systemd service and timer (disabled and stopped first when enabled) or their task.'
    Description = @'
Unregister-AttestationSchedule removes what Register-AttestationSchedule wrote. For systemd units in /etc/systemd/system whose timer is enabled while systemd runs, it runs systemctl disable --now first and systemctl daemon-reload after; elsewhere it removes the files and any timers.target.wants link. On Windows it deletes the task with schtasks.exe /Delete. It takes Get-AttestationSchedule output from the pipeline. A name that is not there is UnregisterAttestationScheduleNotFound; a failure to remove is UnregisterAttestationScheduleFailed.
'@
    Parameters  = @{
        Name     = 'The schedules to remove.'
        Platform = 'Linux (systemd units) or Windows (Task Scheduler). Default: this system''s.'
        Path     = 'The folder to remove from instead of /etc/systemd/system or Task Scheduler.'
    }
    Inputs      = @{ Name = 'Get-AttestationSchedule output, or schedule names.'; Platform = 'The platform, by property name.'; Path = 'The folder, by property name.' }
    Outputs     = 'None.'
    Examples    = @(
        @{
            Code    = @'
$null = Register-AttestationSchedule -Name old-sweep -Path ./units -Interval '06:00:00'
Unregister-AttestationSchedule old-sweep -Path ./units -WhatIf
'@
            Remarks = 'Writes a schedule into ./units, then shows what removing it would remove, and removes nothing.'
        }
        @{
            Code    = 'Get-AttestationSchedule old-sweep -Path ./units | Unregister-AttestationSchedule'
            Remarks = 'Removes the schedule through the pipeline: Name, Platform and Path bind by property name.'
        }
    )
    RelatedLinks = @('Register-AttestationSchedule', 'Get-AttestationSchedule')
}
