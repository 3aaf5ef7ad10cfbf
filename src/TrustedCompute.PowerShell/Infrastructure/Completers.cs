using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace TrustedCompute.PowerShell.Infrastructure;

/// <summary>Completes from a fixed list; the values come from Core only when a user presses Tab.</summary>
public abstract class ListCompleter : IArgumentCompleter
{
    protected abstract IEnumerable<string> Values();

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string typed = wordToComplete.Trim('\'', '"');
        return Values()
            .Where(v => v.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(v => new CompletionResult(v, v, CompletionResultType.ParameterValue, v));
    }
}

/// <summary>The PCR banks, as -Bank takes them.</summary>
public sealed class BankCompleter : ListCompleter
{
    protected override IEnumerable<string> Values() => ["sha1", "sha256", "sha384", "sha512"];
}

/// <summary>The TCG event type names Get-TpmEventLog -EventType matches.</summary>
public sealed class EventTypeCompleter : ListCompleter
{
    protected override IEnumerable<string> Values() => EventTypeNames();

    // Core is touched inside a method of its own, so only pressing Tab loads it.
    private static string[] EventTypeNames() => Enum.GetNames<TrustedCompute.EventLog.TcgEventType>();
}
