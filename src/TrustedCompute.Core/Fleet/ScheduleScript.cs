using System.Globalization;
using System.Text;

namespace TrustedCompute.Fleet;

/// <summary>
/// The one-line PowerShell command a schedule runs, and its reader. It imports the module, sweeps, prints the
/// summary and exits with the summary's exit code (0 all Trusted, 1 some host not, 2 stopped early), or 3 when
/// the sweep could not run at all (no module, store unavailable, another sweep busy): a schedule never reads a
/// failed sweep as success. Every value is a single-quoted PowerShell literal.
/// </summary>
public static class ScheduleScript
{
    /// <summary>The process exit code when the sweep did not run.</summary>
    public const int NotRunExitCode = 3;

    private const string Head = "try { Import-Module -Name ";
    private const string Middle = " -ErrorAction Stop; $summary = Invoke-AttestationSweep";
    private const string Tail = " -PassThru } catch { [Console]::Error.WriteLine($_); exit 3 }; " +
        "if ($null -eq $summary) { exit 3 }; $summary.ToString(); exit $summary.ExitCode";

    public static string Render(AttestationSchedule schedule) =>
        Head + Quote(schedule.ModulePath) + Middle + Arguments(schedule.Sweep) + Tail;

    /// <summary>The sweep's arguments as PowerShell text, each with a leading space, in a fixed order.</summary>
    public static string Arguments(SweepArguments sweep)
    {
        var text = new StringBuilder();
        void Add(string name, string? value)
        {
            if (value is not null) text.Append(" -").Append(name).Append(' ').Append(value);
        }
        string? List(IReadOnlyList<string> values) => values.Count == 0 ? null : string.Join(", ", values.Select(Quote));
        string? Number(long? value) => value?.ToString(CultureInfo.InvariantCulture);

        Add("Name", List(sweep.Name));
        Add("Tag", List(sweep.Tag));
        Add("UserName", sweep.UserName is null ? null : Quote(sweep.UserName));
        Add("KeyFilePath", sweep.KeyFilePath is null ? null : Quote(sweep.KeyFilePath));
        Add("Port", Number(sweep.Port));
        if (sweep.Options.Count > 0)
        {
            var pairs = sweep.Options.OrderBy(o => o.Key, StringComparer.Ordinal)
                .Select(o => $"{Quote(o.Key)} = {Quote(o.Value)}");
            Add("Options", "@{ " + string.Join("; ", pairs) + " }");
        }
        Add("ThrottleLimit", Number(sweep.ThrottleLimit));
        Add("TimeoutSec", Number(sweep.TimeoutSec));
        Add("RetryCount", Number(sweep.RetryCount));
        Add("LockTimeoutSec", Number(sweep.LockTimeoutSec));
        Add("AttestationKeyHandle", Number(sweep.AttestationKeyHandle));
        if (sweep.NoEventLog) text.Append(" -NoEventLog");
        Add("WebhookUri", sweep.WebhookUri is null ? null : Quote(sweep.WebhookUri.OriginalString));
        if (sweep.SyncOpenStack) text.Append(" -SyncOpenStack");
        Add("StoreConnectionString", sweep.StoreConnectionString is null ? null : Quote(sweep.StoreConnectionString));
        return text.ToString();
    }

