using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using TrustedCompute.Fleet;
using TrustedCompute.PowerShell.Commands.Tpm;

namespace TrustedCompute.PowerShell.Commands.Fleet;

/// <summary>
/// A TPM command that also reaches remote hosts itself: SSH (-HostName, declared by the command, with the SSH
/// parameters here) or WinRM (-ComputerName, -Credential). It opens a session to each host, uses it and closes it.
/// </summary>
public abstract class RemoteHostCmdlet : TpmCmdlet
{
    protected const string SshSet = "SSHHost";
    protected const string WinRmSet = "ComputerName";

    [Parameter(ParameterSetName = SshSet)]
    [ValidateNotNullOrEmpty]
    public string? UserName { get; set; }

    [Parameter(ParameterSetName = SshSet)]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    [Parameter(ParameterSetName = SshSet)]
    [Parameter(ParameterSetName = WinRmSet)]
    [ValidateRange(1, 65535)]
    public int? Port { get; set; }

    [Parameter(ParameterSetName = SshSet)]
    [ValidateNotNull]
    public Hashtable? Options { get; set; }

    /// <summary>WinRM targets (Windows remoting).</summary>
    [Parameter(Mandatory = true, ParameterSetName = WinRmSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Cn")]
    [ValidateNotNullOrEmpty]
    public string[] ComputerName { get; set; } = [];

    /// <summary>The WinRM credential; used to connect and never written anywhere.</summary>
    [Parameter(ParameterSetName = WinRmSet)]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>The SSH targets (-HostName) of the command.</summary>
    protected abstract string[]? SshHostNames { get; }

    protected bool IsRemoteHostSet => ParameterSetName is SshSet or WinRmSet;

    /// <summary>
    /// For each target: <paramref name="confirm"/>, a new session, <paramref name="work"/>, the session closed. A host
    /// that cannot be reached is a non-terminating error with <paramref name="errorId"/> and its reason; the rest go on.
    /// </summary>
    protected void ForEachNewSession(string errorId, Func<SweepTarget, bool> confirm, Action<SweepTarget, PSSession> work)
    {
        string? key = KeyFilePath is null ? null : GetUnresolvedProviderPathFromPSPath(KeyFilePath);
        List<SweepTarget> targets;
        try
        {
            targets = RemoteSessions.Targets(ParameterSetName == SshSet ? SshHostNames : null, ComputerName, UserName, key, Port,
                Options, Credential).ToList();
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(e, errorId, Options);
            return;
        }
        foreach (var target in targets)
        {
            if (CancellationToken.IsCancellationRequested) return;
            if (!confirm(target)) continue;
            PSSession session;
            try { session = RemoteSessions.Open(this, target); }
            catch (EvidenceCollectionException e)
            {
                WriteError(e, errorId, target.Name);
                continue;
            }
            try { work(target, session); }
            finally { RemoteSessions.Close(this, session); }
        }
    }
}
