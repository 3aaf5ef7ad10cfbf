using System.Management.Automation;
using TrustedCompute.EventLog;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.EventLog;

/// <summary>Replays a TCG event log and gets the PCR values it implies, per bank.</summary>
[Cmdlet(VerbsCommon.Get, "TpmEventLogPcr", DefaultParameterSetName = LocalSet)]
[OutputType("TrustedCompute.EventLog.ReplayedPcr")]
public sealed class GetTpmEventLogPcrCommand : EventLogCommandBase
{
    [Parameter]
    [PcrIndexTransformation]
    [ValidateRange(0, 23)]
    public int[]? PcrIndex { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BankCompleter))]
    public string[]? Bank { get; set; }

    protected override LogErrorIds LogErrors { get; } =
        new(ErrorIds.GetTpmEventLogPcrParseFailed, ErrorIds.GetTpmEventLogPcrReadFailed, ErrorIds.GetTpmEventLogPcrPathNotFound);

    protected override void ProcessRecord()
    {
        HashSet<global::TrustedCompute.Tpm.TpmAlgId>? banks = null;
        try
        {
            banks = Bank?.Select(PcrBanks.Parse).ToHashSet();
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(ex, ErrorIds.GetTpmEventLogPcrInvalidBank, Bank);
        }
        foreach (var (source, log) in ReadLogs())
        {
            var replay = log.Replay(Quirks);
            if (replay.AppliedQuirks != EventLogQuirks.None) WriteVerbose($"{source}: replayed with quirk(s) {replay.AppliedQuirks}");
            foreach (var pcr in replay.Pcrs)
            {
                if (banks is not null && !banks.Contains(pcr.Algorithm)) continue;
                if (PcrIndex is not null && !PcrIndex.Contains(pcr.Index)) continue;
                var item = new PSObject(pcr);
                item.Properties.Add(new PSNoteProperty("Source", source));
                WriteObject(item);
            }
        }
    }
}
