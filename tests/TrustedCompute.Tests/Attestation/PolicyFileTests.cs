using TrustedCompute.Attestation;
using TrustedCompute.Tests.IO;
using Xunit;

namespace TrustedCompute.Tests.Attestation;

/// <summary>Policy files that never end, never open or are not text: a clear error within the size cap and the timeout.</summary>
public sealed class PolicyFileTests
{
    [SkippableTheory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public void EndlessDevicesAreCutOffAtTheSizeLimit(string device)
    {
        Skip.IfNot(File.Exists(device), $"no {device}");
        var e = Deadline.Within(TimeSpan.FromSeconds(10), () => PolicyYaml.ReadFile(device));
        Assert.Contains("limit", Assert.IsType<AttestationPolicyException>(e).Message);
    }

    [SkippableFact]
    public void AFifoWhoseWriterNeverClosesTimesOut()
    {
        using var fifo = new Fifo();
        fifo.Writer("printf 'schemaVersion: 1\\n'; exec sleep 30");
        var e = Deadline.Within(TimeSpan.FromSeconds(10), () => PolicyYaml.ReadFile(fifo.Path));
        Assert.Contains("within", Assert.IsAssignableFrom<IOException>(e).Message);
    }

    [SkippableFact]
    public void AFifoFedByAWriterReads()
    {
        using var fifo = new Fifo();
        fifo.Writer("printf 'schemaVersion: 1\\nname: piped\\n'");
        Assert.Equal("piped", PolicyYaml.ReadFile(fifo.Path).Name);
    }

    [Fact]
    public void BytesThatAreNotUtf8AreRejected()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [.. "schemaVersion: 1\nname: "u8, 0xC3, 0x28, (byte)'\n']);
            Assert.Contains("UTF-8", Assert.Throws<AttestationPolicyException>(() => PolicyYaml.ReadFile(path)).Message);
            File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "schemaVersion: 1\nname: bom\n"u8]);
            Assert.Equal("bom", PolicyYaml.ReadFile(path).Name);
        }
        finally { File.Delete(path); }
    }
}
