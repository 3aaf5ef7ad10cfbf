using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.Attestation;

/// <summary>Writes an attestation policy as YAML.</summary>
[Cmdlet(VerbsData.Export, "AttestationPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportAttestationPolicyCommand : TrustedComputeCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public AttestationPolicy Policy { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        string target = GetUnresolvedProviderPathFromPSPath(Path);
        if (File.Exists(target) && !Force)
        {
            WriteError(new IOException($"{target} exists; use -Force to overwrite it"), ErrorIds.ExportAttestationPolicyFileExists, target);
            return;
        }
        string yaml;
        try { yaml = PolicyYaml.Serialize(Policy.Snapshot()); }
        catch (AttestationPolicyException e)
        {
            WriteError(e, ErrorIds.ExportAttestationPolicyInvalid, Policy);
            return;
        }
        if (!ShouldProcess(target, "Write the attestation policy")) return;
        try
        {
            File.WriteAllText(target, yaml);
            if (PassThru) WriteObject(new FileInfo(target));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(e, ErrorIds.ExportAttestationPolicyWriteFailed, target);
        }
    }
}
