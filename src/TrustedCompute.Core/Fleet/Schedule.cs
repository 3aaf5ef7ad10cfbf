using System.Data.Common;
using System.Text.RegularExpressions;

namespace TrustedCompute.Fleet;

/// <summary>Where a schedule runs: a systemd service and timer, or a Windows Task Scheduler task.</summary>
public enum SchedulePlatform { Linux, Windows }

/// <summary>A schedule's input that cannot be written safely (a bad name, a secret, a value that breaks a line).</summary>
public sealed class ScheduleException(string message) : ArgumentException(message);

/// <summary>The arguments a scheduled Invoke-AttestationSweep runs with; null or empty means the sweep's default.</summary>
public sealed record SweepArguments
{
    public IReadOnlyList<string> Name { get; init; } = [];
    public IReadOnlyList<string> Tag { get; init; } = [];
    public string? UserName { get; init; }
    public string? KeyFilePath { get; init; }
    public int? Port { get; init; }
    /// <summary>SSH options (ssh -o), kept in name order so a schedule renders the same way every time.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new SortedDictionary<string, string>();
    public int? ThrottleLimit { get; init; }
    public int? TimeoutSec { get; init; }
    public int? RetryCount { get; init; }
    public int? LockTimeoutSec { get; init; }
    public uint? AttestationKeyHandle { get; init; }
    public bool NoEventLog { get; init; }
    /// <summary>Where verdict changes are posted (its path may be a secret: the units are owner-only).</summary>
    public Uri? WebhookUri { get; init; }
    public bool SyncOpenStack { get; init; }
    /// <summary>The store; never one that carries a password.</summary>
    public string? StoreConnectionString { get; init; }

    public bool Equals(SweepArguments? other) =>
        other is not null && Name.SequenceEqual(other.Name) && Tag.SequenceEqual(other.Tag) && UserName == other.UserName &&
        KeyFilePath == other.KeyFilePath && Port == other.Port && ThrottleLimit == other.ThrottleLimit &&
        Sorted(Options).SequenceEqual(Sorted(other.Options)) &&
        TimeoutSec == other.TimeoutSec && RetryCount == other.RetryCount && LockTimeoutSec == other.LockTimeoutSec &&
        AttestationKeyHandle == other.AttestationKeyHandle && NoEventLog == other.NoEventLog &&
        WebhookUri == other.WebhookUri && SyncOpenStack == other.SyncOpenStack && StoreConnectionString == other.StoreConnectionString;

    private static IEnumerable<KeyValuePair<string, string>> Sorted(IReadOnlyDictionary<string, string> options) =>
        options.OrderBy(o => o.Key, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Name.Count, Tag.Count, UserName, StoreConnectionString);

    public override string ToString() => ScheduleScript.Arguments(this);
}

/// <summary>
/// A schedule that runs Invoke-AttestationSweep: when (a systemd calendar or an interval, with a random delay),
/// with what arguments, by which pwsh and module, as which user. Rendered by <see cref="SystemdSchedule"/> and
/// <see cref="TaskSchedulerSchedule"/>, checked by <see cref="ScheduleValidator"/>.
/// </summary>
public sealed record AttestationSchedule
{
    public const string DefaultName = "trustedcompute-sweep";

    public required string Name { get; init; }
    public SchedulePlatform Platform { get; init; }
    /// <summary>A systemd calendar expression (OnCalendar=), Linux only.</summary>
    public string? OnCalendar { get; init; }
    /// <summary>Time from one run's start to the next (OnUnitActiveSec=, a repetition on Windows).</summary>
    public TimeSpan? Interval { get; init; }
    public TimeSpan RandomizedDelay { get; init; }
    public SweepArguments Sweep { get; init; } = new();
    public required string PwshPath { get; init; }
    /// <summary>The module manifest the sweep imports.</summary>
    public required string ModulePath { get; init; }
    /// <summary>The account it runs as (Linux default root; Windows default SYSTEM).</summary>
    public string? User { get; init; }
    public string? WorkingDirectory { get; init; }
    /// <summary>A file of environment variables (PGPASSFILE, PGPASSWORD) that the admin secures; Linux only.</summary>
    public string? EnvironmentFile { get; init; }
    /// <summary>The folder (or Task Scheduler folder) the schedule was read from or written to.</summary>
    public string? Path { get; init; }
    /// <summary>The timer is enabled (systemd: linked into timers.target.wants; Windows: the task is enabled).</summary>
    public bool Enabled { get; init; }
    /// <summary>The files differ from what these settings render: someone edited them after they were written.</summary>
    public bool Modified { get; init; }

