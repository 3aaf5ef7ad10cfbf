using Xunit;

namespace TrustedCompute.Tests.Env;

/// <summary>Where the repository, the shared test data and the test-environment scripts are.</summary>
public static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>../shared/testdata beside the checkout; null when absent (tests then skip).</summary>
    public static string? SharedTestData
    {
        get
        {
            string path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "testdata"));
            return Directory.Exists(path) ? path : null;
        }
    }

    /// <summary>A file under ../shared/testdata, skipping the calling test when it is absent.</summary>
    public static string Shared(params string[] parts)
    {
        Skip.If(SharedTestData is null, "../shared/testdata is not present");
        string path = Path.Combine([SharedTestData!, .. parts]);
        Skip.IfNot(File.Exists(path) || Directory.Exists(path), $"{path} is not present");
        return path;
    }

    public static string EnvScript(string name) => Path.Combine(RepositoryRoot, "tests", "env", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TrustedCompute.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("TrustedCompute.sln not found above " + AppContext.BaseDirectory);
    }
}
