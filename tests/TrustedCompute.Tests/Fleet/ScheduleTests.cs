using System.Diagnostics;
using System.Text;
using System.Xml.Linq;
using TrustedCompute.Fleet;
using Xunit;

namespace TrustedCompute.Tests.Fleet;

/// <summary>Schedule renderers, their readers, quoting and validation, with hostile input; systemd itself as the oracle.</summary>
public sealed class ScheduleTests
{
    // Values an attacker who names tags or paths would pick: quotes of every kind PowerShell knows, systemd
    // specifiers and variables, escapes, separators.
    public static readonly string[] Hostile =
    [
        "rack 1", "it's", "‘curly’ ‚low‛", "\"double\"", "$HOME", "${HOME}", "$$", "%n", "%%", "100%", "back\\slash\\",
        "\\\"", "semi; colon", "a;b", "`backtick`", "$(Remove-Item /)", "'; exit 0; '", "été", " lead and trail ", ";", "#x",
    ];

    private static AttestationSchedule Sample(SchedulePlatform platform = SchedulePlatform.Linux, string[]? tags = null)
    {
        bool windows = platform == SchedulePlatform.Windows;
        return new AttestationSchedule
        {
            Name = "nightly",
            Platform = platform,
            OnCalendar = windows ? null : "*-*-* 02:00:00",
            Interval = windows ? TimeSpan.FromHours(6) : null,
            RandomizedDelay = TimeSpan.FromMinutes(5),
            PwshPath = windows ? @"C:\Program Files\PowerShell\7\pwsh.exe" : "/opt/power shell/pwsh",
            ModulePath = windows ? @"C:\Modules\it's %x%\TrustedCompute.psd1" : "/opt/it's $x %h/TrustedCompute.psd1",
            Sweep = new SweepArguments
            {
                Tag = tags ?? Hostile,
                Name = ["web-*", "db 'main'"],
                UserName = "o'neil",
                KeyFilePath = windows ? @"C:\keys\fleet key" : "/etc/tc/fleet key$",
                Port = 2222,
                Options = new SortedDictionary<string, string> { ["StrictHostKeyChecking"] = "yes", ["UserKnownHostsFile"] = "/etc/tc/known 'hosts'" },
                ThrottleLimit = 16, TimeoutSec = 30, RetryCount = 2, LockTimeoutSec = 600,
                AttestationKeyHandle = 0x81010003, NoEventLog = true, SyncOpenStack = true,
                WebhookUri = new Uri("https://hooks.example/services/T0/it's%20secret?x='y'"),
                StoreConnectionString = windows ? @"C:\ProgramData\TC\store.db" : "Host=db.example;Username=tc;Passfile=/etc/tc/pgpass",
            },
        };
    }

    [Fact]
    public void A_systemd_schedule_reads_back_with_every_hostile_value_unchanged()
    {
        var schedule = Sample() with { User = "tcsweep", WorkingDirectory = "/var/lib/tc 100%", EnvironmentFile = "/etc/tc/env%" };
        string service = SystemdSchedule.Service(schedule), timer = SystemdSchedule.Timer(schedule);

        var read = SystemdSchedule.Read("nightly", service, timer);

        Assert.Equal(schedule.Sweep, read.Sweep);
        Assert.Equal(schedule.Sweep.Tag, read.Sweep.Tag);
        Assert.Equal(schedule.ModulePath, read.ModulePath);
        Assert.Equal(schedule.PwshPath, read.PwshPath);
        Assert.Equal(schedule.WorkingDirectory, read.WorkingDirectory);
        Assert.Equal(schedule.EnvironmentFile, read.EnvironmentFile);
        Assert.Equal("tcsweep", read.User);
        Assert.Equal(schedule.OnCalendar, read.OnCalendar);
        Assert.Equal(schedule.RandomizedDelay, read.RandomizedDelay);
        Assert.False(read.Modified);
        Assert.Equal(schedule.Command, read.Command);
    }

