using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Txt;

namespace TrustedCompute.PowerShell.Commands.Txt;

/// <summary>Creates an LCP_POLICY2 (and its data) from lists and elements on the pipeline.</summary>
[Cmdlet(VerbsCommon.New, "LaunchControlPolicy")]
[OutputType(typeof(LaunchControlPolicy))]
public sealed class NewLaunchControlPolicyCommand : TrustedComputeCmdlet
{
    private readonly List<LcpPolicyList> _lists = [];
    private readonly List<LcpElement> _elements = [];

    /// <summary>Policy lists, or loose elements (gathered into one unsigned list after the others).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    public PSObject[]? InputObject { get; set; }

    [Parameter]
    public LcpPolicyType PolicyType { get; set; } = LcpPolicyType.List;

    [Parameter]
    [ValidateSet("3.0", "3.1", "3.2")]
    public string Version { get; set; } = "3.2";

    [Parameter]
    public LcpHashAlgorithm HashAlgorithm { get; set; } = LcpHashAlgorithm.Sha256;

    [Parameter]
    public LcpHashAlgorithmMask HashAlgorithmMask { get; set; }

    [Parameter]
    public LcpSignAlgorithmMask SignAlgorithmMask { get; set; }

    [Parameter]
    public LcpPolicyControl PolicyControl { get; set; }

    [Parameter]
    public byte SinitMinVersion { get; set; }

    [Parameter]
    public byte MaxSinitMinVersion { get; set; } = 0xFF;

    [Parameter]
    [ValidateCount(0, 8)]
    public ushort[]? DataRevocationCounter { get; set; }

    [Parameter]
    [ValidateSet("0x200", "0x201", "0x300")]
    public string ListVersion { get; set; } = "0x300";

    protected override void ProcessRecord()
    {
        foreach (var item in InputObject ?? [])
        {
            switch (item.BaseObject)
            {
                case LcpPolicyList list: _lists.Add(list); break;
                case LcpElement element: _elements.Add(element); break;
                default:
                    WriteError(new ArgumentException($"{item.BaseObject.GetType().Name} is neither a policy list nor an element."), "NewLaunchControlPolicyInvalidInput", item);
                    break;
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_elements.Count > 0) _lists.Add(new LcpPolicyList { Version = Convert.ToUInt16(ListVersion, 16), Elements = [.. _elements] });
        var counters = new ushort[LcpPolicy.MaxLists];
        (DataRevocationCounter ?? []).CopyTo(counters, 0);
        var template = new LcpPolicy
        {
            Version = (ushort)(0x0300 | int.Parse(Version[2..], System.Globalization.CultureInfo.InvariantCulture)),
            HashAlgorithm = HashAlgorithm,
            PolicyType = PolicyType,
            SinitMinVersion = SinitMinVersion,
            MaxSinitMinVersion = MaxSinitMinVersion,
            DataRevocationCounters = counters,
            PolicyControl = PolicyControl,
            LcpHashAlgorithmMask = HashAlgorithmMask,
            LcpSignAlgorithmMask = SignAlgorithmMask,
        };
        try
        {
            template.PolicyHash = new byte[LcpHash.DigestSize(HashAlgorithm)];
            var policy = LaunchControlPolicy.Create(template, _lists);
            WriteVerbose($"Policy hash {policy.PolicyHash} over {policy.ListCount} list(s).");
            WriteObject(policy);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            ThrowTerminatingError(e, "NewLaunchControlPolicyInvalidArgument", PolicyType);
        }
    }
}
