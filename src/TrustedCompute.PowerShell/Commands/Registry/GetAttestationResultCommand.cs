using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Store;

namespace TrustedCompute.PowerShell.Commands.Registry;

/// <summary>Reads the result history, newest first: one host's, or every host's.</summary>
[Cmdlet(VerbsCommon.Get, "AttestationResult")]
[OutputType(typeof(AttestationResult))]
public sealed class GetAttestationResultCommand : StoreCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    public string[]? HostName { get; set; }

    /// <summary>Only results made at or after this time.</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>At most this many results per host (newest).</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int? Last { get; set; }

    [Parameter]
    public AttestationVerdict? Verdict { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var host in HostName ?? [null!])
        {
            IReadOnlyList<AttestationResult> results = [];
            var query = new ResultQuery { HostName = host, Since = Since?.ToUniversalTime(), Last = Last, Verdict = Verdict };
            if (TryStore(() => results = Store.GetResults(query), ErrorIds.StoreOperationFailed, host))
                foreach (var r in results) WriteObject(r);
        }
    }
}
