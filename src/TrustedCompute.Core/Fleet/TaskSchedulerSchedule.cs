using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace TrustedCompute.Fleet;

/// <summary>
/// A schedule as a Windows Task Scheduler task (task schema 1.2, for schtasks.exe /Create /XML), and its reader.
/// pwsh gets the command as -EncodedCommand (UTF-16LE base64): no quoting layer of the Windows command line or of
/// Task Scheduler's %variable% expansion can change it. The description shows the command in clear text.
/// </summary>
public static class TaskSchedulerSchedule
{
    public const string TaskFolder = @"\TrustedCompute\";
    public const string SystemAccount = "S-1-5-18";
    private const string Arguments = "-NoProfile -NonInteractive -EncodedCommand ";
    // A fixed start in the past: the repetition runs from it, so a task renders the same way every time.
    private const string StartBoundary = "2000-01-01T00:00:00";

    private static readonly XNamespace Ns = "http://schemas.microsoft.com/windows/2004/02/mit/task";

    public static string FileName(string name) => name + ".xml";
    public static string TaskName(string name) => TaskFolder + name;

    public static string Render(AttestationSchedule schedule)
    {
        ScheduleValidator.Validate(schedule);
        if (schedule.Platform != SchedulePlatform.Windows)
            throw new ScheduleException("A Task Scheduler task is rendered from a Windows schedule");
        var interval = schedule.Interval ?? throw new ScheduleException("A Windows schedule has an -Interval");
        string user = schedule.User ?? SystemAccount;
        string command = ScheduleScript.Render(schedule);
        var exec = new XElement(Ns + "Exec",
            new XElement(Ns + "Command", schedule.PwshPath),
            new XElement(Ns + "Arguments", Arguments + Convert.ToBase64String(Encoding.Unicode.GetBytes(command))));
        if (schedule.WorkingDirectory is { } directory) exec.Add(new XElement(Ns + "WorkingDirectory", directory));

        var task = new XElement(Ns + "Task", new XAttribute("version", "1.2"),
            new XElement(Ns + "RegistrationInfo",
                new XElement(Ns + "Author", "TrustedCompute Register-AttestationSchedule"),
                new XElement(Ns + "Description", $"TrustedCompute attestation sweep ({schedule.Name}): {command}"),
                new XElement(Ns + "URI", TaskName(schedule.Name))),
            new XElement(Ns + "Triggers",
                new XElement(Ns + "TimeTrigger",
                    new XElement(Ns + "Repetition", new XElement(Ns + "Interval", Duration(interval))),
                    new XElement(Ns + "StartBoundary", StartBoundary),
                    new XElement(Ns + "Enabled", "true"),
                    schedule.RandomizedDelay > TimeSpan.Zero
                        ? new XElement(Ns + "RandomDelay", Duration(schedule.RandomizedDelay)) : null)),
            new XElement(Ns + "Principals",
                new XElement(Ns + "Principal", new XAttribute("id", "Author"),
                    new XElement(Ns + "UserId", user),
                    new XElement(Ns + "LogonType", user == SystemAccount ? "ServiceAccount" : "S4U"),
                    new XElement(Ns + "RunLevel", "HighestAvailable"))),
            new XElement(Ns + "Settings",
                new XElement(Ns + "MultipleInstancesPolicy", "IgnoreNew"),
                new XElement(Ns + "DisallowStartIfOnBatteries", "false"),
                new XElement(Ns + "StopIfGoingOnBatteries", "false"),
                new XElement(Ns + "StartWhenAvailable", "true"),
                new XElement(Ns + "RunOnlyIfNetworkAvailable", "false"),
                new XElement(Ns + "ExecutionTimeLimit", "PT12H"),
                new XElement(Ns + "Enabled", "true")),
            new XElement(Ns + "Actions", new XAttribute("Context", "Author"), exec));
        return new XDocument(new XDeclaration("1.0", "UTF-16", null), task).Declaration + Environment.NewLine + task;
    }

    /// <summary>Reads back a task this module wrote; <c>Modified</c> tells whether it was edited since.</summary>
    public static AttestationSchedule Read(string name, string xml)
    {
        ScheduleValidator.ValidateName(name);
        XDocument document;
        try
        {
            var settings = new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = true,
                MaxCharactersInDocument = 1 << 20,
            };
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            document = XDocument.Load(reader);
        }
        catch (XmlException e) { throw new ScheduleException($"The task is not well-formed XML: {e.Message}"); }
        var task = document.Root;
        if (task?.Name != Ns + "Task") throw new ScheduleException("The XML is not a Task Scheduler task");
        string? Text(params string[] path)
        {
            XElement? e = task;
            foreach (string step in path) e = e?.Element(Ns + step);
            return e?.Value;
        }
        string arguments = Text("Actions", "Exec", "Arguments") ?? "";
        if (!arguments.StartsWith(Arguments, StringComparison.Ordinal))
            throw new ScheduleException("The task does not run the command Register-AttestationSchedule writes");
        string command;
        try { command = Encoding.Unicode.GetString(Convert.FromBase64String(arguments[Arguments.Length..])); }
        catch (FormatException) { throw new ScheduleException("The task's -EncodedCommand is not base64"); }
        var (module, sweep) = ScheduleScript.Parse(command);
        string? user = Text("Principals", "Principal", "UserId");
        var schedule = new AttestationSchedule
        {
            Name = name,
            Platform = SchedulePlatform.Windows,
            PwshPath = Text("Actions", "Exec", "Command") ?? "",
            ModulePath = module,
            Sweep = sweep,
            User = user == SystemAccount ? null : user,
            WorkingDirectory = Text("Actions", "Exec", "WorkingDirectory"),
            Interval = ParseDuration(Text("Triggers", "TimeTrigger", "Repetition", "Interval")),
            RandomizedDelay = ParseDuration(Text("Triggers", "TimeTrigger", "RandomDelay")) ?? TimeSpan.Zero,
            Enabled = Text("Settings", "Enabled") != "false",
        };
        bool modified;
        try { modified = !XNode.DeepEquals(XElement.Parse(Render(schedule).Split(Environment.NewLine, 2)[1]), task); }
        catch (ScheduleException) { modified = true; }
        return schedule with { Modified = modified };
    }

    private static string Duration(TimeSpan span) => XmlConvert.ToString(span);

    private static TimeSpan? ParseDuration(string? text)
    {
        if (text is null) return null;
        try { return XmlConvert.ToTimeSpan(text); }
        catch (FormatException) { throw new ScheduleException($"'{ScheduleValidator.Printable(text)}' is not a duration"); }
    }
}
