using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace TrustedCompute.PowerShell.Infrastructure;

/// <summary>
/// Loads TrustedCompute.Core and its third-party packages from the module's dependencies/ folder into a
/// private AssemblyLoadContext, so another module's older YamlDotNet (or pwsh's own pins) never clash with ours.
/// Only this cmdlet assembly lives in the default context.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string DependencyFolder = Path.Combine(
        Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "dependencies");

    private static readonly DependencyLoadContext Context = new(DependencyFolder);

    private static int _registered;

    /// <summary>Hooks resolution of TrustedCompute.Core; TrustedCompute.psm1 calls it before the cmdlets are scanned.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0) AssemblyLoadContext.Default.Resolving += ResolveCore;
    }

    public void OnImport() => Register();

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        if (Interlocked.Exchange(ref _registered, 0) == 1) AssemblyLoadContext.Default.Resolving -= ResolveCore;
    }

    private static Assembly? ResolveCore(AssemblyLoadContext defaultContext, AssemblyName name) =>
        name.Name == "TrustedCompute.Core" ? Context.LoadFromAssemblyName(name) : null;

    private sealed class DependencyLoadContext(string folder) : AssemblyLoadContext("TrustedCompute", isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName name)
        {
            string path = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        // Native libraries (SQLite's e_sqlite3) ship as runtimes/<rid>/native/<platform file name>.
        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            foreach (string path in NativeCandidates(unmanagedDllName))
            {
                if (File.Exists(path)) return LoadUnmanagedDllFromPath(path);
            }
            return IntPtr.Zero;
        }

        private IEnumerable<string> NativeCandidates(string name)
        {
            string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            string architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            string native = Path.Combine(folder, "runtimes", $"{os}-{architecture}", "native");
            string file = Path.HasExtension(name) ? name
                : OperatingSystem.IsWindows() ? name + ".dll"
                : OperatingSystem.IsMacOS() ? $"lib{name}.dylib" : $"lib{name}.so";
            yield return Path.Combine(native, file);
            yield return Path.Combine(native, name);
            yield return Path.Combine(folder, name);
        }
    }
}
