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

    /// <summary>Makes <paramref name="session"/> the default; the previous default is disposed.</summary>
    public static void SetDefault(OpenStackSession? session)
    {
        OpenStackSession? previous;
        lock (Gate)
        {
            previous = _default;
            _default = session;
        }
        if (previous is not null && !ReferenceEquals(previous, session)) previous.Dispose();
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
