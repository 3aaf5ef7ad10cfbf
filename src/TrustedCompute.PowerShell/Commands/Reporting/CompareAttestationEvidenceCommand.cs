using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using TrustedCompute.PowerShell.Commands.Attestation;
using TrustedCompute.PowerShell.Commands.Registry;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Reporting;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Reporting;

/// <summary>
/// Shows, event by event, what changed between two boots: evidence bundles (objects or files), stored results whose
/// evidence the store kept, or a policy's reference log. It explains only; it verifies nothing.
/// </summary>
[Cmdlet(VerbsData.Compare, "AttestationEvidence")]
[OutputType(typeof(EventDifference))]
public sealed class CompareAttestationEvidenceCommand : StoreCmdlet
{
    private IReadOnlyList<LogEvent>? _reference;

    /// <summary>The earlier boot: evidence, an evidence file, a result (its kept evidence) or a policy with a reference log.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNull]
    public object ReferenceObject { get; set; } = null!;

    /// <summary>The later boot: evidence, an evidence file or a result.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object DifferenceObject { get; set; } = null!;

    /// <summary>Only these PCRs; default: every PCR either log extends.</summary>
    [Parameter]
    [PcrIndexTransformation]
    [ValidateRange(0, 23)]
    public int[]? PcrIndex { get; set; }

    protected override void BeginProcessing()
    {
        try { _reference = ReadEvents(ReferenceObject, policyAllowed: true); }
        catch (InputException e) { ThrowTerminatingError(e.InnerException ?? e, e.ErrorId, ReferenceObject); }
    }

    protected override void ProcessRecord()
    {
        IReadOnlyList<LogEvent> now;
        try { now = ReadEvents(DifferenceObject, policyAllowed: false); }
        catch (InputException e)
        {
            WriteError(e.InnerException ?? e, e.ErrorId, DifferenceObject);
            return;
        }
        foreach (var difference in EventLogDiff.Compare(_reference!, now, PcrIndex)) WriteObject(difference);
    }

    private sealed class InputException(string errorId, Exception inner) : Exception(inner.Message, inner)
    {
        public string ErrorId { get; } = errorId;
    }

    private IReadOnlyList<LogEvent> ReadEvents(object input, bool policyAllowed)
    {
        object value = input is PSObject ps ? ps.BaseObject : input;
        try
        {
            if (value is AttestationPolicy policy)
            {
                if (!policyAllowed) throw new ArgumentException("A policy can only be the -ReferenceObject");
                return policy.ReferenceLog is { Count: > 0 } log ? log.Select(LogEvent.From).ToList()
                    : throw new InputException(ErrorIds.CompareAttestationEvidenceNoEventLog,
                        new InvalidDataException($"The policy '{policy.Name}' keeps no reference log (New-AttestationPolicy -KeepReferenceLog)"));
            }
            AttestationEvidence evidence;
            if (value is string path) evidence = AttestationEvidence.ReadFile(GetUnresolvedProviderPathFromPSPath(path), CancellationToken);
            else if (AttestationInput.IsAttestationResult(input))
            {
                var result = AttestationInput.ToAttestationResult(input, allowUntyped: false);
                evidence = (result.EvidenceDigest.Length == 0 ? null : Store.GetEvidence(result.EvidenceDigest))
                    ?? throw new InputException(ErrorIds.CompareAttestationEvidenceNoEventLog, new InvalidDataException(
                        $"The store does not keep the evidence of the result of '{result.HostName}' at {result.Time:u}"));
            }
            else evidence = AttestationInput.ToEvidence(input);
            if (evidence.EventLog.Length == 0)
                throw new InputException(ErrorIds.CompareAttestationEvidenceNoEventLog,
                    new InvalidDataException($"The evidence of '{evidence.HostName}' has no event log"));
            return LogEvent.FromLog(TcgEventLog.Parse(evidence.EventLog, cancellationToken: CancellationToken));
        }
        catch (InputException) { throw; }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FormatException or IOException
            or UnauthorizedAccessException or EventLogFormatException or TpmProtocolException or TrustedCompute.Store.StoreException)
        {
            throw new InputException(ErrorIds.CompareAttestationEvidenceInvalidInput, e);
        }
    }
}
