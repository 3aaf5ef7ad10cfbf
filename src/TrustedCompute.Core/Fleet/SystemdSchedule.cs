using System.Globalization;
using System.Text;

namespace TrustedCompute.Fleet;

/// <summary>
/// A schedule as a systemd oneshot service and its timer (systemd.service, systemd.timer), and their reader.
/// ExecStart quoting follows systemd.syntax and systemd.service: words in double quotes, '\' and '"' escaped with
/// '\', '%' written '%%' (specifiers) and '$' written '$$' (variable expansion).
/// </summary>
public static class SystemdSchedule
{
    public const string Banner =
        "# Written by Register-AttestationSchedule (TrustedCompute); Get-AttestationSchedule reads it back.";
    public const string ExecutionTimeLimit = "12h";

    private static readonly string[] PwshSwitches = ["-NoProfile", "-NonInteractive", "-Command"];

    // Hardening that leaves the sweep working: it needs the network (SSH, webhooks), its store and keys (often under
    // /var/lib or the user's home, so no ProtectHome and no ProtectSystem=strict), and a JIT (so no
    // MemoryDenyWriteExecute).
    private static readonly string[] Hardening =
    [
        "NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectSystem=full", "ProtectKernelTunables=yes",
        "ProtectKernelModules=yes", "ProtectControlGroups=yes", "RestrictSUIDSGID=yes", "LockPersonality=yes",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
    ];

    public static string ServiceFileName(string name) => name + ".service";
    public static string TimerFileName(string name) => name + ".timer";

    public static string Service(AttestationSchedule schedule)
    {
        ScheduleValidator.Validate(schedule);
        var text = new StringBuilder()
            .AppendLine(Banner)
            .AppendLine("[Unit]")
            .AppendLine($"Description=TrustedCompute attestation sweep ({schedule.Name})")
            .AppendLine("Wants=network-online.target")
            .AppendLine("After=network-online.target")
            .AppendLine()
            .AppendLine("[Service]")
            .AppendLine("Type=oneshot")
            .AppendLine($"User={schedule.User ?? "root"}");
        if (schedule.WorkingDirectory is { } directory) text.AppendLine($"WorkingDirectory={Specifiers(directory)}");
        if (schedule.EnvironmentFile is { } file) text.AppendLine($"EnvironmentFile={Specifiers(file)}");
        text.AppendLine("ExecStart=" + CommandLine([schedule.PwshPath, .. PwshSwitches, ScheduleScript.Render(schedule)]))
            .AppendLine($"TimeoutStartSec={ExecutionTimeLimit}");
        foreach (string line in Hardening) text.AppendLine(line);
        return text.ToString();
    }

    public static string Timer(AttestationSchedule schedule)
    {
        ScheduleValidator.Validate(schedule);
        var text = new StringBuilder()
            .AppendLine(Banner)
            .AppendLine("[Unit]")
            .AppendLine($"Description=TrustedCompute attestation sweep schedule ({schedule.Name})")
            .AppendLine()
            .AppendLine("[Timer]");
        if (schedule.OnCalendar is { } calendar) text.AppendLine($"OnCalendar={calendar}");
        if (schedule.Interval is { } interval)
        {
            // OnBootSec starts the first run (at once when the timer is started after that much uptime).
            text.AppendLine($"OnBootSec={Seconds(interval)}").AppendLine($"OnUnitActiveSec={Seconds(interval)}");
        }
        return text.AppendLine("Persistent=true")
            .AppendLine($"RandomizedDelaySec={Seconds(schedule.RandomizedDelay)}")
            .AppendLine($"Unit={ServiceFileName(schedule.Name)}")
            .AppendLine()
            .AppendLine("[Install]")
            .AppendLine("WantedBy=timers.target")
            .ToString();
    }

    /// <summary>An ExecStart command line: each word double-quoted and escaped so systemd gives it back unchanged.</summary>
    public static string CommandLine(IEnumerable<string> words) => string.Join(' ', words.Select(QuoteWord));

