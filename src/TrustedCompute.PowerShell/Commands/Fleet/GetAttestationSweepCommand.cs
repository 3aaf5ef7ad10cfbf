using System.Management.Automation;
using TrustedCompute.PowerShell.Commands.Registry;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Store;

namespace TrustedCompute.PowerShell.Commands.Fleet;

/// <summary>Reads the sweeps recorded in the store, newest first: which node ran each, its round, and its counts.</summary>
[Cmdlet(VerbsCommon.Get, "AttestationSweep")]
[OutputType(typeof(SweepRecord))]
public sealed class GetAttestationSweepCommand : StoreCmdlet
{
    [Parameter(Position = 0)]
    [ValidateRange(1, 100_000)]
    public int Last { get; set; } = 20;

    protected override void ProcessRecord()
    {
        IReadOnlyList<SweepRecord> sweeps = [];
        if (TryStore(() => sweeps = Store.GetSweeps(Last), ErrorIds.StoreOperationFailed, Store.Location))
            foreach (var sweep in sweeps) WriteObject(sweep);
    }
}
