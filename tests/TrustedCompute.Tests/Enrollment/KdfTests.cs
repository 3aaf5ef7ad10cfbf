using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using TrustedCompute.Enrollment;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Enrollment;

/// <summary>
/// KDFa and KDFe against OpenSSL 3's own implementations: KBKDF (SP800-108 counter mode, HMAC, with the 0x00
/// separator and the [L]32 suffix, exactly KDFa) and SSKDF (SP800-56C one-step hash, exactly KDFe). OpenSSL's
/// output is what the test expects; ours is only compared to it.
/// </summary>
public class KdfTests
{
    [SkippableTheory]
    [InlineData(TpmAlgId.Sha256, "STORAGE", 16, 32, 0)]
    [InlineData(TpmAlgId.Sha256, "INTEGRITY", 32, 0, 0)]
    [InlineData(TpmAlgId.Sha1, "INTEGRITY", 20, 34, 7)]
    [InlineData(TpmAlgId.Sha384, "STORAGE", 32, 50, 0)]
    [InlineData(TpmAlgId.Sha512, "ATH", 100, 3, 9)]
    [InlineData(TpmAlgId.Sha256, "CFB", 80, 32, 32)]
    public void KdfaEqualsOpensslKbkdf(TpmAlgId hash, string label, int bytes, int contextU, int contextV)
    {
        byte[] key = RandomNumberGenerator.GetBytes(TpmHash.DigestSize(hash));
        byte[] u = RandomNumberGenerator.GetBytes(contextU), v = RandomNumberGenerator.GetBytes(contextV);
        byte[] expected = OpenSsl.Run("kdf", "-binary", "-keylen", $"{bytes}", "-kdfopt", $"digest:{Digest(hash)}",
            "-kdfopt", "mac:HMAC", "-kdfopt", $"hexkey:{Hex(key)}",
            "-kdfopt", $"hexsalt:{Hex(Encoding.ASCII.GetBytes(label))}", "-kdfopt", $"hexinfo:{Hex([.. u, .. v])}",
            "KBKDF");
        Assert.Equal(bytes, expected.Length);
        Assert.Equal(Hex(expected), Hex(Kdf.Kdfa(hash, key, label, u, v, bytes * 8)));
        // A label given with its terminating zero derives the same key.
        Assert.Equal(Hex(expected), Hex(Kdf.Kdfa(hash, key, label + "\0", u, v, bytes * 8)));
    }

    [SkippableTheory]
    [InlineData(TpmAlgId.Sha256, 32, 32)]
    [InlineData(TpmAlgId.Sha384, 48, 70)]
    [InlineData(TpmAlgId.Sha1, 32, 20)]
    [InlineData(TpmAlgId.Sha512, 66, 129)]
    public void KdfeEqualsOpensslSskdf(TpmAlgId hash, int coordinate, int bytes)
    {
        byte[] z = RandomNumberGenerator.GetBytes(coordinate);
        byte[] u = RandomNumberGenerator.GetBytes(coordinate), v = RandomNumberGenerator.GetBytes(coordinate);
        byte[] fixedInfo = [.. "IDENTITY\0"u8, .. u, .. v];
        byte[] expected = OpenSsl.Run("kdf", "-binary", "-keylen", $"{bytes}", "-kdfopt", $"digest:{Digest(hash)}",
            "-kdfopt", $"hexkey:{Hex(z)}", "-kdfopt", $"hexinfo:{Hex(fixedInfo)}", "SSKDF");
        Assert.Equal(Hex(expected), Hex(Kdf.Kdfe(hash, z, "IDENTITY", u, v, bytes * 8)));
    }

    /// <summary>
    /// A bit count that is not whole bytes goes into KDFa's input as it is, and the unused top bits are cleared:
    /// OpenSSL's KBKDF cannot say so, so the expectation is OpenSSL's HMAC over the SP800-108 input built here.
    /// </summary>
    [SkippableFact]
    public void KdfaOfAnOddBitCountMasksTheTopByteAndHashesTheBitCount()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32), context = RandomNumberGenerator.GetBytes(12);
        const int bits = 251;
        var input = new List<byte>();
        input.AddRange([0, 0, 0, 1]);
        input.AddRange("STORAGE\0"u8.ToArray());
        input.AddRange(context);
        input.AddRange(BigEndian(bits));
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, input.ToArray());
            byte[] mac = OpenSsl.Run("mac", "-binary", "-digest", "SHA256", "-macopt", $"hexkey:{Hex(key)}",
                "-in", path, "HMAC");
            mac[0] &= 0x07;
            Assert.Equal(Hex(mac), Hex(Kdf.Kdfa(TpmAlgId.Sha256, key, "STORAGE", context, [], bits)));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void DifferentLabelsAndContextsGiveDifferentKeys()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32), name = RandomNumberGenerator.GetBytes(34);
        var a = Kdf.Kdfa(TpmAlgId.Sha256, key, "STORAGE", name, [], 128);
        Assert.NotEqual(a, Kdf.Kdfa(TpmAlgId.Sha256, key, "INTEGRITY", name, [], 128));
        Assert.NotEqual(a, Kdf.Kdfa(TpmAlgId.Sha256, key, "STORAGE", name[..^1], [], 128));
        // contextU and contextV are concatenated: only the split point differs, the input does not.
        Assert.Equal(a, Kdf.Kdfa(TpmAlgId.Sha256, key, "STORAGE", name[..10], name[10..], 128));
    }

    [Fact]
    public void RejectsBadArguments()
    {
        byte[] key = new byte[32];
        Assert.Throws<ArgumentOutOfRangeException>(() => Kdf.Kdfa(TpmAlgId.Sha256, key, "X", [], [], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Kdf.Kdfe(TpmAlgId.Sha256, key, "X", [], [], -8));
        Assert.Throws<ArgumentOutOfRangeException>(() => Kdf.Kdfa(TpmAlgId.Sha256, key, "X", [], [], int.MaxValue));
        Assert.Throws<ArgumentException>(() => Kdf.Kdfa(TpmAlgId.Aes, key, "X", [], [], 128));
        Assert.Throws<ArgumentException>(() => Kdf.Kdfe(TpmAlgId.Null, key, "X", [], [], 128));
        Assert.Throws<ArgumentException>(() => Kdf.Kdfa(TpmAlgId.Sha256, key, "STÖRAGE", [], [], 128));
    }

    private static string Digest(TpmAlgId hash) => hash switch
    {
        TpmAlgId.Sha1 => "SHA1", TpmAlgId.Sha256 => "SHA256", TpmAlgId.Sha384 => "SHA384", _ => "SHA512",
    };

    private static byte[] BigEndian(int value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, value);
        return b;
    }

    internal static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}

/// <summary>The openssl command line as an independent oracle; tests skip where it is not installed.</summary>
internal static class OpenSsl
{
    public static byte[] Run(params string[] args)
    {
        Skip.IfNot((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Any(dir => File.Exists(Path.Combine(dir, "openssl"))), "openssl is not installed");
        var info = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        using var output = new MemoryStream();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"openssl {args[0]} exited {process.ExitCode}: {stderr.Result}");
        return output.ToArray();
    }
}
