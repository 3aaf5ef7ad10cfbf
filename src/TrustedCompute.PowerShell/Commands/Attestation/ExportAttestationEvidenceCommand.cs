using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.Attestation;

/// <summary>Writes evidence bundles to JSON files: to -Path, or one file per host when -Path is a folder.</summary>
[Cmdlet(VerbsData.Export, "AttestationEvidence", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportAttestationEvidenceCommand : TrustedComputeCmdlet
{
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object InputObject { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        AttestationEvidence evidence;
        try { evidence = AttestationInput.ToEvidence(InputObject); }
        catch (InvalidDataException e)
        {
            WriteError(e, ErrorIds.ExportAttestationEvidenceInvalid, InputObject);
            return;
        }
        string target = GetUnresolvedProviderPathFromPSPath(Path);
        if (Directory.Exists(target))
        {
            string name = string.Concat((evidence.HostName.Length > 0 ? evidence.HostName : "host").Select(c => char.IsLetterOrDigit(c) || c is '-' or '.' ? c : '_'));
            target = System.IO.Path.Combine(target, $"{name}-{evidence.CollectedAt:yyyyMMddTHHmmssfff}.evidence.json");
        }
        if (_written.Contains(target) || File.Exists(target) && !Force)
        {
            WriteError(new IOException($"{target} exists; use -Force to overwrite it, or give a folder as -Path"), ErrorIds.ExportAttestationEvidenceFileExists, target);
            return;
        }
        if (!ShouldProcess(target, $"Write the evidence of {evidence.HostName}")) return;
        try
        {
            evidence.WriteFile(target);
            _written.Add(target);
            if (PassThru) WriteObject(new FileInfo(target));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(e, ErrorIds.ExportAttestationEvidenceWriteFailed, target);
        }
    }
}
