using System.Management.Automation;
using TrustedCompute.Store;

namespace TrustedCompute.PowerShell.Infrastructure;

/// <summary>The one place cmdlets open the store: -StoreConnectionString, else $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file.</summary>
internal static class StoreAccess
{
    public static IAttestationStore Open(PSCmdlet cmdlet, string? connectionString)
    {
        try
        {
            var store = AttestationStoreFactory.Open(connectionString);
            cmdlet.WriteVerbose($"Store: {store.Location}");
            return store;
        }
        catch (StoreException e)
        {
            cmdlet.ThrowTerminatingError(ErrorMapper.ToErrorRecord(e, ErrorIds.StoreUnavailable, null));
            throw; // not reached
        }
    }
}
