using System.Management.Automation;
using System.Security;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Txt;

namespace TrustedCompute.PowerShell.Commands.Txt;

/// <summary>Builds a policy list from elements, optionally signing it with a PEM key file.</summary>
[Cmdlet(VerbsCommon.New, "LaunchControlPolicyList")]
[OutputType(typeof(LcpPolicyList))]
public sealed class NewLaunchControlPolicyListCommand : TrustedComputeCmdlet
{
    private readonly List<LcpElement> _elements = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public LcpElement[] Element { get; set; } = [];

    [Parameter]
    [ValidateSet("0x100", "0x200", "0x201", "0x300")]
    public string Version { get; set; } = "0x300";

    [Parameter]
    public string? KeyFilePath { get; set; }

    [Parameter]
    public SecureString? KeyPassword { get; set; }

    [Parameter]
    [ValidateSet("RsaSsa", "RsaPss")]
    public string SignatureScheme { get; set; } = "RsaPss";

    [Parameter]
    [ValidateSet("Sha1", "Sha256", "Sha384", "Sha512")]
    public string SignatureHashAlgorithm { get; set; } = "Sha256";

    [Parameter]
    public ushort RevocationCounter { get; set; }

    protected override void ProcessRecord() => _elements.AddRange(Element);

    protected override void EndProcessing()
    {
        var list = new LcpPolicyList { Version = Convert.ToUInt16(Version, 16), Elements = [.. _elements] };
        try
        {
            list.ToBytes();
            if (KeyFilePath is not null)
            {
                bool pss = SignatureScheme == "RsaPss" && list.Version == LcpPolicyList.Version300;
                ListSigner.Sign(this, list, KeyFilePath, KeyPassword, TxtArguments.Hash(SignatureHashAlgorithm), pss, RevocationCounter);
            }
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException or System.Security.Cryptography.CryptographicException)
        {
            ThrowTerminatingError(e, e is IOException or UnauthorizedAccessException ? ErrorIds.NewLaunchControlPolicyListKeyFileError : ErrorIds.NewLaunchControlPolicyListInvalidArgument, KeyFilePath);
        }
        WriteObject(list);
    }
}

/// <summary>Signing shared by the list cmdlets: the key comes only from the file the user names.</summary>
internal static class ListSigner
{
    public static void Sign(PSCmdlet cmdlet, LcpPolicyList list, string keyFilePath, SecureString? password, LcpHashAlgorithm hash, bool pss, ushort? counter)
    {
        string path = cmdlet.GetUnresolvedProviderPathFromPSPath(keyFilePath);
        if (new FileInfo(path).Length > 64 * 1024) throw new ArgumentException($"{keyFilePath} is too large to be a PEM key.");
        string pem = File.ReadAllText(path);
        TxtArguments.WithPassword(password, chars =>
        {
            LcpSigning.Sign(list, pem, hash, pss, counter, chars);
            return true;
        });
        cmdlet.WriteVerbose($"Signed the list with a {list.Signature!.KeySize}-bit {list.Signature.Scheme} key, revocation counter {list.Signature.RevocationCounter}.");
    }
}
