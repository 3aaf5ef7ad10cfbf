using System.Management.Automation;
using TrustedCompute.Attestation;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.Attestation;

/// <summary>Reads evidence bundles from JSON files written by Export-AttestationEvidence.</summary>
[Cmdlet(VerbsData.Import, "AttestationEvidence", DefaultParameterSetName = PathSet)]
[OutputType(typeof(AttestationEvidence))]
public sealed class ImportAttestationEvidenceCommand : AttestationFileCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var file in Files(ErrorIds.ImportAttestationEvidencePathNotFound))
        {
            try { WriteObject(AttestationEvidence.ReadFile(file, CancellationToken)); }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                WriteError(e, e is InvalidDataException ? ErrorIds.ImportAttestationEvidenceInvalid : ErrorIds.ImportAttestationEvidenceUnreadable, file);
            }
        }
    }
}
