using System.Collections.Concurrent;
using System.Management.Automation;
using TrustedCompute.OpenStack;

namespace TrustedCompute.PowerShell.Commands.OpenStack;

/// <summary>
/// -Debug for the OpenStack cmdlets: the session reports each HTTP call (from any thread) into a queue, and the
/// cmdlet writes the queue as debug records on the pipeline thread after each Core call.
/// </summary>
internal sealed class OpenStackDebugTrace(PSCmdlet cmdlet)
{
    private readonly ConcurrentQueue<string> _calls = new();

    /// <summary>Points the session's trace here when debug output is wanted, else turns it off.</summary>
    public void Attach(OpenStackSession session) => session.Trace = Wanted() ? _calls.Enqueue : null;

    public void Flush()
    {
        while (_calls.TryDequeue(out string? line)) cmdlet.WriteDebug("OpenStack " + line);
    }

    private bool Wanted()
    {
        if (cmdlet.MyInvocation.BoundParameters.TryGetValue("Debug", out var d)) return d is SwitchParameter { IsPresent: true };
        // a local $DebugPreference = 'Continue' is a plain string, not the typed global
        object? value = cmdlet.GetVariableValue("DebugPreference");
        if (value is PSObject wrapped) value = wrapped.BaseObject;
        var preference = value is ActionPreference typed ? typed
            : Enum.TryParse<ActionPreference>(value?.ToString(), true, out var parsed) ? parsed : ActionPreference.SilentlyContinue;
        return preference is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);
    }
}
