using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;

namespace TrustedCompute.Store;

/// <summary>Creates the store's folder and file readable and writable by the current user only, before anything is written.</summary>
internal static class UserOnlyFiles
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the file (and its folder, when absent) user-only; an existing file is left as it is.</summary>
    public static void CreateFile(string path)
    {
        string folder = Path.GetDirectoryName(path) ?? throw new IOException($"{path} has no folder");
        if (!Directory.Exists(folder))
        {
            // Every folder this creates is user-only, not just the last one.
            var missing = new Stack<string>();
            for (string? f = folder; f is not null && !Directory.Exists(f); f = Path.GetDirectoryName(f)) missing.Push(f);
            foreach (string f in missing)
            {
                if (OperatingSystem.IsWindows()) CreateWindowsFolder(f);
                else Directory.CreateDirectory(f, FolderMode);
            }
        }
        if (File.Exists(path)) return;
        try
        {
            if (OperatingSystem.IsWindows()) CreateWindowsFile(path);
            else
            {
                using var stream = new FileStream(path, new FileStreamOptions
                {
                    Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode,
                });
            }
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first, the same way.
        }
    }

    [SupportedOSPlatform("windows")]
    private static void CreateWindowsFolder(string folder)
    {
        var security = new DirectorySecurity();
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        security.AddAccessRule(new FileSystemAccessRule(CurrentUser(), FileSystemRights.FullControl,
            InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit, PropagationFlags.None, AccessControlType.Allow));
        new DirectoryInfo(folder).Create(security);
    }

    [SupportedOSPlatform("windows")]
    private static void CreateWindowsFile(string path)
    {
        var security = new FileSecurity();
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        security.AddAccessRule(new FileSystemAccessRule(CurrentUser(), FileSystemRights.FullControl, AccessControlType.Allow));
        using var stream = new FileInfo(path).Create(System.IO.FileMode.CreateNew, FileSystemRights.FullControl, FileShare.ReadWrite,
            4096, FileOptions.None, security);
    }

    [SupportedOSPlatform("windows")]
    private static SecurityIdentifier CurrentUser()
    {
        using var identity = WindowsIdentity.GetCurrent();
        return identity.User ?? throw new UnauthorizedAccessException("The current Windows user has no security identifier");
    }
}
