using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.Attestation;

/// <summary>Reads an attestation policy from a YAML file.</summary>
[Cmdlet(VerbsData.Import, "AttestationPolicy", DefaultParameterSetName = PathSet)]
[OutputType(typeof(AttestationPolicy))]
public sealed class ImportAttestationPolicyCommand : AttestationFileCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var file in Files(ErrorIds.ImportAttestationPolicyPathNotFound))
        {
            try { WriteObject(PolicyYaml.ReadFile(file, CancellationToken)); }
            catch (AttestationPolicyException e) { WriteError(e, ErrorIds.ImportAttestationPolicyInvalid, file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { WriteError(e, ErrorIds.ImportAttestationPolicyUnreadable, file); }
        }
    }
}