    /// <summary>
    /// A single-quoted PowerShell string: every character PowerShell takes for a single quote (' and the
    /// typographic ‘ ’ ‚ ‛) doubled, as PowerShell's own CodeGeneration does.
    /// </summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('\'');
        foreach (char c in value)
        {
            if (IsSingleQuote(c)) text.Append(c);
            text.Append(c);
        }
        return text.Append('\'').ToString();
    }

    private static bool IsSingleQuote(char c) => c is '\'' or '\u2018' or '\u2019' or '\u201A' or '\u201B';

    /// <summary>Reads back a command <see cref="Render"/> wrote: the module path and the sweep's arguments.</summary>
    public static (string ModulePath, SweepArguments Sweep) Parse(string command)
    {
        if (!command.StartsWith(Head, StringComparison.Ordinal) || !command.EndsWith(Tail, StringComparison.Ordinal))
            throw new ScheduleException("The command is not one Register-AttestationSchedule writes");
        var reader = new Reader(command, Head.Length, command.Length - Tail.Length);
        string module = reader.String();
        reader.Expect(Middle);
        var sweep = new SweepArguments();
        while (!reader.AtEnd)
        {
            reader.Expect(" -");
            string name = reader.Word();
            sweep = name switch
            {
                "Name" => sweep with { Name = reader.StringList() },
                "Tag" => sweep with { Tag = reader.StringList() },
                "UserName" => sweep with { UserName = reader.Value().String() },
                "KeyFilePath" => sweep with { KeyFilePath = reader.Value().String() },
                "Port" => sweep with { Port = (int)reader.Value().Number(65535) },
                "Options" => sweep with { Options = reader.Value().Table() },
                "ThrottleLimit" => sweep with { ThrottleLimit = (int)reader.Value().Number(1024) },
                "TimeoutSec" => sweep with { TimeoutSec = (int)reader.Value().Number(86400) },
                "RetryCount" => sweep with { RetryCount = (int)reader.Value().Number(10) },
                "LockTimeoutSec" => sweep with { LockTimeoutSec = (int)reader.Value().Number(86400) },
                "AttestationKeyHandle" => sweep with { AttestationKeyHandle = (uint)reader.Value().Number(uint.MaxValue) },
                "NoEventLog" => sweep with { NoEventLog = true },
                "WebhookUri" => sweep with { WebhookUri = Uri.TryCreate(reader.Value().String(), UriKind.Absolute, out var hook) ? hook
                    : throw new ScheduleException("The command passes a -WebhookUri that is not an absolute URI") },
                "SyncOpenStack" => sweep with { SyncOpenStack = true },
                "StoreConnectionString" => sweep with { StoreConnectionString = reader.Value().String() },
                _ => throw new ScheduleException($"The command passes -{name}, which Register-AttestationSchedule never writes"),
            };
        }
        return (module, sweep);
    }

    private sealed class Reader(string text, int position, int end)
    {
        private int _at = position;

        public bool AtEnd => _at >= end;

        public void Expect(string literal)
        {
            if (end - _at < literal.Length || string.CompareOrdinal(text, _at, literal, 0, literal.Length) != 0)
                throw Malformed();
            _at += literal.Length;
        }

        public Reader Value()
        {
            Expect(" ");
            return this;
        }

        public string Word()
        {
            int start = _at;
            while (_at < end && char.IsAsciiLetter(text[_at])) _at++;
            if (_at == start) throw Malformed();
            return text[start.._at];
        }

        public string String()
        {
            if (_at >= end || !IsSingleQuote(text[_at])) throw Malformed();
            _at++;
            var value = new StringBuilder();
            while (true)
            {
                if (_at >= end) throw Malformed();
                char c = text[_at++];
                if (!IsSingleQuote(c))
                {
                    value.Append(c);
                    continue;
                }
                if (_at < end && IsSingleQuote(text[_at]))
                {
                    value.Append(text[_at++]);
                    continue;
                }
                return value.ToString();
            }
        }

        public List<string> StringList()
        {
            Expect(" ");
            var values = new List<string> { String() };
            while (_at + 1 < end && text[_at] == ',' && text[_at + 1] == ' ')
            {
                _at += 2;
                values.Add(String());
            }
            return values;
        }

        public long Number(long maximum)
        {
            int start = _at;
            while (_at < end && char.IsAsciiDigit(text[_at])) _at++;
            if (_at == start || _at - start > 10 || !long.TryParse(text.AsSpan(start, _at - start), NumberStyles.None,
                    CultureInfo.InvariantCulture, out long value) || value > maximum)
                throw Malformed();
            return value;
        }

        public SortedDictionary<string, string> Table()
        {
            var table = new SortedDictionary<string, string>(StringComparer.Ordinal);
            Expect("@{ ");
            while (true)
            {
                string key = String();
                Expect(" = ");
                if (!table.TryAdd(key, String())) throw Malformed();
                if (_at < end && text[_at] == ';')
                {
                    Expect("; ");
                    continue;
                }
                Expect(" }");
                return table;
            }
        }

        private ScheduleException Malformed() =>
            new($"The command is not one Register-AttestationSchedule writes (at character {_at})");
    }
}
