using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Store;

namespace TrustedCompute.PowerShell.Commands.Registry;

/// <summary>Base of the registry cmdlets: -StoreConnectionString and one store for the whole pipeline.</summary>
public abstract class StoreCmdlet : TrustedComputeCmdlet
{
    private IAttestationStore? _store;

    /// <summary>A SQLite path or a PostgreSQL connection string (no password in it); default $env:TRUSTEDCOMPUTE_STORE, else the per-user file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StoreConnectionString { get; set; }

    protected IAttestationStore Store => _store ??= StoreAccess.Open(this, StoreConnectionString);

    /// <summary>Runs one store step for one target; a store failure is a non-terminating error with <paramref name="errorId"/>.</summary>
    protected bool TryStore(Action step, string errorId, object? target)
    {
        try
        {
            step();
            return true;
        }
        catch (StoreException e)
        {
            WriteError(e, errorId, target);
            return false;
        }
    }

    protected override void EndProcessing() => _store?.Dispose();

    /// <summary>Names matching any of the patterns (wildcards, case-insensitive); every name when there are none.</summary>
    protected static Func<string, bool> Matcher(string[]? patterns)
    {
        if (patterns is not { Length: > 0 }) return _ => true;
        var compiled = patterns.Select(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase)).ToList();
        return name => compiled.Any(p => p.IsMatch(name));
    }
}
