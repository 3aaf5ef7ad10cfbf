namespace TrustedCompute.Fuzz;

/// <summary>
/// One parser of untrusted bytes, fed whatever the fuzzer makes. <see cref="Run"/> may let out only the exceptions
/// <see cref="IsDocumented"/> accepts (the parser's documented ones for bad input); anything else is a crash.
/// A new target is one new file: a sealed subclass with a parameterless constructor, found by <see cref="FuzzTargets"/>.
/// </summary>
public abstract class FuzzTarget
{
    /// <summary>The name used on the command line and as the folder under tests/fuzz/corpus and crashes.</summary>
    public abstract string Name { get; }

    /// <summary>What the target exercises, for listings.</summary>
    public abstract string Description { get; }

    /// <summary>True for an exception the parser documents for malformed input.</summary>
    public abstract bool IsDocumented(Exception exception);

    public abstract void Run(byte[] input);

    /// <summary>Seeds built by the project's own writers (no files needed).</summary>
    public virtual IEnumerable<(string Name, byte[] Bytes)> GeneratedSeeds() => [];

    /// <summary>Seed files under ../shared/testdata (paths relative to it, '*' allowed in the file name).</summary>
    public virtual IReadOnlyList<string> SharedSeeds => [];

    /// <summary>The input a shared seed file makes (e.g. with the selector byte a target's input starts with).</summary>
    public virtual byte[] InputFromSharedFile(string path) => File.ReadAllBytes(path);

    /// <summary>Bytes one input may make the parser allocate before it counts as a crash (memory blow-up).</summary>
    public virtual long MemoryCap => 64L << 20;
}

/// <summary>A target exceeded its per-input allocation cap (<see cref="FuzzTarget.MemoryCap"/>).</summary>
public sealed class FuzzMemoryCapException(string message) : Exception(message);

/// <summary>Every target in this assembly, and running one input through a target with the memory check.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } = typeof(FuzzTarget).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(FuzzTarget)) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
        .Select(t => (FuzzTarget)Activator.CreateInstance(t)!)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    public static FuzzTarget Get(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"No fuzz target '{name}'. Targets: {string.Join(", ", All.Select(t => t.Name))}");

    /// <summary>
    /// Runs one input. Returns the documented exception the parser threw (or null when it accepted the input); an
    /// undocumented exception propagates, and so does <see cref="FuzzMemoryCapException"/> when the input made the
    /// parser allocate more than the target's cap.
    /// </summary>
    public static Exception? Execute(FuzzTarget target, byte[] input)
    {
        long before = GC.GetTotalAllocatedBytes(precise: false);
        Exception? documented = null;
        try
        {
            target.Run(input);
        }
        catch (Exception e) when (target.IsDocumented(e))
        {
            documented = e;
        }
        long allocated = GC.GetTotalAllocatedBytes(precise: false) - before;
        if (allocated > target.MemoryCap)
        {
            throw new FuzzMemoryCapException(
                $"{target.Name}: one input of {input.Length} bytes allocated {allocated >> 20} MiB " +
                $"(cap {target.MemoryCap >> 20} MiB)");
        }
        return documented;
    }

    /// <summary>The inputs a target makes of its seed files under <paramref name="sharedTestData"/>, when present.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> SharedSeedInputs(FuzzTarget target, string? sharedTestData)
    {
        if (sharedTestData is null || !Directory.Exists(sharedTestData)) yield break;
        foreach (string pattern in target.SharedSeeds)
        {
            string folder = Path.Combine(sharedTestData, Path.GetDirectoryName(pattern) ?? "");
            if (!Directory.Exists(folder)) continue;
            foreach (string file in Directory.EnumerateFiles(folder, Path.GetFileName(pattern)).Order(StringComparer.Ordinal))
            {
                yield return (Path.GetFileName(file), target.InputFromSharedFile(file));
            }
        }
    }
}
