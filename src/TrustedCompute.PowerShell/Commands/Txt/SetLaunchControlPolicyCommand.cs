using System.Management.Automation;
using System.Security;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;
using TrustedCompute.Txt;

namespace TrustedCompute.PowerShell.Commands.Txt;

/// <summary>Installs a launch control policy into the TPM's platform-owner NV index, defining it when needed.</summary>
[Cmdlet(VerbsCommon.Set, "LaunchControlPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "InputObject")]
[OutputType(typeof(LcpNvWriteResult))]
public sealed class SetLaunchControlPolicyCommand : TrustedComputeCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = "InputObject")]
    public LaunchControlPolicy InputObject { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = "Path")]
    public string Path { get; set; } = "";

    /// <summary>The owner hierarchy authorization; empty when not given.</summary>
    [Parameter]
    public SecureString? OwnerAuthorization { get; set; }

    /// <summary>The owner hierarchy authorization as a credential (its password is used).</summary>
    [Parameter]
    [Credential]
    public PSCredential? OwnerCredential { get; set; }

    /// <summary>Writes the legacy PO index 0x01400001 instead of 0x01C10106.</summary>
    [Parameter]
    public SwitchParameter Legacy { get; set; }

    /// <summary>Undefines and defines again an index too small for the policy.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>swtpm:host=H,port=P | device:/dev/tpmrm0 | tbs: ; default $env:TRUSTEDCOMPUTE_TPM, else this machine's TPM.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Transport")]
    public string? Tpm { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing()
    {
        if (OwnerAuthorization is not null && OwnerCredential is not null)
        {
            ThrowTerminatingError(new ArgumentException("Give the owner authorization with -OwnerAuthorization or -OwnerCredential, not both."), ErrorIds.SetLaunchControlPolicyInvalidArgument, null);
        }
    }

    protected override void ProcessRecord()
    {
        LcpNvDefinition? nv = null;
        try
        {
            var lcp = ParameterSetName == "Path"
                ? LcpFiles.Read(GetUnresolvedProviderPathFromPSPath(Path)) as LaunchControlPolicy ?? throw new ArgumentException($"{Path} is not a policy (.pol) file.")
                : InputObject;
            nv = LcpNvDefinition.ForPlatformOwner(lcp.Policy, Legacy);
            string target = $"NV index 0x{nv.Index:X8} on {TrustedCompute.Tpm.Transport.TpmTransportFactory.Resolve(Tpm)}";
            if (!ShouldProcess(target, $"Write the {nv.Size}-byte launch control policy {lcp.PolicyHash}")) return;
            var secret = OwnerCredential?.Password ?? OwnerAuthorization;
            LcpNvWriteResult result;
            using (var tpm = TpmClient.Open(Tpm))
            {
                result = WithAuth(secret, auth => LcpNvStore.Write(tpm, nv, auth, Force, CancellationToken));
            }
            WriteVerbose($"{(result.Defined ? "Defined and wrote" : "Wrote")} {target}; attributes 0x{result.Attributes:X8}");
            if (PassThru) WriteObject(result);
        }
        catch (FormatException e)
        {
            WriteError(e, ErrorIds.SetLaunchControlPolicyInvalid, Target(nv));
        }
        catch (InvalidOperationException e)
        {
            WriteError(e, ErrorIds.SetLaunchControlPolicyIndexTooSmall, Target(nv));
        }
        catch (Exception e) when (e is TpmException or TpmTransportException or TpmProtocolException or IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            WriteError(e, ErrorIds.SetLaunchControlPolicyTpmError, Target(nv));
        }
    }

    private static object? Target(LcpNvDefinition? nv) => nv is null ? null : $"0x{nv.Index:X8}";

    private static T WithAuth<T>(SecureString? secret, Func<byte[], T> use) => TxtArguments.WithPassword(secret, chars =>
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(chars);
        try
        {
            return use(bytes);
        }
        finally
        {
            Array.Clear(bytes);
        }
    });
}
