using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;

namespace TrustedCompute.Fleet;

/// <summary>
/// Where schedules live, and every platform difference of writing, reading, enabling and removing them: a folder
/// of systemd units (/etc/systemd/system by default, or any folder), a folder of Task Scheduler XML files, or
/// Windows' Task Scheduler itself (folder \TrustedCompute\).
/// </summary>
public sealed class ScheduleFolder
{
    public const string SystemdSystemFolder = "/etc/systemd/system";
    private const string WantsFolder = "timers.target.wants";

    private ScheduleFolder(SchedulePlatform platform, string? folder)
    {
        Platform = platform;
        Folder = folder;
    }

    public SchedulePlatform Platform { get; }
    /// <summary>The folder of files; null for Windows' Task Scheduler.</summary>
    public string? Folder { get; }

    /// <summary>The system's own scheduler: systemd's system unit folder, or Task Scheduler.</summary>
    public bool IsSystem =>
        Folder is null || (Platform == SchedulePlatform.Linux && Folder.TrimEnd('/') == SystemdSystemFolder);

    public override string ToString() => Folder ?? "Task Scheduler " + TaskSchedulerSchedule.TaskFolder;

    /// <summary>The operating system's platform.</summary>
    public static SchedulePlatform CurrentPlatform =>
        OperatingSystem.IsWindows() ? SchedulePlatform.Windows : SchedulePlatform.Linux;

    /// <summary>True when systemd is the init system (PID 1), as sd_booted(3) tells.</summary>
    public static bool SystemdRunning => Directory.Exists("/run/systemd/system");

    /// <summary>
    /// The pwsh a schedule runs: on this platform the first candidate that is a pwsh executable (this process, or
    /// one in $PSHOME: a dotnet tool runs under dotnet), else the platform's usual install.
    /// </summary>
    public static string DefaultPwshPath(SchedulePlatform platform, IEnumerable<string?> candidates)
    {
        string usual = platform == SchedulePlatform.Windows ? @"C:\Program Files\PowerShell\7\pwsh.exe" : "/usr/bin/pwsh";
        if (platform != CurrentPlatform) return usual;
        return candidates.FirstOrDefault(c => c is not null && File.Exists(c) &&
            System.IO.Path.GetFileNameWithoutExtension(c).Equals("pwsh", StringComparison.OrdinalIgnoreCase)) ?? usual;
    }

    /// <summary>The module manifest a schedule imports: the loaded one on its platform, else the usual all-users folder.</summary>
    public static string DefaultModulePath(SchedulePlatform platform, string loadedManifest) =>
        platform == CurrentPlatform ? loadedManifest
        : platform == SchedulePlatform.Windows ? @"C:\Program Files\PowerShell\Modules\TrustedCompute\TrustedCompute.psd1"
        : "/usr/local/share/powershell/Modules/TrustedCompute/TrustedCompute.psd1";

    /// <summary>The folder <paramref name="path"/> names, or the platform's default when it is null.</summary>
    public static ScheduleFolder For(SchedulePlatform platform, string? path)
    {
        if (path is not null) return new ScheduleFolder(platform, System.IO.Path.GetFullPath(path));
        if (platform != CurrentPlatform)
            throw new PlatformNotSupportedException($"A {platform} schedule on this system is written to a folder: give -Path");
        return new ScheduleFolder(platform, platform == SchedulePlatform.Linux ? SystemdSystemFolder : null);
    }

    public IReadOnlyList<string> Files(string name)
    {
        ScheduleValidator.ValidateName(name);
        if (Folder is null) return [TaskSchedulerSchedule.TaskName(name)];
        return Platform == SchedulePlatform.Linux
            ? [Combine(SystemdSchedule.ServiceFileName(name)), Combine(SystemdSchedule.TimerFileName(name))]
            : [Combine(TaskSchedulerSchedule.FileName(name))];
    }

    public bool Exists(string name)
    {
        if (Folder is not null) return Files(name).Any(File.Exists);
        return OperatingSystem.IsWindows() ? WindowsTasks.Exists(name) : throw NotWindows();
    }

    /// <summary>Every file of this name that exists was written by this module (a unit of someone else's is never touched).</summary>
    public bool IsOwn(string name) =>
        Folder is null || Files(name).Where(File.Exists).All(IsOurs);

