using System.Security.Cryptography;
using TrustedCompute.Tests.Env;
using TrustedCompute.Txt;
using Xunit;

namespace TrustedCompute.Tests.Txt;

/// <summary>tboot's lcp2 tools (the oracle), a scratch directory, and inputs made in the test.</summary>
internal sealed class LcpScratch : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("tc-lcp-").FullName;

    public string Path(string name) => System.IO.Path.Combine(Dir, name);

    public string Write(string name, byte[] bytes)
    {
        File.WriteAllBytes(Path(name), bytes);
        return Path(name);
    }

    public string WriteText(string name, string text)
    {
        File.WriteAllText(Path(name), text);
        return Path(name);
    }

    public byte[] Read(string name) => File.ReadAllBytes(Path(name));

    /// <summary>Runs an lcp2 tool (skips the test when tboot is not installed).</summary>
    public static string Tool(string name, params string[] args) => SwtpmFixture.Run(Find(name), args);

    public static string Find(string name)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator).Concat(["/usr/sbin", "/sbin"]);
        var path = dirs.Select(d => System.IO.Path.Combine(d, name)).FirstOrDefault(File.Exists);
        Skip.If(path is null, $"{name} (tboot) is not installed");
        return path!;
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}

internal static class LcpInputs
{
    public static byte[] Random(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>The "aa bb cc" text lcp2_mlehash prints, which lcp2_crtpolelt reads.</summary>
    public static string HashText(byte[] hash) => string.Join(' ', hash.Select(b => b.ToString("x2")));

    public static string RsaPem(int bits, out string publicPem)
    {
        using var rsa = RSA.Create(bits);
        publicPem = rsa.ExportSubjectPublicKeyInfoPem();
        return rsa.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>
    /// A fresh EC key whose coordinates and scalar have no leading zero byte: tboot 1.10.5's lcp2_crtpollist refuses
    /// keys whose X and Y have different byte lengths ("key coordinates are not the same length"), about 1 in 128 keys.
    /// </summary>
    public static string EcPem(ECCurve curve, out string publicPem)
    {
        while (true)
        {
            using var ec = ECDsa.Create(curve);
            var p = ec.ExportParameters(true);
            if (p.Q.X![0] == 0 || p.Q.Y![0] == 0 || p.D![0] == 0) continue;
            publicPem = ec.ExportSubjectPublicKeyInfoPem();
            return ec.ExportPkcs8PrivateKeyPem();
        }
    }

    public static string SharedOut(string name) => TestPaths.Shared("lcp", "out", name);

    public static string SharedShow(string name) => File.ReadAllText(TestPaths.Shared("lcp", "show", name));
}