    [Fact]
    public void An_interval_timer_starts_after_boot_and_repeats_and_is_persistent()
    {
        var schedule = Sample() with { OnCalendar = null, Interval = TimeSpan.FromHours(4) };
        string timer = SystemdSchedule.Timer(schedule);
        Assert.Contains("\nOnBootSec=14400s", timer, StringComparison.Ordinal);
        Assert.Contains("\nOnUnitActiveSec=14400s", timer, StringComparison.Ordinal);
        Assert.Contains("\nPersistent=true", timer, StringComparison.Ordinal);
        Assert.Contains("\nRandomizedDelaySec=300s", timer, StringComparison.Ordinal);
        Assert.Contains("\nUnit=nightly.service", timer, StringComparison.Ordinal);
        Assert.DoesNotContain("OnCalendar", timer, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromHours(4), SystemdSchedule.Read("nightly", SystemdSchedule.Service(schedule), timer).Interval);
    }

    [Fact]
    public void The_service_is_a_hardened_oneshot_and_its_command_line_escapes_specifiers_and_variables()
    {
        string service = SystemdSchedule.Service(Sample(tags: ["$HOME", "%n"]));
        Assert.Contains("\nType=oneshot\n", service.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        foreach (string setting in new[] { "NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectSystem=full", "User=root" })
            Assert.Contains("\n" + setting, service.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("MemoryDenyWriteExecute", service, StringComparison.Ordinal);
        string execStart = service.ReplaceLineEndings("\n").Split('\n').Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal));
        Assert.Contains("'$$HOME', '%%n'", execStart, StringComparison.Ordinal);
        Assert.DoesNotContain("'$HOME'", execStart, StringComparison.Ordinal);
        Assert.StartsWith("ExecStart=\"/opt/power shell/pwsh\" \"-NoProfile\" \"-NonInteractive\" \"-Command\" \"try {", execStart, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HostileWords))]
    public void A_quoted_word_splits_back_to_itself(string word)
    {
        Assert.Equal([word], SystemdSchedule.SplitCommandLine(SystemdSchedule.QuoteWord(word)));
        Assert.Equal(["/bin/x", word, "y"], SystemdSchedule.SplitCommandLine(SystemdSchedule.CommandLine(["/bin/x", word, "y"])));
    }

    public static TheoryData<string> HostileWords()
    {
        var data = new TheoryData<string>();
        foreach (string word in Hostile.Append("").Append("'")) data.Add(word);
        return data;
    }

    [Theory]
    [InlineData("\"a b\" \"$HOME\"")]
    [InlineData("\"${HOME}\"")]
    [InlineData("\"%n\"")]
    [InlineData("\"a\\nb\"")]
    [InlineData("\"a\\x41\"")]
    [InlineData("\"unbalanced")]
    [InlineData("'unbalanced")]
    [InlineData("\"trailing\\")]
    [InlineData("a%")]
    public void A_command_line_with_what_this_module_never_writes_is_refused_not_guessed(string line)
    {
        Assert.Throws<ScheduleException>(() => SystemdSchedule.SplitCommandLine(line));
    }

    [SkippableFact]
    public void Systemd_splits_the_written_ExecStart_into_exactly_the_words_we_read()
    {
        Skip.IfNot(File.Exists("/usr/bin/systemd-analyze"), "systemd-analyze is not installed (Debian package systemd)");
        string folder = Directory.CreateTempSubdirectory("tc-schedule-").FullName;
        try
        {
            var words = new List<string> { "/bin/sh" };
            words.AddRange(Hostile);
            words.Add(Sample().Command);
            string unit = Path.Combine(folder, "oracle.service");
            File.WriteAllText(unit, $"[Service]\nType=oneshot\nExecStart={SystemdSchedule.CommandLine(words)}\n");

            var dumped = SystemdDump(unit);

            // systemd keeps "$$" and "$NAME" until it runs the command, then passes "$" and the variable's value.
            var argv = dumped.Select(ExpandLikeSystemd).ToList();
            Assert.Equal(words, argv);
            Assert.Equal(words, SystemdSchedule.SplitCommandLine(SystemdSchedule.CommandLine(words)));
        }
        finally { Directory.Delete(folder, true); }
    }

    [SkippableFact]
    public void Systemd_analyze_verify_accepts_the_written_units()
    {
        Skip.IfNot(File.Exists("/usr/bin/systemd-analyze"), "systemd-analyze is not installed (Debian package systemd)");
        var folder = ScheduleFolder.For(SchedulePlatform.Linux, Directory.CreateTempSubdirectory("tc-schedule-").FullName);
        try
        {
            var written = folder.Write(Sample() with { PwshPath = "/bin/sh", User = "root", WorkingDirectory = "/" });
            var (code, output) = Run("systemd-analyze", ["verify", .. written]);
            Assert.True(code == 0, output);
            Assert.DoesNotContain("nightly", output, StringComparison.Ordinal);
        }
        finally { Directory.Delete(folder.Folder!, true); }
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData(".hidden")]
    [InlineData("-dash")]
    [InlineData("x@y")]
    [InlineData("a..b")]
    [InlineData("x y")]
    [InlineData("x\ny")]
    [InlineData("")]
    [InlineData("C:")]
    public void A_name_that_could_leave_the_folder_or_break_a_unit_name_is_refused(string name)
    {
        var e = Assert.Throws<ScheduleException>(() => SystemdSchedule.Service(Sample() with { Name = name }));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Throws<ScheduleException>(() => ScheduleFolder.For(SchedulePlatform.Linux, "/tmp").Files(name));
    }

    [Theory]
    [InlineData("http://10.0.0.9/hook")]
    [InlineData("https://user:pw@hooks.example/x")]
    [InlineData("ftp://127.0.0.1/x")]
    public void A_webhook_the_sweep_would_refuse_is_refused_when_scheduling(string uri)
    {
        var schedule = Sample() with { Sweep = Sample().Sweep with { WebhookUri = new Uri(uri) } };
        var e = Assert.Throws<ScheduleException>(() => ScheduleValidator.Validate(schedule));
        Assert.DoesNotContain("pw@", e.Message);
    }

    [Fact]
    public void A_name_of_101_characters_is_refused_and_100_are_taken()
    {
        Assert.Throws<ScheduleException>(() => ScheduleValidator.ValidateName(new string('a', 101)));
        ScheduleValidator.ValidateName(new string('a', 100));
    }

    [Theory]
    [InlineData("Host=db;Username=tc;Password=hunter2")]
    [InlineData("host=db; PWD = hunter2")]
    [InlineData("Server=db;User Id=tc;password=\"a;b\"")]
    [InlineData("postgresql://tc:hunter2@db/tc")]
    [InlineData("postgres://tc:@db/tc")]
    [InlineData("postgresql://db/tc?password=hunter2")]
    [InlineData("POSTGRESQL://tc:hunter2@db:5432")]
    [InlineData("Host=db;Password")]
    public void A_store_connection_string_with_a_password_is_refused_and_the_message_does_not_repeat_it(string connection)
    {
        var schedule = Sample() with { Sweep = Sample().Sweep with { StoreConnectionString = connection } };
        var e = Assert.Throws<ScheduleException>(() => SystemdSchedule.Service(schedule));
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
        Assert.Contains("PGPASSFILE", e.Message, StringComparison.Ordinal);
        Assert.Throws<ScheduleException>(() => TaskSchedulerSchedule.Render(Sample(SchedulePlatform.Windows) with
        {
            Sweep = schedule.Sweep with { KeyFilePath = null },
        }));
    }

    [Theory]
    [InlineData("Host=db;Username=tc;Passfile=/etc/tc/pgpass")]
    [InlineData("postgresql://tc@db/tc")]
    [InlineData("/var/lib/tc/store.db")]
    [InlineData("sqlite:/var/lib/tc/password.db")]
    public void A_store_connection_string_without_a_password_is_taken(string connection)
    {
        Assert.False(ScheduleValidator.CarriesPassword(connection));
        var schedule = Sample() with { Sweep = Sample().Sweep with { StoreConnectionString = connection } };
        Assert.Contains(ScheduleScript.Quote(connection), SystemdSchedule.Read("nightly", SystemdSchedule.Service(schedule),
            SystemdSchedule.Timer(schedule)).Command, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tag\nExecStartPost=/bin/sh -c evil")]
    [InlineData("tag\r")]
    [InlineData("tag\u0000")]
    [InlineData("tag\u2028")]
    public void A_line_break_or_control_character_in_any_value_is_refused(string value)
    {
        var sweep = Sample().Sweep;
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Service(Sample(tags: [value])));
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Service(Sample() with { Sweep = sweep with { UserName = value } }));
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Service(Sample() with { Sweep = sweep with { KeyFilePath = "/k" + value } }));
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Service(Sample() with
        {
            Sweep = sweep with { Options = new SortedDictionary<string, string> { ["ProxyCommand"] = value } },
        }));
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Service(Sample() with { WorkingDirectory = "/w" + value }));
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Timer(Sample() with { OnCalendar = "daily" + value }));
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Service(Sample() with { User = "root" + value }));
    }

    [Theory]
    [InlineData("daily\nOnCalendar=minutely")]
    [InlineData("daily;x")]
    [InlineData("%n")]
    [InlineData("$HOME")]
    public void A_calendar_with_characters_outside_systemd_time_is_refused(string calendar)
    {
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Timer(Sample() with { OnCalendar = calendar }));
    }

    [Fact]
    public void Timing_relative_paths_and_platform_only_settings_are_checked()
    {
        var linux = Sample();
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Timer(linux with { Interval = TimeSpan.FromHours(1) }));
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Timer(linux with { OnCalendar = null }));
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Timer(linux with { OnCalendar = null, Interval = TimeSpan.FromSeconds(59) }));
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Timer(linux with { OnCalendar = null, Interval = TimeSpan.FromMinutes(1.5) + TimeSpan.FromMilliseconds(1) }));
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Timer(linux with { RandomizedDelay = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Service(linux with { PwshPath = "pwsh" }));
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Service(linux with { ModulePath = "./TrustedCompute.psd1" }));
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Service(linux with { User = "root;evil" }));
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Service(linux with { Sweep = linux.Sweep with { Port = 0 } }));
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Service(linux with
        {
            Sweep = linux.Sweep with { Options = new SortedDictionary<string, string> { ["Proxy Command"] = "x" } },
        }));

        var windows = Sample(SchedulePlatform.Windows);
        Assert.Throws<ScheduleException>(() => TaskSchedulerSchedule.Render(windows with { Interval = null, OnCalendar = "daily" }));
        Assert.Throws<ScheduleException>(() => TaskSchedulerSchedule.Render(windows with { EnvironmentFile = @"C:\env" }));
        Assert.Throws<ScheduleException>(() => TaskSchedulerSchedule.Render(windows with { PwshPath = "/usr/bin/pwsh" }));
        Assert.Throws<ScheduleException>(() => TaskSchedulerSchedule.Render(linux));
    }

    [Fact]
    public void A_task_is_schema_1_2_xml_that_runs_the_same_command_encoded_and_reads_back()
    {
        var schedule = Sample(SchedulePlatform.Windows) with { User = @"CORP\svc-tc", WorkingDirectory = @"C:\tc" };
        string xml = TaskSchedulerSchedule.Render(schedule);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"UTF-16\"?>", xml, StringComparison.Ordinal);
        var task = XDocument.Parse(xml).Root!;
        XNamespace ns = "http://schemas.microsoft.com/windows/2004/02/mit/task";
        Assert.Equal(ns + "Task", task.Name);
        Assert.Equal("1.2", task.Attribute("version")?.Value);
        string arguments = task.Element(ns + "Actions")!.Element(ns + "Exec")!.Element(ns + "Arguments")!.Value;
        Assert.StartsWith("-NoProfile -NonInteractive -EncodedCommand ", arguments, StringComparison.Ordinal);
        string encoded = arguments.Split(' ')[^1];
        Assert.Equal(schedule.Command, Encoding.Unicode.GetString(Convert.FromBase64String(encoded)));
        Assert.DoesNotContain('%', arguments);
        Assert.DoesNotContain('"', arguments);
        Assert.Equal("PT6H", task.Descendants(ns + "Interval").Single().Value);
        Assert.Equal("PT5M", task.Descendants(ns + "RandomDelay").Single().Value);
        Assert.Equal("S4U", task.Descendants(ns + "LogonType").Single().Value);
        Assert.Equal(@"\TrustedCompute\nightly", task.Descendants(ns + "URI").Single().Value);

        var read = TaskSchedulerSchedule.Read("nightly", xml);
        Assert.Equal(schedule.Sweep, read.Sweep);
        Assert.Equal(schedule.Interval, read.Interval);
        Assert.Equal(schedule.User, read.User);
        Assert.Equal(schedule.WorkingDirectory, read.WorkingDirectory);
        Assert.False(read.Modified);

        string system = TaskSchedulerSchedule.Render(schedule with { User = null });
        Assert.Contains("<UserId>S-1-5-18</UserId>", system, StringComparison.Ordinal);
        Assert.Contains("<LogonType>ServiceAccount</LogonType>", system, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edited_unit_is_seen_as_modified_and_an_injected_command_is_refused()
    {
        var schedule = Sample();
        string service = SystemdSchedule.Service(schedule), timer = SystemdSchedule.Timer(schedule);

        Assert.True(SystemdSchedule.Read("nightly", service.Replace("PrivateTmp=yes\n", "", StringComparison.Ordinal), timer).Modified);
        Assert.True(SystemdSchedule.Read("nightly", service, timer.Replace("Persistent=true", "Persistent=false", StringComparison.Ordinal)).Modified);

        string injected = service.Replace(" -PassThru }", " -PassThru; Remove-Item -Recurse / }", StringComparison.Ordinal);
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Read("nightly", injected, timer));
        string extra = service.Replace(" -PassThru }", " -Tpm 'swtpm:host=evil' -PassThru }", StringComparison.Ordinal);
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Read("nightly", extra, timer));
        string twice = service + "ExecStart=/bin/sh\n";
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Read("nightly", twice, timer));
        string variable = service.Replace("$$summary = ", "$summary = ", StringComparison.Ordinal);
        Assert.Throws<ScheduleException>(() => SystemdSchedule.Read("nightly", variable, timer));

        string xml = TaskSchedulerSchedule.Render(Sample(SchedulePlatform.Windows));
        Assert.True(TaskSchedulerSchedule.Read("nightly", xml.Replace("PT12H", "PT72H", StringComparison.Ordinal)).Modified);
        Assert.Throws<ScheduleException>(() => TaskSchedulerSchedule.Read("nightly", xml.Replace("-EncodedCommand ", "-Command ", StringComparison.Ordinal)));
        Assert.Throws<ScheduleException>(() => TaskSchedulerSchedule.Read("nightly", "<!DOCTYPE x [<!ENTITY a 'b'>]><Task/>"));
        Assert.Throws<ScheduleException>(() => TaskSchedulerSchedule.Read("nightly", xml[..(xml.Length / 2)]));
    }

    [Fact]
    public void Every_truncation_of_a_command_is_refused()
    {
        string command = Sample().Command;
        for (int length = 0; length < command.Length; length++)
        {
            string cut = command[..length];
            Assert.Throws<ScheduleException>(() => ScheduleScript.Parse(cut));
        }
        Assert.Equal(Sample().Sweep, ScheduleScript.Parse(command).Sweep);
    }

    [Fact]
    public void Powershell_single_quotes_of_every_kind_are_doubled()
    {
        Assert.Equal("'it''s'", ScheduleScript.Quote("it's"));
        Assert.Equal("'‘‘a’’'", ScheduleScript.Quote("‘a’"));
        Assert.Equal("'$x `n \"'", ScheduleScript.Quote("$x `n \""));
    }

    [Fact]
    public void A_folder_writes_reads_and_removes_only_its_own_units()
    {
        var folder = ScheduleFolder.For(SchedulePlatform.Linux, Directory.CreateTempSubdirectory("tc-schedule-").FullName);
        try
        {
            File.WriteAllText(Path.Combine(folder.Folder!, "other.service"), "[Service]\nExecStart=/bin/true\n");
            var files = folder.Write(Sample());
            Assert.Equal(["nightly.service", "nightly.timer"], files.Select(Path.GetFileName));
            // the service holds the webhook URI, whose path may be its secret
            foreach (string file in files)
            {
                if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
            Assert.True(folder.Exists("nightly"));

            var found = folder.Read(_ => true);
            var (name, schedule, error) = Assert.Single(found);
            Assert.Equal("nightly", name);
            Assert.Null(error);
            Assert.Equal(Sample().Sweep, schedule!.Sweep);
            Assert.False(schedule.Enabled);

            string wants = Directory.CreateDirectory(Path.Combine(folder.Folder!, "timers.target.wants")).FullName;
            File.CreateSymbolicLink(Path.Combine(wants, "nightly.timer"), files[1]);
            Assert.True(folder.Read(_ => true).Single().Schedule!.Enabled);

            folder.Remove("nightly");
            Assert.False(folder.Exists("nightly"));
            Assert.False(File.Exists(Path.Combine(wants, "nightly.timer")));
            Assert.True(File.Exists(Path.Combine(folder.Folder!, "other.service")));
            Assert.Empty(folder.Read(_ => true));
        }
        finally { Directory.Delete(folder.Folder!, true); }
    }

    [SkippableFact]
    public void Enabling_needs_systemd_as_pid_1()
    {
        Skip.If(ScheduleFolder.SystemdRunning, "systemd runs here: enabling would start a real timer");
        Assert.Throws<PlatformNotSupportedException>(() => ScheduleFolder.EnableTimer("nightly"));
        Assert.Throws<PlatformNotSupportedException>(() => ScheduleFolder.For(SchedulePlatform.Windows, null));
    }

    // The words of "Command Line:" in systemd's debug dump of a unit (shell-quoted: "..." with \ escapes).
    private static List<string> SystemdDump(string unit)
    {
        var start = new ProcessStartInfo("systemd-analyze") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("verify");
        start.ArgumentList.Add(unit);
        start.Environment["SYSTEMD_LOG_LEVEL"] = "debug";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd() + error.Result;
        process.WaitForExit();
        const string marker = "Command Line: ";
        string line = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(marker, StringComparison.Ordinal));
        return ShellWords(line[marker.Length..]);
    }

    // What systemd passes for a stored word: "$$" is "$", "$NAME" or "${NAME}" a variable (marked, never equal to ours).
    private static string ExpandLikeSystemd(string word)
    {
        var text = new StringBuilder();
        for (int i = 0; i < word.Length; i++)
        {
            if (word[i] != '$' || i + 1 >= word.Length) text.Append(word[i]);
            else if (word[i + 1] == '$') text.Append(word[++i]);
            else if (word[i + 1] == '{' || char.IsAsciiLetter(word[i + 1]) || word[i + 1] == '_') text.Append("<variable>");
            else text.Append('$');
        }
        return text.ToString();
    }

    private static List<string> ShellWords(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false, quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (!quoted && c == ' ')
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
                continue;
            }
            inWord = true;
            if (c == '"') quoted = !quoted;
            else if (c == '\\') word.Append(text[++i]);
            else word.Append(c);
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }

    private static (int Code, string Output) Run(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