    /// <summary>Writes the schedule's files (each whole or not at all); returns them.</summary>
    public IReadOnlyList<string> Write(AttestationSchedule schedule)
    {
        if (schedule.Platform != Platform) throw new ScheduleException($"A {schedule.Platform} schedule is not written as {Platform}");
        ScheduleValidator.Validate(schedule);
        var files = Files(schedule.Name);
        if (Folder is null)
        {
            if (!OperatingSystem.IsWindows()) throw NotWindows();
            WindowsTasks.Register(schedule);
            return files;
        }
        Directory.CreateDirectory(Folder);
        if (Platform == SchedulePlatform.Linux)
        {
            string service = SystemdSchedule.Service(schedule), timer = SystemdSchedule.Timer(schedule);
            WriteWhole(files[0], service, new UTF8Encoding(false));
            WriteWhole(files[1], timer, new UTF8Encoding(false));
        }
        else WriteWhole(files[0], TaskSchedulerSchedule.Render(schedule), Encoding.Unicode);
        return files;
    }

    /// <summary>Every schedule this module wrote here whose name matches; one of ours that cannot be read is an error.</summary>
    public List<(string Name, AttestationSchedule? Schedule, Exception? Error)> Read(Func<string, bool> nameMatches)
    {
        var found = new List<(string, AttestationSchedule?, Exception?)>();
        foreach (string name in Names().Where(nameMatches).Order(StringComparer.Ordinal))
        {
            try { found.Add((name, ReadOne(name), null)); }
            catch (Exception e) when (e is ScheduleException or IOException or UnauthorizedAccessException)
            {
                found.Add((name, null, e));
            }
        }
        return found;
    }

    /// <summary>Removes the schedule's files (and its enable link), or the task.</summary>
    public void Remove(string name)
    {
        if (Folder is null)
        {
            if (!OperatingSystem.IsWindows()) throw NotWindows();
            WindowsTasks.Delete(name);
            return;
        }
        if (!IsOwn(name)) throw new ScheduleException($"'{name}' in {Folder} was not written by Register-AttestationSchedule");
        if (IsEnabled(name)) File.Delete(WantsLink(name));
        foreach (string file in Files(name)) File.Delete(file);
    }

    /// <summary>The timer is linked into timers.target.wants (what systemctl enable does).</summary>
    public bool IsEnabled(string name)
    {
        if (Platform != SchedulePlatform.Linux || Folder is null) return false;
        var link = new FileInfo(WantsLink(name));
        return link.Exists || link.LinkTarget is not null;
    }

    /// <summary>systemctl daemon-reload, then enable --now of the timer. Only for the system folder with systemd as PID 1.</summary>
    public static void EnableTimer(string name)
    {
        RequireSystemd();
        Run("systemctl", "daemon-reload");
        Run("systemctl", "enable", "--now", SystemdSchedule.TimerFileName(name));
    }

    /// <summary>systemctl disable --now of the timer, then daemon-reload after its files are gone.</summary>
    public static void DisableTimer(string name)
    {
        RequireSystemd();
        Run("systemctl", "disable", "--now", SystemdSchedule.TimerFileName(name));
    }

    public static void ReloadSystemd()
    {
        if (SystemdRunning) Run("systemctl", "daemon-reload");
    }

    private static PlatformNotSupportedException NotWindows() =>
        new("Task Scheduler is on Windows only: give -Path to write the task's XML file");

    private static void RequireSystemd()
    {
        if (OperatingSystem.IsWindows() || !SystemdRunning)
            throw new PlatformNotSupportedException("systemd is not the init system (PID 1) here: nothing can be enabled");
    }

    private AttestationSchedule ReadOne(string name)
    {
        if (Folder is null)
            return OperatingSystem.IsWindows() ? WindowsTasks.Read(name) : throw NotWindows();
        var files = Files(name);
        var schedule = Platform == SchedulePlatform.Linux
            ? SystemdSchedule.Read(name, ReadText(files[0]), ReadText(files[1]))
            : TaskSchedulerSchedule.Read(name, ReadText(files[0]));
        bool enabled = Platform == SchedulePlatform.Windows ? schedule.Enabled : IsEnabled(name);
        return schedule with { Path = Folder, Enabled = enabled };
    }

