using System.Diagnostics;
using TrustedCompute.Fuzz;
using TrustedCompute.Tests.Env;
using Xunit;

namespace TrustedCompute.Tests.Fuzz;

/// <summary>
/// Replays every saved crash (tests/fuzz/crashes/&lt;target&gt;), every corpus file (tests/fuzz/corpus/&lt;target&gt;),
/// every generated seed and, when present, the target's ../shared/testdata seeds through the fuzz targets that
/// AFL++ runs: each input may end only in one of the target's documented exceptions, within the time and memory
/// caps. A crash the fuzzer found stays fixed because its input stays here.
/// </summary>
public sealed class FuzzReplayTests
{
    /// <summary>AFL's hang limit is 1 s per input; the replay allows more, as other builds share the machine.</summary>
    private static readonly TimeSpan InputTimeLimit = TimeSpan.FromSeconds(5);

    private static readonly string FuzzRoot = Path.Combine(TestPaths.RepositoryRoot, "tests", "fuzz");

    public static TheoryData<string> TargetNames()
    {
        var data = new TheoryData<string>();
        foreach (var target in FuzzTargets.All) data.Add(target.Name);
        return data;
    }

    public static TheoryData<string> TargetsWithSharedSeeds()
    {
        var data = new TheoryData<string>();
        foreach (var target in FuzzTargets.All.Where(t => t.SharedSeeds.Count > 0)) data.Add(target.Name);
        return data;
    }

    private static IEnumerable<(string Name, byte[] Bytes)> SavedInputs(FuzzTarget target)
    {
        foreach (string kind in new[] { "crashes", "corpus" })
        {
            string folder = Path.Combine(FuzzRoot, kind, target.Name);
            if (!Directory.Exists(folder)) continue;
            foreach (string file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            {
                yield return ($"{kind}/{target.Name}/{Path.GetFileName(file)}", File.ReadAllBytes(file));
            }
        }
    }

    private static List<string> Replay(FuzzTarget target, IEnumerable<(string Name, byte[] Bytes)> inputs, out int count)
    {
        var failures = new List<string>();
        count = 0;
        foreach (var (name, bytes) in inputs)
        {
            count++;
            var clock = Stopwatch.StartNew();
            try
            {
                FuzzTargets.Execute(target, bytes);
            }
            catch (Exception e)
            {
                failures.Add($"{name}: {e.GetType().Name}: {e.Message}");
                continue;
            }
            if (clock.Elapsed > InputTimeLimit) failures.Add($"{name}: took {clock.Elapsed.TotalSeconds:0.0} s");
        }
        return failures;
    }

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void SavedCrashesAndCorpusEndOnlyInDocumentedExceptions(string name)
    {
        var target = FuzzTargets.Get(name);
        var failures = Replay(target, SavedInputs(target), out int count);
        Assert.True(count > 0, $"tests/fuzz has no corpus or crashes for {name}: write its seeds (TrustedCompute.Fuzz seeds {name} ...)");
        Assert.True(failures.Count == 0, $"{failures.Count} of {count} inputs failed:\n" + string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void GeneratedSeedsAreAcceptedAndCommitted(string name)
    {
        var target = FuzzTargets.Get(name);
        var seeds = target.GeneratedSeeds().ToList();
        Assert.NotEmpty(seeds);
        var failures = Replay(target, seeds, out _);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // A seed the parser rejects would start the fuzzer at the first check instead of past it.
        var rejected = seeds.Where(s => FuzzTargets.Execute(target, s.Bytes) is not null).Select(s => s.Name).ToList();
        Assert.True(rejected.Count == 0, "Seeds rejected by their own parser: " + string.Join(", ", rejected));
        string corpus = Path.Combine(FuzzRoot, "corpus", name);
        var missing = seeds.Where(s => !File.Exists(Path.Combine(corpus, s.Name))).Select(s => s.Name).ToList();
        Assert.True(missing.Count == 0, $"Generated seeds not in tests/fuzz/corpus/{name}: " + string.Join(", ", missing));
    }

    [SkippableTheory]
    [MemberData(nameof(TargetsWithSharedSeeds))]
    public void SharedTestDataEndsOnlyInDocumentedExceptions(string name)
    {
        var target = FuzzTargets.Get(name);
        Skip.If(TestPaths.SharedTestData is null, "../shared/testdata is not present");
        var inputs = FuzzTargets.SharedSeedInputs(target, TestPaths.SharedTestData).ToList();
        Assert.NotEmpty(inputs);
        var failures = Replay(target, inputs, out _);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void AnUndocumentedExceptionIsACrash()
    {
        var target = new ThrowingTarget();
        Assert.IsType<FormatException>(FuzzTargets.Execute(target, [1]));
        Assert.Throws<IndexOutOfRangeException>(() => FuzzTargets.Execute(target, [2]));
        Assert.Throws<FuzzMemoryCapException>(() => FuzzTargets.Execute(target, [3]));
        Assert.Null(FuzzTargets.Execute(target, [0]));
    }

    [Fact]
    public void EveryTargetHasADistinctNameAndTheTargetsOfTheIssueExist()
    {
        var names = FuzzTargets.All.Select(t => t.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Superset(new HashSet<string> { "tpm-response", "eventlog", "evidence", "policy-yaml", "lcp", "ek-cert-der" },
            names.ToHashSet());
    }

    /// <summary>Not in the fuzz assembly, so not a registered target: checks the runner's crash rules.</summary>
    private sealed class ThrowingTarget : FuzzTarget
    {
        public override string Name => "throwing";
        public override string Description => "test";
        public override bool IsDocumented(Exception exception) => exception is FormatException;
        public override long MemoryCap => 1 << 20;

        public override void Run(byte[] input)
        {
            switch (input[0])
            {
                case 1: throw new FormatException("documented");
                case 2: throw new IndexOutOfRangeException("undocumented");
                case 3: GC.KeepAlive(new byte[8 << 20]); break;
            }
        }
    }
}
