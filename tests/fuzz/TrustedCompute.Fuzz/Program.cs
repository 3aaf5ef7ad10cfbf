using SharpFuzz;
using TrustedCompute.Fuzz;

// run <target>: under afl-fuzz (SharpFuzz persistent mode); files in $TC_FUZZ_WARMUP run first, outside the loop.
// replay <target> <file|folder>...: each input once; exit 1 on the first crash (for afl-tmin and by hand).
// seeds <target> <folder>: writes the target's generated seeds.  list: the targets.
// shared <target> <testdata> <folder>: writes the inputs the target makes of its seed files under ../shared/testdata.
// Instrumented code writes coverage to SharpFuzz's map; until afl's shared memory is attached, give it a private one.
unsafe
{
    SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1 << 16);
}

return args switch
{
    ["list"] => List(),
    ["run", var name] => Run(FuzzTargets.Get(name)),
    ["replay", var name, .. var paths] when paths.Length > 0 => Replay(FuzzTargets.Get(name), paths),
    ["seeds", var name, var folder] => Seeds(FuzzTargets.Get(name), folder),
    ["shared", var name, var sharedTestData, var folder] => Shared(FuzzTargets.Get(name), sharedTestData, folder),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: TrustedCompute.Fuzz list | run <target> | replay <target> <path>... | " +
        "seeds <target> <folder> | shared <target> <testdata> <folder>");
    return 2;
}

static int List()
{
    foreach (var t in FuzzTargets.All) Console.WriteLine($"{t.Name,-14} {t.Description}");
    return 0;
}

static int Run(FuzzTarget target)
{
    // Compiles the parser's paths before the fork server starts, so no early input counts JIT time against -t.
    if (Environment.GetEnvironmentVariable("TC_FUZZ_WARMUP") is { Length: > 0 } warmup && Directory.Exists(warmup))
    {
        foreach (string file in Directory.EnumerateFiles(warmup))
        {
            try { FuzzTargets.Execute(target, File.ReadAllBytes(file)); }
            catch (Exception e) when (e is not OutOfMemoryException) { }
        }
    }
    Fuzzer.Run(stream =>
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        FuzzTargets.Execute(target, copy.ToArray());
    });
    return 0;
}

static int Replay(FuzzTarget target, string[] paths)
{
    var files = paths.SelectMany(p =>
        Directory.Exists(p) ? Directory.EnumerateFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]);
    foreach (string file in files)
    {
        var documented = FuzzTargets.Execute(target, File.ReadAllBytes(file));
        Console.WriteLine($"{Path.GetFileName(file)}: {(documented is null ? "accepted" : documented.GetType().Name)}");
    }
    return 0;
}

static int Seeds(FuzzTarget target, string folder)
{
    Directory.CreateDirectory(folder);
    foreach (var (name, bytes) in target.GeneratedSeeds()) File.WriteAllBytes(Path.Combine(folder, name), bytes);
    return 0;
}

static int Shared(FuzzTarget target, string sharedTestData, string folder)
{
    Directory.CreateDirectory(folder);
    int count = 0;
    foreach (var (name, bytes) in FuzzTargets.SharedSeedInputs(target, sharedTestData))
    {
        File.WriteAllBytes(Path.Combine(folder, "shared-" + name), bytes);
        count++;
    }
    Console.WriteLine(count);
    return 0;
}
