using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using TrustedCompute.Fleet;

namespace TrustedCompute.PowerShell.Commands.Fleet;

public enum RemoteTransport { Ssh, WinRm, Session }

/// <summary>How the remoting source reaches one host: an open PSSession, SSH, or WinRM (with a credential).</summary>
internal sealed record RemoteTarget(RemoteTransport Transport)
{
    public PSSession? Session { get; init; }
    /// <summary>WinRM credential; stays in memory, never in a message or the store.</summary>
    public PSCredential? Credential { get; init; }

    public static SweepTarget ForSession(PSSession session, string? name = null) =>
        new(name ?? session.ComputerName) { Handle = new RemoteTarget(RemoteTransport.Session) { Session = session } };

    public static SweepTarget ForSsh(string name, string address, string? user, string? keyFile, int? port,
        IReadOnlyDictionary<string, string> options) =>
        new(name)
        {
            Address = address, UserName = user, KeyFilePath = keyFile, Port = port, Options = options,
            Handle = new RemoteTarget(RemoteTransport.Ssh),
        };

    public static SweepTarget ForWinRm(string name, string computer, PSCredential? credential, int? port) =>
        new(name) { Address = computer, Port = port, Handle = new RemoteTarget(RemoteTransport.WinRm) { Credential = credential } };

    /// <summary>SSH -o options from a hashtable: names of letters and digits, one-line values.</summary>
    public static Dictionary<string, string> SshOptions(Hashtable? options)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry e in options ?? [])
        {
            string key = e.Key?.ToString() ?? "";
            string value = LanguagePrimitives.ConvertTo<string>(e.Value) ?? "";
            if (key.Length == 0 || !key.All(char.IsAsciiLetterOrDigit) || value.Any(char.IsControl))
                throw new ArgumentException($"-Options: '{key}' is not an SSH option name with a one-line value");
            result[key] = value;
        }
        return result;
    }

    /// <summary>
    /// Time to set up the SSH connection: half the host's timeout, at most 15 s, so that a host that does not answer
    /// is told apart (unreachable) from one that hangs once connected (timeout).
    /// </summary>
    public static TimeSpan ConnectingTimeout(TimeSpan timeout) =>
        TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 2, 1000, 15_000));

    /// <summary>The New-PSSession parameters for this target (none for an open session).</summary>
    public static Hashtable? SessionParameters(SweepTarget target, TimeSpan timeout)
    {
        var remote = target.Handle as RemoteTarget ?? new RemoteTarget(RemoteTransport.Ssh);
        if (remote.Transport == RemoteTransport.Session) return null;
        var p = new Hashtable();
        if (remote.Transport == RemoteTransport.Ssh)
        {
            p["HostName"] = target.ConnectTo;
            if (target.UserName is not null) p["UserName"] = target.UserName;
            if (target.KeyFilePath is not null) p["KeyFilePath"] = target.KeyFilePath;
            if (target.Port is { } port) p["Port"] = port;
            var options = new Hashtable(StringComparer.OrdinalIgnoreCase) { ["BatchMode"] = "yes" };
            foreach (var (key, value) in target.Options) options[key] = value;
            p["Options"] = options;
            p["ConnectingTimeout"] = (int)ConnectingTimeout(timeout).TotalMilliseconds;
        }
        else
        {
            p["ComputerName"] = target.ConnectTo;
            if (remote.Credential is not null) p["Credential"] = remote.Credential;
            if (target.Port is { } port) p["Port"] = port;
        }
        return p;
    }
}
