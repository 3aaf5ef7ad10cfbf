using System.Management.Automation;
using System.Security;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Txt;

namespace TrustedCompute.PowerShell.Commands.Txt;

/// <summary>Signs (or re-signs) a policy list; the revocation counter only moves up.</summary>
[Cmdlet(VerbsCommon.Set, "LaunchControlPolicyListSignature", SupportsShouldProcess = true)]
[OutputType(typeof(LcpPolicyList))]
public sealed class SetLaunchControlPolicyListSignatureCommand : TrustedComputeCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public LcpPolicyList List { get; set; } = null!;

    [Parameter(Mandatory = true)]
    public string KeyFilePath { get; set; } = "";

    [Parameter]
    public SecureString? KeyPassword { get; set; }

    [Parameter]
    [ValidateSet("RsaSsa", "RsaPss")]
    public string SignatureScheme { get; set; } = "RsaPss";

    [Parameter]
    [ValidateSet("Sha1", "Sha256", "Sha384", "Sha512")]
    public string SignatureHashAlgorithm { get; set; } = "Sha256";

    /// <summary>Without it a signed list gets its old counter + 1, an unsigned one 0.</summary>
    [Parameter]
    public ushort? RevocationCounter { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"list 0x{List.Version:X3} with {List.Elements.Count} elements", $"Sign with {KeyFilePath}")) return;
        try
        {
            bool pss = SignatureScheme == "RsaPss" && List.Version == LcpPolicyList.Version300;
            ListSigner.Sign(this, List, KeyFilePath, KeyPassword, TxtArguments.Hash(SignatureHashAlgorithm), pss, RevocationCounter);
            if (PassThru) WriteObject(List);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException or System.Security.Cryptography.CryptographicException)
        {
            WriteError(e, e is IOException or UnauthorizedAccessException ? ErrorIds.SetLaunchControlPolicyListSignatureKeyFileError : ErrorIds.SetLaunchControlPolicyListSignatureInvalidArgument, List);
        }
    }
}
