using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Store;

namespace TrustedCompute.PowerShell.Commands.Registry;

/// <summary>Lists enrolled hosts, with each one's latest verdict, filtered by name (wildcards), tag and verdict.</summary>
[Cmdlet(VerbsCommon.Get, "TrustedHost")]
[OutputType(typeof(EnrolledHost))]
public sealed class GetTrustedHostCommand : StoreCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? HostName { get; set; }

    /// <summary>Only hosts that carry every one of these tags.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Tag { get; set; }

    /// <summary>Only hosts whose latest result has one of these verdicts (a host never attested counts as Unknown).</summary>
    [Parameter]
    public AttestationVerdict[]? Verdict { get; set; }

    protected override void ProcessRecord()
    {
        IReadOnlyList<EnrolledHost> hosts = [];
        IReadOnlyDictionary<string, AttestationResult> latest = new Dictionary<string, AttestationResult>();
        if (!TryStore(() =>
            {
                var match = Matcher(HostName);
                hosts = Store.GetHosts().Where(h => match(h.Name) && (Tag ?? []).All(t => h.Tags.Contains(t, StringComparer.OrdinalIgnoreCase)))
                    .OrderBy(h => h.Name, StringComparer.OrdinalIgnoreCase).ToList();
                latest = Store.GetLatestResults(hosts.Select(h => h.Name));
            }, ErrorIds.StoreOperationFailed, HostName)) return;
        foreach (var host in hosts)
        {
            var last = latest.TryGetValue(host.Name, out var r) ? r : null;
            var verdict = last?.Verdict ?? AttestationVerdict.Unknown;
            if (Verdict is { Length: > 0 } && !Verdict.Contains(verdict)) continue;
            var output = new PSObject(host);
            output.Properties.Add(new PSNoteProperty("Verdict", verdict));
            output.Properties.Add(new PSNoteProperty("LastAttested", last?.Time));
            WriteObject(output);
        }
        foreach (var pattern in HostName ?? [])
            if (!WildcardPattern.ContainsWildcardCharacters(pattern) && !hosts.Any(h => string.Equals(h.Name, pattern, StringComparison.OrdinalIgnoreCase)))
                WriteError(new ItemNotFoundException($"No host named '{pattern}' is enrolled"), ErrorIds.GetTrustedHostNotFound, pattern);
    }
}