    public static string QuoteWord(string word)
    {
        var text = new StringBuilder(word.Length + 8).Append('"');
        foreach (char c in word)
        {
            if (char.IsControl(c)) throw new ScheduleException("A command line word holds a control character");
            text.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '%' => "%%",
                '$' => "$$",
                _ => c.ToString(),
            });
        }
        return text.Append('"').ToString();
    }

    /// <summary>
    /// Splits an ExecStart value into the words systemd passes to the program, for the forms this module writes
    /// (quoted or bare words, the escapes \\ \" \', %% and $$). Anything else (other specifiers or escapes,
    /// variables, unbalanced quotes) is refused rather than guessed.
    /// </summary>
    public static List<string> SplitCommandLine(string line)
    {
        var words = new List<string>();
        int at = 0;
        while (true)
        {
            while (at < line.Length && line[at] is ' ' or '\t') at++;
            if (at >= line.Length) return words;
            var word = new StringBuilder();
            char quote = '\0';
            for (; at < line.Length; at++)
            {
                char c = line[at];
                if (quote == '\0' && c is ' ' or '\t') break;
                if (quote == '\0' && c is '"' or '\'') { quote = c; continue; }
                if (quote != '\0' && c == quote) { quote = '\0'; continue; }
                if (c == '\\')
                {
                    if (++at >= line.Length || line[at] is not ('\\' or '"' or '\''))
                        throw new ScheduleException("ExecStart holds an escape this module never writes");
                    word.Append(line[at]);
                    continue;
                }
                if (c is '%' or '$')
                {
                    if (at + 1 >= line.Length || line[at + 1] != c)
                        throw new ScheduleException($"ExecStart holds a '{c}' expansion this module never writes");
                    at++;
                }
                word.Append(c);
            }
            if (quote != '\0') throw new ScheduleException("ExecStart has an unbalanced quote");
            words.Add(word.ToString());
        }
    }

    /// <summary>Reads back a service and timer this module wrote; <c>Modified</c> tells whether they were edited since.</summary>
    public static AttestationSchedule Read(string name, string service, string timer)
    {
        ScheduleValidator.ValidateName(name);
        var unit = Settings(service);
        var time = Settings(timer);
        string execStart = One(unit, "Service", "ExecStart");
        var words = SplitCommandLine(execStart);
        if (words.Count != PwshSwitches.Length + 2 || !words.Skip(1).Take(PwshSwitches.Length).SequenceEqual(PwshSwitches))
            throw new ScheduleException("ExecStart is not the command Register-AttestationSchedule writes");
        var (module, sweep) = ScheduleScript.Parse(words[^1]);
        var schedule = new AttestationSchedule
        {
            Name = name,
            Platform = SchedulePlatform.Linux,
            PwshPath = words[0],
            ModulePath = module,
            Sweep = sweep,
            User = Optional(unit, "Service", "User"),
            WorkingDirectory = Optional(unit, "Service", "WorkingDirectory") is { } d ? Unspecify(d) : null,
            EnvironmentFile = Optional(unit, "Service", "EnvironmentFile") is { } f ? Unspecify(f) : null,
            OnCalendar = Optional(time, "Timer", "OnCalendar"),
            Interval = Optional(time, "Timer", "OnUnitActiveSec") is { } i ? ParseSeconds(i) : null,
            RandomizedDelay = Optional(time, "Timer", "RandomizedDelaySec") is { } r ? ParseSeconds(r) : TimeSpan.Zero,
        };
        bool modified;
        try { modified = Service(schedule) != Normalize(service) || Timer(schedule) != Normalize(timer); }
        catch (ScheduleException) { modified = true; }
        return schedule with { Modified = modified };
    }

    private static string Normalize(string text) => text.ReplaceLineEndings(Environment.NewLine);

    private static string Seconds(TimeSpan span) => ((long)span.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";

    private static TimeSpan ParseSeconds(string value)
    {
        if (!value.EndsWith('s') || !long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None,
                CultureInfo.InvariantCulture, out long seconds) || seconds > TimeSpan.FromDays(365).TotalSeconds)
            throw new ScheduleException($"'{ScheduleValidator.Printable(value)}' is not a time span this module writes");
        return TimeSpan.FromSeconds(seconds);
    }

    private static string Specifiers(string value) => value.Replace("%", "%%", StringComparison.Ordinal);

    private static string Unspecify(string value)
    {
        var text = new StringBuilder();
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && (++i >= value.Length || value[i] != '%'))
                throw new ScheduleException("A path holds a specifier this module never writes");
            text.Append(value[i]);
        }
        return text.ToString();
    }

    // (section, key) -> values, from a unit file; comments and blank lines skipped, continuation lines refused.
    private static Dictionary<(string, string), List<string>> Settings(string text)
    {
        var settings = new Dictionary<(string, string), List<string>>();
        string section = "";
        foreach (string raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line.EndsWith('\\')) throw new ScheduleException("The unit file continues a line, which this module never writes");
            if (line[0] == '[' && line[^1] == ']') { section = line[1..^1]; continue; }
            int equals = line.IndexOf('=');
            if (equals <= 0) throw new ScheduleException("The unit file has a line that is not key=value");
            var key = (section, line[..equals].Trim());
            if (!settings.TryGetValue(key, out var values)) settings[key] = values = [];
            values.Add(line[(equals + 1)..].Trim());
        }
        return settings;
    }

    private static string? Optional(Dictionary<(string, string), List<string>> settings, string section, string key)
    {
        if (!settings.TryGetValue((section, key), out var values)) return null;
        if (values.Count != 1) throw new ScheduleException($"The unit file sets {key}= {values.Count} times");
        return values[0];
    }

    private static string One(Dictionary<(string, string), List<string>> settings, string section, string key) =>
        Optional(settings, section, key) ?? throw new ScheduleException($"The unit file has no {key}=");
}