    // Names of the schedules here: files that carry our banner (systemd) or our task URI (XML).
    private IEnumerable<string> Names()
    {
        if (Folder is null) return OperatingSystem.IsWindows() ? WindowsTasks.Names() : throw NotWindows();
        if (!Directory.Exists(Folder)) return [];
        string suffix = Platform == SchedulePlatform.Linux ? ".service" : ".xml";
        return Directory.EnumerateFiles(Folder, "*" + suffix)
            .Select(f => (File: f, Name: System.IO.Path.GetFileName(f)[..^suffix.Length]))
            .Where(f => IsValidName(f.Name) && IsOurs(f.File))
            .Select(f => f.Name);
    }

    private bool IsOurs(string file)
    {
        try
        {
            using var reader = new StreamReader(file, detectEncodingFromByteOrderMarks: true);
            var head = new char[4096];
            string text = new(head, 0, reader.ReadBlock(head));
            return Platform == SchedulePlatform.Linux
                ? text.StartsWith(SystemdSchedule.Banner, StringComparison.Ordinal)
                : text.Contains("<URI>" + TaskSchedulerSchedule.TaskFolder, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    private static bool IsValidName(string name)
    {
        try { ScheduleValidator.ValidateName(name); return true; }
        catch (ScheduleException) { return false; }
    }

    private static string ReadText(string file)
    {
        var info = new FileInfo(file);
        if (!info.Exists) throw new ScheduleException($"{file} is missing");
        if (info.Length > 1 << 20) throw new ScheduleException($"{file} is larger than a schedule");
        return File.ReadAllText(file);
    }

    private string Combine(string file) => System.IO.Path.Combine(Folder!, file);

    private string WantsLink(string name) => System.IO.Path.Combine(Folder!, WantsFolder, SystemdSchedule.TimerFileName(name));

    private static void WriteWhole(string path, string text, Encoding encoding)
    {
        string temporary = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            File.WriteAllText(temporary, text, encoding);
            if (!OperatingSystem.IsWindows())
            {
                // Owner-only: a webhook URI's path is often its secret.
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally { File.Delete(temporary); }
    }

    /// <summary>Runs a system tool; a non-zero exit is an InvalidOperationException with its error output.</summary>
    internal static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Result.Trim()}");
        }
        return output;
    }

    /// <summary>Windows' Task Scheduler through schtasks.exe (compiled everywhere, run only on Windows).</summary>
    [SupportedOSPlatform("windows")]
    private static class WindowsTasks
    {
        public static bool Exists(string name)
        {
            return Names().Contains(name, StringComparer.OrdinalIgnoreCase);
        }

        public static void Register(AttestationSchedule schedule)
        {
            string file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"tc-task-{Guid.NewGuid():N}.xml");
            try
            {
                File.WriteAllText(file, TaskSchedulerSchedule.Render(schedule), Encoding.Unicode);
                Schtasks("/Create", "/TN", TaskSchedulerSchedule.TaskName(schedule.Name), "/XML", file, "/F");
            }
            finally { File.Delete(file); }
        }

        public static AttestationSchedule Read(string name)
        {
            string xml = Schtasks("/Query", "/TN", TaskSchedulerSchedule.TaskName(name), "/XML", "ONE");
            return TaskSchedulerSchedule.Read(name, xml);
        }

        public static void Delete(string name)
        {
            Schtasks("/Delete", "/TN", TaskSchedulerSchedule.TaskName(name), "/F");
        }

        public static IEnumerable<string> Names()
        {
            // CSV rows: "TaskName","Next Run Time","Status"; ours are \TrustedCompute\<name>.
            return Schtasks("/Query", "/FO", "CSV", "/NH").Split('\n')
                .Select(line => line.Trim().Split(',')[0].Trim('"'))
                .Where(task => task.StartsWith(TaskSchedulerSchedule.TaskFolder, StringComparison.OrdinalIgnoreCase))
                .Select(task => task[TaskSchedulerSchedule.TaskFolder.Length..])
                .Where(IsValidName)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
        }

        private static string Schtasks(params string[] arguments) =>
            Run(System.IO.Path.Combine(Environment.SystemDirectory, "schtasks.exe"), arguments);
    }
}
