using System.Collections;
using System.Globalization;
using System.Management.Automation;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.EventLog;

/// <summary>
/// Replays a TCG event log and compares it with PCR values (read from a TPM or a quote), writing one object per
/// PCR that differs; nothing when all agree.
/// </summary>
[Cmdlet(VerbsData.Compare, "TpmEventLog", DefaultParameterSetName = LocalSet)]
[OutputType("TrustedCompute.EventLog.PcrDifference")]
public sealed class CompareTpmEventLogCommand : EventLogCommandBase
{
    private readonly Dictionary<(TpmAlgId, int), byte[]> _pcrs = [];


    /// <summary>Objects with Bank (or Algorithm), Index and Value (bytes or hex), or hashtables bank -> index -> value.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public object[] ReferencePcr { get; set; } = [];

    [Parameter]
    [ValidateSet("DuplicateSeparator", "MissingExitBootServices", IgnoreCase = true)]
    public string[]? AllowQuirk { get; set; }

    protected override LogErrorIds LogErrors { get; } =
        new(ErrorIds.CompareTpmEventLogParseFailed, ErrorIds.CompareTpmEventLogReadFailed, ErrorIds.CompareTpmEventLogPathNotFound);

    protected override void BeginProcessing()
    {
        try
        {
            foreach (var item in ReferencePcr) Add(item);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or PSInvalidCastException)
        {
            ThrowTerminatingError(new ArgumentException($"-ReferencePcr: {ex.Message}", nameof(ReferencePcr), ex), ErrorIds.CompareTpmEventLogInvalidReferencePcr, ReferencePcr);
        }
    }

    protected override void ProcessRecord()
    {
        foreach (var (source, log) in ReadLogs())
        {
            var comparison = log.CompareWith(_pcrs, ParseQuirks(AllowQuirk) | Quirks);
            if (comparison.AppliedQuirks != EventLogQuirks.None)
                WriteWarning($"{source}: the replay matches only with the quirk(s) {comparison.AppliedQuirks}");
            foreach (var difference in comparison.Differences)
            {
                var item = new PSObject(difference);
                item.Properties.Add(new PSNoteProperty("Source", source));
                WriteObject(item);
            }
        }
    }

    private void Add(object? input)
    {
        var value = input is PSObject ps ? ps.BaseObject : input;
        switch (value)
        {
            case null:
                return;
            case IDictionary table:
                foreach (DictionaryEntry bank in table)
                {
                    var alg = PcrBanks.Parse(Convert.ToString(bank.Key, CultureInfo.InvariantCulture) ?? "");
                    if (PSObject.AsPSObject(bank.Value).BaseObject is not IDictionary pcrs)
                        throw new ArgumentException($"the value of bank '{bank.Key}' must be a hashtable of PCR index to value");
                    foreach (DictionaryEntry pcr in pcrs) Set(alg, pcr.Key, pcr.Value);
                }
                return;
            default:
                var obj = PSObject.AsPSObject(input);
                object? bankName = obj.Properties["Bank"]?.Value ?? obj.Properties["Algorithm"]?.Value;
                object? index = obj.Properties["Index"]?.Value ?? obj.Properties["PcrIndex"]?.Value;
                object? bytes = obj.Properties["Value"]?.Value ?? obj.Properties["Hex"]?.Value ?? obj.Properties["Digest"]?.Value;
                if (bankName is null || index is null || bytes is null)
                    throw new ArgumentException($"'{input}' has no Bank, Index and Value properties");
                var bankValue = PSObject.AsPSObject(bankName).BaseObject;
                Set(bankValue is TpmAlgId a ? a : PcrBanks.Parse(bankValue.ToString() ?? ""), index, bytes);
                return;
        }
    }

    private void Set(TpmAlgId bank, object index, object? value)
    {
        int i = LanguagePrimitives.ConvertTo<int>(index);
        if (i is < 0 or >= PcrReplay.PcrCount) throw new ArgumentException($"PCR index {i} is out of range 0-23");
        _pcrs[(bank, i)] = PSObject.AsPSObject(value).BaseObject switch
        {
            byte[] b => b,
            string hex => Convert.FromHexString(hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex),
            var other => throw new ArgumentException($"the value of {PcrBanks.Name(bank)}:{i} must be bytes or a hex string, not {other?.GetType().Name}"),
        };
    }
}
