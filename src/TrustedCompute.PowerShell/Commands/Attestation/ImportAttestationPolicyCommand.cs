using System.Management.Automation;
using TrustedCompute.Attestation;

namespace TrustedCompute.PowerShell.Commands.Attestation;

/// <summary>Reads an attestation policy from a YAML file.</summary>
[Cmdlet(VerbsData.Import, "AttestationPolicy", DefaultParameterSetName = PathSet)]
[OutputType(typeof(AttestationPolicy))]
public sealed class ImportAttestationPolicyCommand : AttestationFileCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var file in Files("ImportAttestationPolicy"))
        {
            try { WriteObject(PolicyYaml.ReadFile(file, CancellationToken)); }
            catch (AttestationPolicyException e) { WriteError(e, "ImportAttestationPolicyInvalid", file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { WriteError(e, "ImportAttestationPolicyUnreadable", file); }
        }
    }
}