    /// <summary>The PowerShell command the schedule runs (the same text on every platform).</summary>
    public string Command => ScheduleScript.Render(this);

    public string When => OnCalendar ?? (Interval is { } i ? $"every {i}" : "");
}

/// <summary>The rules every schedule meets before anything is written.</summary>
public static partial class ScheduleValidator
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaximumInterval = TimeSpan.FromDays(31);
    public static readonly TimeSpan MaximumRandomizedDelay = TimeSpan.FromDays(1);

    private static readonly string[] PasswordKeys = ["password", "pwd"];

    // systemd unit name rules (no '@' templates, no '\' escapes), and one name for a file and a task.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9*,./:~ +-]{1,100}$")]
    private static partial Regex CalendarPattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$|^[0-9]{1,10}$")]
    private static partial Regex LinuxUserPattern();

    [GeneratedRegex(@"^([A-Za-z]:\\|\\\\[^\\]+\\)")]
    private static partial Regex WindowsRootedPattern();

    public static void ValidateName(string name)
    {
        if (!NamePattern().IsMatch(name) || name.Contains(".."))
        {
            throw new ScheduleException($"'{Printable(name)}' is not a schedule name: 1 to 100 letters, digits, '_', '.' or " +
                "'-', starting with a letter or digit (it names a systemd unit and a task)");
        }
    }

    /// <summary>Throws <see cref="ScheduleException"/> for anything that cannot be written safely.</summary>
    public static void Validate(AttestationSchedule schedule)
    {
        ValidateName(schedule.Name);
        bool windows = schedule.Platform == SchedulePlatform.Windows;
        if ((schedule.OnCalendar is null) == (schedule.Interval is null))
            throw new ScheduleException("A schedule has either a calendar (-OnCalendar) or an interval (-Interval)");
        if (schedule.OnCalendar is { } calendar)
        {
            if (windows)
                throw new ScheduleException("-OnCalendar is a systemd calendar expression: on Windows use -Interval");
            if (!CalendarPattern().IsMatch(calendar))
            {
                throw new ScheduleException(
                    $"'{Printable(calendar)}' is not a calendar expression this module writes (systemd.time)");
            }
        }
        if (schedule.Interval is { } interval &&
            (interval < MinimumInterval || interval > MaximumInterval || interval.Ticks % TimeSpan.TicksPerSecond != 0))
            throw new ScheduleException("-Interval is whole seconds, from 1 minute to 31 days");
        if (schedule.RandomizedDelay < TimeSpan.Zero || schedule.RandomizedDelay > MaximumRandomizedDelay ||
            schedule.RandomizedDelay.Ticks % TimeSpan.TicksPerSecond != 0)
            throw new ScheduleException("-RandomizedDelaySec is 0 to 86400 seconds");

        Absolute(schedule.PwshPath, "-PwshPath", windows);
        Absolute(schedule.ModulePath, "-ModulePath", windows);
        if (schedule.WorkingDirectory is { } directory) Absolute(directory, "-WorkingDirectory", windows);
        if (schedule.EnvironmentFile is { } file)
        {
            if (windows) throw new ScheduleException("-EnvironmentFile is a systemd setting: on Windows there is none");
            Absolute(file, "-EnvironmentFile", windows);
        }
        if (schedule.User is { } user)
        {
            OneLine(user, "-User");
            if (!windows && !LinuxUserPattern().IsMatch(user))
                throw new ScheduleException($"'{Printable(user)}' is not a Linux user name or id");
            if (windows && (user.Length is 0 or > 256 || user.Contains('"')))
                throw new ScheduleException($"'{Printable(user)}' is not a Windows account name");
        }
        ValidateSweep(schedule.Sweep, windows);
    }

    private static void ValidateSweep(SweepArguments sweep, bool windows)
    {
        foreach (string value in sweep.Name) NotEmpty(value, "-Name");
        foreach (string value in sweep.Tag) NotEmpty(value, "-Tag");
        if (sweep.UserName is { } userName) NotEmpty(userName, "-UserName");
        if (sweep.KeyFilePath is { } keyFile) Absolute(keyFile, "-KeyFilePath", windows);
        if (sweep.Port is < 1 or > 65535) throw new ScheduleException("-Port is 1 to 65535");
        if (sweep.ThrottleLimit is < 1 or > 1024) throw new ScheduleException("-ThrottleLimit is 1 to 1024");
        if (sweep.TimeoutSec is < 1 or > 86400) throw new ScheduleException("-TimeoutSec is 1 to 86400");
        if (sweep.RetryCount is < 0 or > 10) throw new ScheduleException("-RetryCount is 0 to 10");
        if (sweep.LockTimeoutSec is < 0 or > 86400) throw new ScheduleException("-LockTimeoutSec is 0 to 86400");
        if (sweep.WebhookUri is { } hook)
        {
            try { VerdictWebhook.Check(hook); }
            catch (ArgumentException e) { throw new ScheduleException(e.Message); }
        }
        if (sweep.AttestationKeyHandle is < 0x81000000u or > 0x81FFFFFFu)
            throw new ScheduleException("-AttestationKeyHandle is a persistent handle, 0x81000000 to 0x81FFFFFF");
        foreach (var (key, value) in sweep.Options)
        {
            if (key.Length == 0 || !key.All(char.IsAsciiLetterOrDigit))
                throw new ScheduleException($"-Options: '{Printable(key)}' is not an SSH option name");
            OneLine(value, "-Options");
        }
        if (sweep.StoreConnectionString is { } store)
        {
            NotEmpty(store, "-StoreConnectionString");
            if (CarriesPassword(store))
            {
                throw new ScheduleException("-StoreConnectionString carries a password, and schedule files are readable: " +
                    "put the password in a pgpass file (PGPASSFILE) or in an -EnvironmentFile that only the sweep's " +
                    "user can read, and give the connection string without it");
            }
        }
    }

    /// <summary>True when a store connection string holds a password (URI user info or a Password/Pwd keyword).</summary>
    public static bool CarriesPassword(string connectionString)
    {
        string text = connectionString.Trim();
        if (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) ||
            text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            // Fail closed: anything that might be user:password@, or a password option, counts.
            int authorityStart = text.IndexOf("//", StringComparison.Ordinal) + 2;
            int authorityEnd = text.IndexOfAny(['/', '?', '#'], authorityStart);
            string authority = authorityEnd < 0 ? text[authorityStart..] : text[authorityStart..authorityEnd];
            int at = authority.LastIndexOf('@');
            if (at >= 0 && authority[..at].Contains(':')) return true;
            return text.Contains("password", StringComparison.OrdinalIgnoreCase) ||
                   text.Contains("pwd=", StringComparison.OrdinalIgnoreCase);
        }
        if (!text.Contains('=')) return false;
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = text };
            return builder.Keys.Cast<string>().Any(k => PasswordKeys.Contains(k.Trim().ToLowerInvariant()));
        }
        catch (ArgumentException)
        {
            // Unreadable as keywords: it may still hide one.
            return text.Contains("password", StringComparison.OrdinalIgnoreCase) ||
                   text.Contains("pwd", StringComparison.OrdinalIgnoreCase);
        }
    }

    private static void NotEmpty(string value, string parameter)
    {
        if (value.Length == 0) throw new ScheduleException($"{parameter} may not be empty");
        OneLine(value, parameter);
    }

    private static void OneLine(string value, string parameter)
    {
        if (value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085'))
            throw new ScheduleException($"{parameter}: '{Printable(value)}' holds a line break or control character");
    }

    private static void Absolute(string path, string parameter, bool windows)
    {
        NotEmpty(path, parameter);
        bool rooted = windows ? WindowsRootedPattern().IsMatch(path) : path.StartsWith('/');
        if (!rooted) throw new ScheduleException($"{parameter}: '{Printable(path)}' is not an absolute path");
    }

    /// <summary>The value with control characters shown as \uXXXX, for messages.</summary>
    internal static string Printable(string value) =>
        string.Concat(value.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
