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
    [ValidateSet("List", "Any")]
    public string PolicyType { get; set; } = "List";

    [Parameter]
    [ValidateSet("3.0", "3.1", "3.2")]
    public string Version { get; set; } = "3.2";

    [Parameter]
    [ValidateSet("Sha1", "Sha256", "Sha384", "Sha512")]
    public string HashAlgorithm { get; set; } = "Sha256";

    /// <summary>Hash algorithms SINIT may use for LCP evaluation; derived from the policy and elements when absent.</summary>
    [Parameter]
    [ValidateSet("Sha1", "Sha256", "Sha384", "Sha512", "Sm3_256")]
    public string[]? HashAlgorithmMask { get; set; }

    /// <summary>Allowed list signature algorithms; derived from the signed lists when absent.</summary>
    [Parameter]
    [ValidateSet("Rsa2048Sha1", "Rsa2048Sha256", "Rsa3072Sha256", "Rsa3072Sha384", "EcdsaP256", "EcdsaP384", "Sm2")]
    public string[]? SignAlgorithmMask { get; set; }

    /// <summary>AuxHashAlgMask (auto-promotion hashes; reserved in 3.2).</summary>
    [Parameter]
    [ValidateSet("Sha1", "Sha256", "Sha384", "Sha512", "Sm3_256")]
    public string[]? AuxHashAlgorithmMask { get; set; }

    [Parameter]
    [ValidateSet("NpwAllowed", "SinitCapabilitiesInPcr17", "OwnerEnforced")]
    public string[]? PolicyControl { get; set; }

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

    private static T Flags<T>(string[]? names) where T : struct, Enum =>
        (T)Enum.ToObject(typeof(T), (names ?? []).Aggregate(0UL, (acc, n) => acc | Convert.ToUInt64(Enum.Parse<T>(n, true), System.Globalization.CultureInfo.InvariantCulture)));

    protected override void ProcessRecord()
    {
        foreach (var item in InputObject ?? [])
        {
            switch (item.BaseObject)
            {
                case LcpPolicyList list: _lists.Add(list); break;
                case LcpElement element: _elements.Add(element); break;
                default:
                    WriteError(new ArgumentException($"{item.BaseObject.GetType().Name} is neither a policy list nor an element."), ErrorIds.NewLaunchControlPolicyInvalidInput, item);
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
            HashAlgorithm = TxtArguments.Hash(HashAlgorithm),
            PolicyType = Enum.Parse<LcpPolicyType>(PolicyType),
            SinitMinVersion = SinitMinVersion,
            MaxSinitMinVersion = MaxSinitMinVersion,
            DataRevocationCounters = counters,
            PolicyControl = Flags<LcpPolicyControl>(PolicyControl),
            LcpHashAlgorithmMask = Flags<LcpHashAlgorithmMask>(HashAlgorithmMask),
            LcpSignAlgorithmMask = Flags<LcpSignAlgorithmMask>(SignAlgorithmMask),
            AuxHashAlgorithmMask = (ushort)Flags<LcpHashAlgorithmMask>(AuxHashAlgorithmMask),
        };
        try
        {
            template.PolicyHash = new byte[LcpHash.DigestSize(template.HashAlgorithm)];
            var policy = LaunchControlPolicy.Create(template, _lists);
            WriteObject(policy);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            ThrowTerminatingError(e, ErrorIds.NewLaunchControlPolicyInvalidArgument, PolicyType);
        }
    }
}
