using System.Collections;
using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Txt;

namespace TrustedCompute.PowerShell.Commands.Txt;

/// <summary>Creates an MLE, PCONF, SBIOS, STM or CUSTOM policy element.</summary>
[Cmdlet(VerbsCommon.New, "LaunchControlPolicyElement")]
[OutputType(typeof(LcpMleElement), typeof(LcpPconfElement), typeof(LcpSbiosElement), typeof(LcpStmElement), typeof(LcpCustomElement))]
public sealed class NewLaunchControlPolicyElementCommand : TrustedComputeCmdlet
{
    private readonly List<byte[]> _hashes = [];
    private readonly SortedDictionary<int, byte[]> _pcrs = [];
    private readonly List<string> _paths = [];

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateSet("Mle", "Pconf", "Sbios", "Stm", "Custom")]
    public string Type { get; set; } = "";

    /// <summary>Hashes (hex strings or bytes), PCR objects with Index and Value, or files.</summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject[]? InputObject { get; set; }

    [Parameter]
    [Alias("Digest")]
    public string[]? Hash { get; set; }

    [Parameter]
    public string[]? Path { get; set; }

    [Parameter]
    public string? CommandLine { get; set; }

    [Parameter]
    [ValidateSet("Sha1", "Sha256", "Sha384", "Sha512")]
    public string HashAlgorithm { get; set; } = "Sha256";

    [Parameter]
    public SwitchParameter Legacy { get; set; }

    [Parameter]
    public byte SinitMinVersion { get; set; }

    [Parameter]
    public IDictionary? PcrValue { get; set; }

    [Parameter]
    [Alias("Pcr")]
    [PcrIndexTransformation]
    [ValidateRange(0, 23)]
    public int[]? PcrIndex { get; set; }

    [Parameter]
    public byte Locality { get; set; } = 0x1F;

    [Parameter]
    public string? FallbackHash { get; set; }

    [Parameter]
    public string Uuid { get; set; } = LcpCustomElement.TbootUuid;

    [Parameter]
    public byte[]? Data { get; set; }

    [Parameter]
    public uint Control { get; set; }

    private LcpHashAlgorithm Algorithm => Legacy ? LcpHashAlgorithm.Sha1 : TxtArguments.Hash(HashAlgorithm);

    protected override void BeginProcessing()
    {
        if (Legacy && Type is not ("Mle" or "Pconf"))
        {
            ThrowTerminatingError(new ArgumentException("-Legacy applies to Mle and Pconf elements only."), ErrorIds.NewLaunchControlPolicyElementInvalidArgument, Type);
        }
        if (Legacy && MyInvocation.BoundParameters.ContainsKey(nameof(HashAlgorithm)) && HashAlgorithm != "Sha1")
        {
            ThrowTerminatingError(new ArgumentException("Legacy elements hold SHA-1 values only."), ErrorIds.NewLaunchControlPolicyElementInvalidArgument, HashAlgorithm);
        }
    }

    protected override void ProcessRecord()
    {
        foreach (var item in InputObject ?? [])
        {
            try
            {
                switch (item.BaseObject)
                {
                    case FileSystemInfo file:
                        _paths.Add(file.FullName);
                        break;
                    case string or byte[]:
                        _hashes.Add(TxtArguments.Bytes(item.BaseObject, "Hash"));
                        break;
                    default:
                        if (!TxtArguments.TryPcr(item, out int index, out var value, out var bank))
                        {
                            throw new ArgumentException($"Pipeline input {item.BaseObject.GetType().Name} is neither a hash, a file nor a PCR value (Index, Value).");
                        }
                        if (bank is null || bank == Algorithm) _pcrs[index] = value;
                        break;
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                WriteError(e, ErrorIds.NewLaunchControlPolicyElementInvalidInput, item);
            }
        }
    }

    protected override void EndProcessing()
    {
        try
        {
            var element = Build();
            WriteObject(element);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            ThrowTerminatingError(e, e is IOException or UnauthorizedAccessException ? ErrorIds.NewLaunchControlPolicyElementFileError : ErrorIds.NewLaunchControlPolicyElementInvalidArgument, Type);
        }
    }

    private LcpElement Build()
    {
        foreach (var hash in Hash ?? []) _hashes.Add(LcpHash.ParseHex(hash));
        var files = (Path ?? []).SelectMany(p => GetResolvedProviderPathFromPSPath(p, out _)).Concat(_paths).ToList();
        switch (Type)
        {
            case "Mle":
                foreach (var file in files)
                {
                    WriteVerbose($"Measuring MLE image {file}");
                    _hashes.Add(MleHash.Compute(LcpFileBytes(file, 256 << 20), CommandLine, Algorithm));
                }
                return new LcpMleElement { Legacy = Legacy, HashAlgorithm = Algorithm, SinitMinVersion = SinitMinVersion, Hashes = RequireHashes(), Control = Control };
            case "Pconf":
                TxtArguments.AddPcrValues(PcrValue, _pcrs);
                var selected = new SortedDictionary<int, byte[]>();
                foreach (int pcr in PcrIndex ?? [.. _pcrs.Keys])
                {
                    selected[pcr] = _pcrs.TryGetValue(pcr, out var v) ? v : throw new ArgumentException($"No {Algorithm} value was given for PCR {pcr}.");
                }
                if (selected.Count == 0) throw new ArgumentException("A PCONF element needs PCR values (-PcrValue, or Get-TpmPcr output on the pipeline).");
                var info = Legacy ? LcpPcr.CreateLegacyPcrInfo(selected, Locality) : LcpPcr.CreatePcrInfo(Algorithm, selected);
                return new LcpPconfElement { Legacy = Legacy, HashAlgorithm = Algorithm, PcrInfos = [info], Control = Control };
            case "Sbios":
                var fallback = FallbackHash is null ? new byte[LcpHash.DigestSize(Algorithm)] : LcpHash.ParseHex(FallbackHash);
                return new LcpSbiosElement { HashAlgorithm = Algorithm, FallbackHash = fallback, Hashes = RequireHashes(), Control = Control };
            case "Stm":
                return new LcpStmElement { HashAlgorithm = Algorithm, Hashes = RequireHashes(), Control = Control };
            default:
                if (Data is not null && files.Count > 0) throw new ArgumentException("Give the custom data with -Data or -Path, not both.");
                if (files.Count > 1) throw new ArgumentException("A custom element takes one data file.");
                var data = Data ?? (files.Count == 1 ? LcpFileBytes(files[0], 1 << 20) : throw new ArgumentException("A custom element needs -Data or -Path."));
                LcpUuid.ToBytes(Uuid);
                return new LcpCustomElement { Uuid = Uuid.ToLowerInvariant(), Data = data, Control = Control };
        }
    }

    private List<byte[]> RequireHashes()
    {
        if (_hashes.Count == 0) throw new ArgumentException($"A {Type} element needs at least one hash (-Hash, -Path or pipeline input).");
        return [.. _hashes];
    }

    private static byte[] LcpFileBytes(string path, long max)
    {
        var info = new FileInfo(path);
        if (info.Length > max) throw new ArgumentException($"{path} is larger than {max >> 20} MiB.");
        return File.ReadAllBytes(path);
    }
}
