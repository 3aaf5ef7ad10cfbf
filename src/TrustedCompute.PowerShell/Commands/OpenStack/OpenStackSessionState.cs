using TrustedCompute.OpenStack;

namespace TrustedCompute.PowerShell.Commands.OpenStack;

/// <summary>The module's default OpenStack connection, set by Connect-OpenStack and used when -Connection is not given.</summary>
internal static class OpenStackSessionState
{
    private static readonly object Gate = new();
    private static OpenStackSession? _default;

    public static OpenStackSession? Default
    {
        get { lock (Gate) return _default; }
    }

    /// <summary>
    /// Makes <paramref name="session"/> the default. The previous one is not disposed: a caller may still hold it
    /// (Connect-OpenStack -PassThru); Disconnect-OpenStack ends a connection explicitly.
    /// </summary>
    public static void SetDefault(OpenStackSession? session)
    {
        lock (Gate) _default = session;
    }

    /// <summary>Clears the default when it is <paramref name="session"/>; true if it was.</summary>
    public static bool ClearIf(OpenStackSession session)
    {
        lock (Gate)
        {
            if (!ReferenceEquals(_default, session)) return false;
            _default = null;
            return true;
        }
    }
}
