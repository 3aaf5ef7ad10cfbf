using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using TrustedCompute.Fleet;

namespace TrustedCompute.PowerShell.Commands.Fleet;

/// <summary>
/// Sessions a cmdlet opens itself for SSH or WinRM targets (-HostName, -ComputerName), one host at a time, in the
/// caller's runspace; a host that cannot be reached is an <see cref="EvidenceCollectionException"/> with its reason.
/// </summary>
internal static class RemoteSessions
{
    public static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The targets of -HostName (SSH) or -ComputerName (WinRM), as the remoting source reaches them.</summary>
    public static IEnumerable<SweepTarget> Targets(string[]? hostName, string[]? computerName, string? userName,
        string? keyFilePath, int? port, Hashtable? options, PSCredential? credential)
    {
        var ssh = RemoteTarget.SshOptions(options);
        foreach (string host in hostName ?? []) yield return RemoteTarget.ForSsh(host, host, userName, keyFilePath, port, ssh);
        foreach (string computer in computerName ?? []) yield return RemoteTarget.ForWinRm(computer, computer, credential, port);
    }

    public static PSSession Open(PSCmdlet cmdlet, SweepTarget target)
    {
        var parameters = RemoteTarget.SessionParameters(target, OpenTimeout)
            ?? throw new ArgumentException($"{target.Name} is reached through a session already");
        try
        {
            return cmdlet.InvokeCommand.InvokeScript(false, ScriptBlock.Create("param($p) New-PSSession @p -ErrorAction Stop"),
                    null, parameters).Select(o => o.BaseObject).OfType<PSSession>().Single();
        }
        catch (RuntimeException e) { throw RemotingEvidenceSource.Classify(target, e); }
    }

    public static void Close(PSCmdlet cmdlet, PSSession session) =>
        cmdlet.InvokeCommand.InvokeScript(false, ScriptBlock.Create("param($s) Remove-PSSession $s -ErrorAction Ignore"), null, session);
}
