using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.Attestation;

/// <summary>Tells whether policy files are valid; the reason a file is not is written as a warning.</summary>
[Cmdlet(VerbsDiagnostic.Test, "AttestationPolicy", DefaultParameterSetName = PathSet)]
[OutputType(typeof(bool))]
public sealed class TestAttestationPolicyCommand : AttestationFileCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var file in Files(ErrorIds.TestAttestationPolicyPathNotFound))
        {
            try
            {
                PolicyYaml.ReadFile(file, CancellationToken);
                WriteObject(true);
            }
            catch (Exception e) when (e is AttestationPolicyException or IOException or UnauthorizedAccessException)
            {
                WriteWarning($"{file}: {e.Message}");
                WriteObject(false);
            }
        }
    }
}
