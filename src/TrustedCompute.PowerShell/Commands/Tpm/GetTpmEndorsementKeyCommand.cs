using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Tpm;

/// <summary>Gets the endorsement key made from its TCG template, its certificate from NV, and whether they match.</summary>
[Cmdlet(VerbsCommon.Get, "TpmEndorsementKey")]
[OutputType(typeof(EndorsementKeyInfo))]
public sealed class GetTpmEndorsementKeyCommand : TpmCmdlet
{
    /// <summary>Templates to use; default: RSA-2048 and every other template whose certificate index exists.</summary>
    [Parameter(Position = 0)]
    public EndorsementKeyType[]? KeyType { get; set; }

    protected override void ProcessRecord() => RunTpm(ErrorIds.GetTpmEndorsementKeyFailed, Tpm, tpm =>
    {
        var types = KeyType ?? DefaultTypes(tpm);
        var keys = types.Select(type => TpmOperations.GetEndorsementKey(tpm, type, CancellationToken)).ToList();
        foreach (var ek in keys)
        {
            if (ek.Certificate is null) WriteVerbose($"No EK certificate in NV index 0x{ek.CertificateIndex:X8} for {ek.KeyType}");
            else if (ek.CertificateMatchesKey == false)
                WriteWarning($"The certificate in NV index 0x{ek.CertificateIndex:X8} is not for the {ek.KeyType} EK this TPM makes");
        }
        return keys;
    });

    private EndorsementKeyType[] DefaultTypes(TpmClient tpm)
    {
        var indexes = tpm.GetHandles(TpmHandles.NvIndexFirst, CancellationToken).ToHashSet();
        return Enum.GetValues<EndorsementKeyType>()
            .Where(t => t == EndorsementKeyType.Rsa2048 || indexes.Contains(TpmTemplates.CertificateIndex(t)))
            .ToArray();
    }
}
