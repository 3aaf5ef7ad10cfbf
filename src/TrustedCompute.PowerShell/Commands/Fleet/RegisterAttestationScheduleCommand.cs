using System.Collections;
using System.Management.Automation;
using TrustedCompute.Fleet;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Store;

namespace TrustedCompute.PowerShell.Commands.Fleet;

/// <summary>
/// Writes a schedule that runs Invoke-AttestationSweep: a systemd service and timer (/etc/systemd/system, or -Path),
/// or a Windows Task Scheduler task (or its XML file in -Path). -Enable starts the timer, only when asked.
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "AttestationSchedule", SupportsShouldProcess = true, DefaultParameterSetName = CalendarSet)]
[OutputType(typeof(AttestationSchedule))]
public sealed class RegisterAttestationScheduleCommand : ScheduleCmdlet
{
    private const string CalendarSet = "Calendar";
    private const string IntervalSet = "Interval";

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = AttestationSchedule.DefaultName;

    /// <summary>A systemd calendar expression (Linux); default daily.</summary>
    [Parameter(ParameterSetName = CalendarSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? OnCalendar { get; set; }

    [Parameter(ParameterSetName = IntervalSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public TimeSpan Interval { get; set; }

    [Parameter]
    [ValidateRange(0, 86400)]
    public int RandomizedDelaySec { get; set; } = 300;

    /// <summary>The sweep's -Name: only the enrolled hosts whose names match.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? HostName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Tag { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UserName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int? Port { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Hashtable? Options { get; set; }

    [Parameter]
    [ValidateRange(1, 1024)]
    public int? ThrottleLimit { get; set; }

    [Parameter]
    [ValidateRange(1, 86400)]
    public int? TimeoutSec { get; set; }

    [Parameter]
    [ValidateRange(0, 10)]
    public int? RetryCount { get; set; }

    [Parameter]
    [ValidateRange(0, 86400)]
    public int? LockTimeoutSec { get; set; }

    [Parameter]
    [ValidateRange(0x81000000u, 0x81FFFFFFu)]
    [TpmHandleTransformation]
    public uint? AttestationKeyHandle { get; set; }

    [Parameter]
    public SwitchParameter NoEventLog { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Uri? WebhookUri { get; set; }

    [Parameter]
    public SwitchParameter SyncOpenStack { get; set; }

    /// <summary>The sweep's store: a SQLite path or a PostgreSQL connection string without a password.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StoreConnectionString { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PwshPath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ModulePath { get; set; }

    /// <summary>The account the sweep runs as (Linux default root, Windows default SYSTEM).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? EnvironmentFile { get; set; }

    /// <summary>systemctl daemon-reload and enable --now the timer (systemd as PID 1, the system folder).</summary>
    [Parameter]
    public SwitchParameter Enable { get; set; }

    /// <summary>Replace a schedule of this name.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        AttestationSchedule schedule;
        ScheduleFolder folder;
        try
        {
            folder = Folder();
            schedule = Schedule();
            ScheduleValidator.Validate(schedule);
            if (Enable) CheckEnable(folder);
        }
        catch (PlatformNotSupportedException e)
        {
            WriteError(e, Enable ? ErrorIds.RegisterAttestationScheduleSystemdUnavailable
                : ErrorIds.RegisterAttestationSchedulePlatformNotSupported, Name);
            return;
        }
        catch (ArgumentException e)
        {
            WriteError(e, ErrorIds.RegisterAttestationScheduleInvalid, Name);
            return;
        }
        catch (StoreException e)
        {
            WriteError(e, ErrorIds.StoreUnavailable, Name);
            return;
        }
        WarnAboutPrivateTmp(schedule);

        var files = folder.Files(schedule.Name);
        string action = Platform == SchedulePlatform.Linux ? "Write the systemd service and timer" : "Register the task";
        if (!ShouldProcess(string.Join(", ", files), action + (Enable ? ", then enable and start the timer" : ""))) return;
        try
        {
            if (folder.Exists(schedule.Name) && (!Force || !folder.IsOwn(schedule.Name)))
            {
                string message = folder.IsOwn(schedule.Name)
                    ? $"A schedule named '{schedule.Name}' exists in {folder}: give -Force to replace it"
                    : $"Units named '{schedule.Name}' exist in {folder} that Register-AttestationSchedule did not write: pick another -Name";
                WriteError(new InvalidOperationException(message), ErrorIds.RegisterAttestationScheduleExists, schedule.Name);
                return;
            }
            folder.Write(schedule);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            WriteError(e, ErrorIds.RegisterAttestationScheduleWriteFailed, schedule.Name);
            return;
        }
        bool enabled = false;
        if (Enable && Platform == SchedulePlatform.Linux)
        {
            try
            {
                ScheduleFolder.EnableTimer(schedule.Name);
                enabled = true;
            }
            catch (Exception e) when (e is InvalidOperationException or PlatformNotSupportedException
                                          or System.ComponentModel.Win32Exception)
            {
                WriteError(e, ErrorIds.RegisterAttestationScheduleEnableFailed, schedule.Name);
            }
        }
        WriteObject(schedule with
        {
            Path = folder.Folder,
            Enabled = enabled || Platform == SchedulePlatform.Windows && folder.Folder is null,
        });
    }

    private void CheckEnable(ScheduleFolder folder)
    {
        if (Platform == SchedulePlatform.Windows)
            throw new ScheduleException("-Enable is for systemd timers: a Task Scheduler task is enabled when it is registered");
        if (!folder.IsSystem)
            throw new ScheduleException($"-Enable starts timers in {ScheduleFolder.SystemdSystemFolder} only, not in -Path");
        if (OperatingSystem.IsWindows() || !ScheduleFolder.SystemdRunning)
            throw new PlatformNotSupportedException(
                "-Enable: systemd is not the init system (PID 1) here; the timer cannot be started");
    }

    private AttestationSchedule Schedule()
    {
        bool interval = ParameterSetName == IntervalSet;
        string moduleBase = MyInvocation.MyCommand.Module?.ModuleBase ??
            System.IO.Path.GetDirectoryName(typeof(RegisterAttestationScheduleCommand).Assembly.Location)!;
        string loadedManifest = System.IO.Path.Combine(moduleBase, "TrustedCompute.psd1");
        return new AttestationSchedule
        {
            Name = Name,
            Platform = Platform,
            OnCalendar = interval ? null : OnCalendar ?? (Platform == SchedulePlatform.Linux ? "daily" : null),
            Interval = interval ? Interval
                : Platform == SchedulePlatform.Windows && OnCalendar is null ? TimeSpan.FromDays(1) : null,
            RandomizedDelay = TimeSpan.FromSeconds(RandomizedDelaySec),
            PwshPath = PwshPath ?? ScheduleFolder.DefaultPwshPath(Platform, PwshCandidates()),
            ModulePath = ModulePath is null ? ScheduleFolder.DefaultModulePath(Platform, loadedManifest) : Local(ModulePath),
            User = User,
            WorkingDirectory = WorkingDirectory is null ? null : Local(WorkingDirectory),
            EnvironmentFile = EnvironmentFile is null ? null : Local(EnvironmentFile),
            Sweep = new SweepArguments
            {
                Name = HostName ?? [],
                Tag = Tag ?? [],
                UserName = UserName,
                KeyFilePath = KeyFilePath is null ? null : Local(KeyFilePath),
                Port = Port,
                Options = new SortedDictionary<string, string>(RemoteTarget.SshOptions(Options), StringComparer.Ordinal),
                ThrottleLimit = ThrottleLimit,
                TimeoutSec = TimeoutSec,
                RetryCount = RetryCount,
                LockTimeoutSec = LockTimeoutSec,
                AttestationKeyHandle = AttestationKeyHandle,
                NoEventLog = NoEventLog,
                WebhookUri = WebhookUri,
                SyncOpenStack = SyncOpenStack,
                StoreConnectionString = StoreConnectionString is not null ? Store(StoreConnectionString)
                    : Platform == ScheduleFolder.CurrentPlatform ? Store(CurrentStore()) : null,
            },
        };
    }

    private IEnumerable<string?> PwshCandidates()
    {
        string home = SessionState.PSVariable.GetValue("PSHOME") as string ?? "";
        string exe = OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh";
        return [Environment.ProcessPath, System.IO.Path.Combine(home, exe), System.IO.Path.Combine(home, "unix", exe)];
    }

    // A path on this system is made absolute; a path for the other platform is taken as written.
    private string Local(string path) =>
        Platform == ScheduleFolder.CurrentPlatform ? GetUnresolvedProviderPathFromPSPath(path) : path;

    // The store this session uses: the schedule sweeps the registry its admin enrolled hosts in.
    private string CurrentStore()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(AttestationStoreFactory.EnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? AttestationStoreFactory.DefaultSqlitePath() : fromEnvironment.Trim();
    }

    // A plain SQLite path is made absolute (the schedule runs elsewhere); a connection string is kept as written.
    private string Store(string connectionString)
    {
        bool plainPath = !connectionString.Contains('=') && !connectionString.Contains("://", StringComparison.Ordinal) &&
            !connectionString.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase);
        return plainPath ? Local(connectionString) : connectionString;
    }

    private void WarnAboutPrivateTmp(AttestationSchedule schedule)
    {
        if (schedule.Platform != SchedulePlatform.Linux) return;
        string[] paths = [schedule.Sweep.KeyFilePath ?? "", schedule.Sweep.StoreConnectionString ?? "", schedule.ModulePath];
        if (paths.Any(p => p.StartsWith("/tmp/", StringComparison.Ordinal) || p.StartsWith("/var/tmp/", StringComparison.Ordinal)))
            WriteWarning("The service runs with PrivateTmp=yes: files under /tmp and /var/tmp are not the ones it will see");
    }
}
