using System.Management.Automation;
using TrustedCompute.OpenStack;

namespace TrustedCompute.PowerShell.Commands.OpenStack;

/// <summary>Revokes the connection's token at Keystone and forgets the connection.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "OpenStack", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class DisconnectOpenStackCommand : Infrastructure.TrustedComputeCmdlet
{
    /// <summary>The connection to end; default: the module's connection.</summary>
    [Parameter(ValueFromPipeline = true)]
    public OpenStackSession? Connection { get; set; }

    protected override void ProcessRecord()
    {
        var session = Connection ?? OpenStackSessionState.Default;
        if (session is null)
        {
            WriteVerbose("Not connected to OpenStack.");
            return;
        }
        if (!ShouldProcess(session.Cloud.ToString(), "Revoke the token and disconnect")) return;
        try
        {
            session.RevokeAsync(CancellationToken).GetAwaiter().GetResult();
        }
        catch (OpenStackException ex)
        {
            WriteWarning("The token could not be revoked (it expires on its own): " + ex.Message);
        }
        OpenStackSessionState.ClearIf(session);
        session.Dispose();
    }
}
