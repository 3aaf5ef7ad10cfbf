@{
    Synopsis    = 'Writes a systemd service and timer (Linux) or a Task Scheduler task (Windows) that runs Invoke-AttestationSweep on a schedule.'
    Description = @'
Register-AttestationSchedule writes what a machine needs to sweep the fleet on its own. On Linux: a oneshot service <Name>.service whose ExecStart runs pwsh -NoProfile -NonInteractive -Command with the module imported and Invoke-AttestationSweep with the arguments given here, and a timer <Name>.timer (OnCalendar=, or OnBootSec= and OnUnitActiveSec= for an -Interval; Persistent=true; RandomizedDelaySec=). They go to /etc/systemd/system, or to the folder -Path names. The service is hardened (NoNewPrivileges, PrivateTmp, ProtectSystem=full, ProtectKernel*, RestrictSUIDSGID, RestrictAddressFamilies) as far as a sweep still works: it keeps the network, its store and its SSH keys.

On Windows: a task \TrustedCompute\<Name> (task schema 1.2) registered with schtasks.exe /Create /XML, which runs pwsh -EncodedCommand with the same command, as SYSTEM unless -User (then with S4U logon, no stored password). With -Platform Windows and -Path the task's XML file is written instead (on any system), to be registered elsewhere.

The command exits with the sweep summary's ExitCode (0 every host Trusted, 1 some host not, 2 the sweep was stopped early) or 3 when the sweep could not run (module missing, store unavailable, another sweep busy), so a failed unit or task shows a fleet that needs a look. Every argument is written as a single-quoted PowerShell literal and the command line is quoted per systemd.syntax ('%' as '%%', '$' as '$$'), so tags and paths with spaces, quotes, '$' or '%' reach the sweep unchanged; line breaks and control characters are refused (RegisterAttestationScheduleInvalid).

Unit files and tasks are readable by others: a store connection string that carries a password is refused (RegisterAttestationScheduleInvalid). Put the password in a pgpass file (PGPASSFILE) or an -EnvironmentFile that only the sweep's user can read. Nothing is started unless -Enable is given: it runs systemctl daemon-reload and systemctl enable --now <Name>.timer, for the system folder only and only when systemd is PID 1 (otherwise RegisterAttestationScheduleSystemdUnavailable, and nothing is written). A schedule of the same name is kept unless -Force (RegisterAttestationScheduleExists). Other errors: RegisterAttestationSchedulePlatformNotSupported (the other platform's scheduler without -Path), RegisterAttestationScheduleWriteFailed, RegisterAttestationScheduleEnableFailed.
'@
    Parameters  = @{
        Name                  = 'The schedule''s name: the unit names <Name>.service and <Name>.timer, or the task \TrustedCompute\<Name>. 1 to 100 letters, digits, ''_'', ''.'' or ''-'', starting with a letter or digit. Default: trustedcompute-sweep.'
        OnCalendar            = 'When the sweep runs, as a systemd calendar expression (systemd.time: daily, hourly, ''*-*-* 02:00:00'', ''Mon..Fri 06:30''). Linux only. Default on Linux: daily.'
        Interval              = 'Time from one sweep''s start to the next, whole seconds from 1 minute to 31 days. On Linux the first sweep runs that long after boot (at once when the timer starts later). Default on Windows: 1 day.'
        RandomizedDelaySec    = 'A random delay of up to this many seconds before each run, so that many admin nodes do not start at once. Default: 300.'
        HostName              = 'The sweep''s -Name: only the enrolled hosts whose names match (wildcards). Default: every host.'
        Tag                   = 'The sweep''s -Tag: only the enrolled hosts with any of these tags.'
        UserName              = 'The sweep''s SSH user name.'
        KeyFilePath           = 'The sweep''s SSH private key file (made absolute).'
        Port                  = 'The sweep''s SSH port.'
        Options               = 'The sweep''s SSH options (ssh -o), for example @{ UserKnownHostsFile = ''/etc/trustedcompute/known_hosts''; StrictHostKeyChecking = ''yes'' }.'
        ThrottleLimit         = 'The sweep''s -ThrottleLimit. Default: the sweep''s (32).'
        TimeoutSec            = 'The sweep''s -TimeoutSec. Default: the sweep''s (60).'
        RetryCount            = 'The sweep''s -RetryCount. Default: the sweep''s (1).'
        LockTimeoutSec        = 'The sweep''s -LockTimeoutSec: how long a run waits for another sweep of the store. Default: the sweep''s (0).'
        AttestationKeyHandle  = 'The sweep''s -AttestationKeyHandle. Default: the sweep''s (0x81010002).'
        NoEventLog            = 'The sweep collects no event logs.'
        WebhookUri            = 'The sweep posts each verdict change here as JSON (https, or http to loopback only). The unit files are written readable by their owner only, since a webhook''s path is often its secret.'
        SyncOpenStack         = 'After each sweep, bring the OpenStack trusted pool in line with the latest results (the unit needs the OS_* variables, e.g. in -EnvironmentFile).'
        StoreConnectionString = 'The sweep''s store: a SQLite file path (made absolute) or a PostgreSQL connection string without a password. Default: the store this session uses ($env:TRUSTEDCOMPUTE_STORE, else this user''s SQLite file), written into the unit so the schedule sweeps the registry you enrolled hosts in.'
        PwshPath              = 'The pwsh the schedule runs. Default: this pwsh on this platform; /usr/bin/pwsh or C:\Program Files\PowerShell\7\pwsh.exe for the other one.'
        ModulePath            = 'The module manifest the schedule imports. Default: this module''s TrustedCompute.psd1 on this platform; the all-users module folder for the other one.'
        User                  = 'The account the sweep runs as. Default: root on Linux, SYSTEM on Windows.'
        WorkingDirectory      = 'The sweep''s working directory. Default: none set (systemd: /; Task Scheduler: its own).'
        EnvironmentFile       = 'A file of environment variables for the service (systemd EnvironmentFile=), for example PGPASSFILE; secure it yourself. Linux only.'
        Platform              = 'Linux (systemd units) or Windows (a Task Scheduler task). Default: this system''s.'
        Path                  = 'A folder for the files instead of /etc/systemd/system or Task Scheduler: a user unit folder, a staging folder, a test. Created when missing.'
        Enable                = 'After writing: systemctl daemon-reload and systemctl enable --now of the timer. Only with the system folder and systemd as PID 1.'
        Force                 = 'Replace a schedule of the same name.'
    }
    Inputs      = @{
        Name = 'The schedule''s name, by property name.'
        OnCalendar = 'The calendar, by property name.'
        Interval = 'The interval, by property name.'
        Platform = 'The platform, by property name.'
        Path = 'The folder, by property name.'
    }
    Outputs     = 'TrustedCompute.Fleet.AttestationSchedule: the schedule written (Name, Platform, When, Sweep, Command, Path, Enabled).'
    Examples    = @(
        @{
            Code    = 'Register-AttestationSchedule -OnCalendar ''*-*-* 02:00:00'' -Tag rack1 -UserName root -KeyFilePath ~/.ssh/fleet -WhatIf'
            Remarks = 'Shows what would be written to /etc/systemd/system for a nightly sweep of the hosts tagged rack1, and writes nothing.'
        }
        @{
            Code    = @'
$schedule = Register-AttestationSchedule -Name nightly -Path ./units -Interval '04:00:00' -Tag 'rack 1' -ThrottleLimit 16
$schedule | Format-List Name, When, Command
Get-Content ./units/nightly.service
'@
            Remarks = 'Writes nightly.service and nightly.timer into ./units (a sweep every 4 hours) and shows the command they run.'
        }
        @{
            Code    = 'Register-AttestationSchedule -Platform Windows -Path ./tasks -Interval 1.00:00:00 -StoreConnectionString ''C:\ProgramData\TrustedCompute\store.db'''
            Remarks = 'Writes tasks/trustedcompute-sweep.xml, a daily Task Scheduler task, to be registered on a Windows admin node with schtasks /Create /XML.'
        }
    )
    Notes = 'systemd-analyze verify <Name>.service <Name>.timer checks the written units. systemctl status <Name>.service and journalctl -u <Name> show the sweeps; a run with a host not Trusted leaves the service failed (exit code 1).'
    RelatedLinks = @('Get-AttestationSchedule', 'Unregister-AttestationSchedule', 'Invoke-AttestationSweep', 'about_TrustedCompute_Fleet')
}
