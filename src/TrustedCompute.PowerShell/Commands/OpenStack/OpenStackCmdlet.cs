using System.Management.Automation;
using TrustedCompute.OpenStack;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.OpenStack;

/// <summary>
/// Base of the OpenStack cmdlets that talk to a cloud: -Connection, else the default from Connect-OpenStack, else a
/// connection made from OS_CLOUD / OS_* variables as openstackclient would.
/// </summary>
public abstract class OpenStackCmdlet : TrustedComputeCmdlet
{
    public const string AuthenticationFailedId = ErrorIds.OpenStackAuthenticationFailed;

    /// <summary>Said whenever configuration (not -SkipCertificateCheck) turns TLS certificate verification off.</summary>
    internal const string UnverifiedWarning =
        "TLS certificate verification is off (OS_INSECURE, or verify/insecure in clouds.yaml); give -CACertificatePath to verify.";

    /// <summary>The connection to use (from Connect-OpenStack -PassThru); default: the module's connection.</summary>
    [Parameter]
    public OpenStackSession? Connection { get; set; }

    private OpenStackDebugTrace? _trace;

    private OpenStackDebugTrace DebugTrace => _trace ??= new OpenStackDebugTrace(this);

    /// <summary>The session to use, with -Debug showing its HTTP calls.</summary>
    protected OpenStackSession ResolveSession()
    {
        var session = FindSession();
        DebugTrace.Attach(session);
        return session;
    }

    private OpenStackSession FindSession()
    {
        if (Connection is not null) return Connection;
        if (OpenStackSessionState.Default is { } current) return current;
        var environment = OpenStackCloudLoader.ProcessEnvironment();
        if (!environment.ContainsKey("OS_CLOUD") && !environment.ContainsKey("OS_AUTH_URL"))
        {
            ThrowTerminatingError(new InvalidOperationException(
                "Not connected to OpenStack: run Connect-OpenStack, or set OS_CLOUD or the OS_* variables."), ErrorIds.OpenStackNotConnected, null);
        }
        OpenStackSession session;
        try
        {
            session = new OpenStackSession(OpenStackCloudLoader.Load(null, environment));
            WriteVerbose($"Connecting from the environment: {session.Cloud}");
            if (session.Cloud.SkipCertificateCheck) WriteWarning(UnverifiedWarning);
            DebugTrace.Attach(session);
            Await(session.AuthenticateAsync(CancellationToken));
        }
        catch (Exception ex) when (ex is OpenStackException or ArgumentException or IOException or KeyNotFoundException
                                       or System.Security.Cryptography.CryptographicException)
        {
            ThrowTerminatingError(ex, ErrorId(ex, ErrorIds.OpenStackConnectFailed), null);
            throw;
        }
        OpenStackSessionState.SetDefault(session);
        return session;
    }

    /// <summary>The stable error id: authentication failures share one id across all cmdlets.</summary>
    protected static string ErrorId(Exception exception, string fallback) =>
        exception is OpenStackAuthenticationException ? AuthenticationFailedId : fallback;

    /// <summary>Errors that are about one target and leave the pipeline running.</summary>
    protected static bool IsTargetError(Exception ex) =>
        ex is OpenStackException or KeyNotFoundException or ArgumentException or InvalidDataException;

    /// <summary>Waits for a Core call on the pipeline thread, then writes the HTTP calls it made (-Debug).</summary>
    protected T Await<T>(Task<T> task)
    {
        try { return task.GetAwaiter().GetResult(); }
        finally { FlushDebug(); }
    }

    protected void Await(Task task)
    {
        try { task.GetAwaiter().GetResult(); }
        finally { FlushDebug(); }
    }

    /// <summary>Writes the HTTP calls made since the last flush as debug records (pipeline thread only).</summary>
    protected void FlushDebug() => _trace?.Flush();
}
