using System.Diagnostics;
using TrustedCompute.Attestation;
using TrustedCompute.Enrollment;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tpm;
using Xunit;
using static TrustedCompute.Tests.Enrollment.EkLive;
using TpmDeviceInfo = TrustedCompute.Enrollment.TpmDeviceInfo;

namespace TrustedCompute.Tests.Enrollment;

internal static class EkLive
{
    /// <summary>Validates what the collector read, with its own chain indexes, now.</summary>
    public static EkValidationResult Check(EndorsementKeyMaterial ek, EkTrustAnchors anchors) =>
        EkCertificateValidator.Validate(ek.Certificate, ek.ChainCertificates, ek.Public, anchors, DateTime.UtcNow);

    public static ProcessStartInfo Start(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) info.ArgumentList.Add(a);
        return info;
    }
}

/// <summary>
/// EkCollector on a live swtpm provisioned by tests/env/swtpm.sh (EK certificates from a private local CA),
/// tpm2-tools as the oracle for what the NV indexes hold.
/// </summary>
public sealed class EkCollectorTests(SwtpmFixture swtpm) : IClassFixture<SwtpmFixture>, IDisposable
{
    private readonly TempFolder _work = new();

    public void Dispose() => _work.Dispose();

    private IReadOnlyList<EndorsementKeyMaterial> Collect()
    {
        swtpm.Require();
        using var tpm = TpmClient.Open(swtpm.ConnectionString);
        return EkCollector.Read(tpm);
    }

    /// <summary>The admin's folder: the local CA's root, and its issuing CA unless left out.</summary>
    private TempFolder LocalCaFolder(bool withIssuer = true)
    {
        var folder = new TempFolder();
        File.Copy(Path.Combine(swtpm.CaDirectory, "swtpm-localca-rootca-cert.pem"), folder.File("root.pem"));
        if (withIssuer) File.Copy(Path.Combine(swtpm.CaDirectory, "issuercert.pem"), folder.File("issuer.pem"));
        return folder;
    }

    private byte[] ToolNvRead(uint index)
    {
        string file = _work.File($"nv-{index:X8}.bin");
        swtpm.Tpm2("tpm2_nvread", $"0x{index:X8}", "-C", "o", "-o", file);
        return File.ReadAllBytes(file);
    }

    [SkippableFact]
    public void RsaAndEccEkCertificatesValidateToTheLocalCa()
    {
        var eks = Collect();
        Assert.Equal([EndorsementKeyType.Rsa2048, EndorsementKeyType.EccP384High], eks.Select(e => e.Type));
        using var folder = LocalCaFolder();
        using var anchors = EkTrustAnchors.Load([folder.Path]);
        Assert.Empty(anchors.Problems);
        foreach (var ek in eks)
        {
            Assert.Equal(ToolNvRead(ek.CertificateIndex), ek.Certificate);
            Assert.Equal(ek.Public.Name(), ek.Name);
            Assert.Empty(ek.ChainCertificates);
            var result = Check(ek, anchors);
            Assert.True(result.IsValid, $"{ek.Type}: {string.Join("\n", result.Reasons)}");
            Assert.Equal(2, result.Chain.Length);
            Assert.Equal(anchors.Roots.Single().RawData, result.Chain[^1]);
            Assert.Equal(new TpmDeviceInfo("id:00001014", "swtpm", "id:20191023"), result.Device);
        }
        Assert.Equal(TpmAlgId.Ecc, eks[1].Public.Type);
        Assert.Equal(TpmEccCurve.NistP384, eks[1].Public.Curve);
    }

    [SkippableFact]
    public void KeysMadeFromTheTemplatesEqualTpm2Createek()
    {
        var rsa = Collect().Single(e => e.Type == EndorsementKeyType.Rsa2048);
        string pub = _work.File("ek.pub");
        swtpm.Tpm2("tpm2_createek", "-G", "rsa", "-c", _work.File("ek.ctx"), "-u", pub, "-f", "tss");
        swtpm.Tpm2("tpm2_flushcontext", "-t");
        Assert.Equal(TpmPublic.FromTpm2BPublic(File.ReadAllBytes(pub)).Marshal(), rsa.Public.Marshal());
    }

    [SkippableFact]
    public void CertificateOfOneEkDoesNotValidateForAnother()
    {
        var eks = Collect();
        using var folder = LocalCaFolder();
        using var anchors = EkTrustAnchors.Load([folder.Path]);
        var rsa = eks.Single(e => e.Type == EndorsementKeyType.Rsa2048);
        var ecc = eks.Single(e => e.Type == EndorsementKeyType.EccP384High);
        var swapped = EkCertificateValidator.Validate(rsa.Certificate, [], ecc.Public, anchors, DateTime.UtcNow);
        Assert.Equal([ReasonIds.EkMismatch], swapped.Reasons.Select(r => r.Id));
        TpmPublic high;
        using (var tpm = TpmClient.Open(swtpm.ConnectionString))
            high = TpmOperations.GetEndorsementKey(tpm, EndorsementKeyType.Rsa2048High).Public;
        var otherTemplate = EkCertificateValidator.Validate(rsa.Certificate, [], high, anchors, DateTime.UtcNow);
        Assert.Equal([ReasonIds.EkMismatch], otherTemplate.Reasons.Select(r => r.Id));
    }

    [SkippableFact]
    public void AnotherLocalCaWithTheSameNamesIsNotTrusted()
    {
        var rsa = Collect().Single(e => e.Type == EndorsementKeyType.Rsa2048);
        // The shared vectors' local CA has the same subject names as this run's, but other keys.
        using var folder = new TempFolder();
        File.Copy(TestPaths.Shared("tpm-vectors", "localca_root.pem"), folder.File("root.pem"));
        File.Copy(TestPaths.Shared("tpm-vectors", "localca_issuer.pem"), folder.File("issuer.pem"));
        using var anchors = EkTrustAnchors.Load([folder.Path]);
        var result = EkCertificateValidator.Validate(rsa.Certificate, [], rsa.Public, anchors, DateTime.UtcNow);
        Assert.False(result.IsValid);
        Assert.Contains(ReasonIds.EkChain, result.Reasons.Select(r => r.Id));
    }

    [SkippableFact]
    public void ChainIndexIsCollectedAndServesAsIntermediateOnly()
    {
        Collect();
        byte[] issuer = System.Security.Cryptography.X509Certificates.X509Certificate2
            .CreateFromPem(File.ReadAllText(Path.Combine(swtpm.CaDirectory, "issuercert.pem"))).RawData;
        byte[] root = System.Security.Cryptography.X509Certificates.X509Certificate2
            .CreateFromPem(File.ReadAllText(Path.Combine(swtpm.CaDirectory, "swtpm-localca-rootca-cert.pem"))).RawData;
        const uint index = EkCollector.ChainIndexFirst;
        const uint rootIndex = EkCollector.ChainIndexFirst + 1;
        Define(index, issuer);
        Define(rootIndex, root);
        try
        {
            var rsa = Collect().Single(e => e.Type == EndorsementKeyType.Rsa2048);
            Assert.Equal([issuer, root], rsa.ChainCertificates);
            using var rootOnly = LocalCaFolder(withIssuer: false);
            using var anchors = EkTrustAnchors.Load([rootOnly.Path]);
            var result = Check(rsa, anchors);
            Assert.True(result.IsValid, string.Join("\n", result.Reasons));
            using var empty = new TempFolder();
            using var none = EkTrustAnchors.Load([empty.Path]);
            var hostOnly = Check(rsa, none);
            Assert.Equal([ReasonIds.EkAnchor, ReasonIds.EkChain], hostOnly.Reasons.Select(r => r.Id).Distinct().Order());
        }
        finally
        {
            swtpm.Tpm2("tpm2_nvundefine", $"0x{index:X8}", "-C", "o");
            swtpm.Tpm2("tpm2_nvundefine", $"0x{rootIndex:X8}", "-C", "o");
        }
    }

    [SkippableFact]
    public void EkNonceIndexChangesTheLowRangeKeySoTheCertificateNoLongerMatches()
    {
        var before = Collect().Single(e => e.Type == EndorsementKeyType.Rsa2048);
        const uint nonceIndex = TpmHandles.EkNonceRsa2048;
        Define(nonceIndex, Convert.FromHexString("00112233445566778899AABBCCDDEEFF"));
        try
        {
            var after = Collect().Single(e => e.Type == EndorsementKeyType.Rsa2048);
            Assert.NotEqual(before.Public.Unique, after.Public.Unique);
            Assert.Equal(before.Certificate, after.Certificate);
            using var folder = LocalCaFolder();
            using var anchors = EkTrustAnchors.Load([folder.Path]);
            Assert.Equal([ReasonIds.EkMismatch], Check(after, anchors).Reasons.Select(r => r.Id));
        }
        finally
        {
            swtpm.Tpm2("tpm2_nvundefine", $"0x{nonceIndex:X8}", "-C", "o");
        }
        Assert.Equal(before.Public.Unique, Collect().Single(e => e.Type == EndorsementKeyType.Rsa2048).Public.Unique);
    }

    private void Define(uint index, byte[] contents)
    {
        string file = _work.File($"define-{index:X8}.der");
        File.WriteAllBytes(file, contents);
        swtpm.Tpm2("tpm2_nvdefine", $"0x{index:X8}", "-C", "o", "-s", contents.Length.ToString(),
            "-a", "ownerwrite|ownerread|authread");
        swtpm.Tpm2("tpm2_nvwrite", $"0x{index:X8}", "-C", "o", "-i", file);
    }
}

/// <summary>
/// The shared swtpm state (../shared/testdata/tpm-vectors/swtpm-state-template) on a live swtpm, started through
/// tests/env/swtpm.sh with that state as its template: its EK certificates are the captured ones and validate to
/// the captured local CA.
/// </summary>
public sealed class EkSharedStateTests(SharedStateSwtpm swtpm) : IClassFixture<SharedStateSwtpm>
{
    [SkippableFact]
    public void SharedStateEkCertificatesAreTheCapturedOnesAndValidate()
    {
        swtpm.Require();
        IReadOnlyList<EndorsementKeyMaterial> eks;
        using (var tpm = TpmClient.Open(swtpm.ConnectionString)) eks = EkCollector.Read(tpm);
        var rsa = eks.Single(e => e.Type == EndorsementKeyType.Rsa2048);
        var ecc = eks.Single(e => e.Type == EndorsementKeyType.EccP384High);
        Assert.Equal(File.ReadAllBytes(TestPaths.Shared("tpm-vectors", "ek_rsa_cert.der")), rsa.Certificate);
        Assert.Equal(File.ReadAllBytes(TestPaths.Shared("tpm-vectors", "ek_ecc_cert.der")), ecc.Certificate);
        Assert.Equal(TpmPublic.FromTpm2BPublic(File.ReadAllBytes(TestPaths.Shared("tpm-vectors", "ek_rsa.pub"))).Marshal(),
            rsa.Public.Marshal());

        using var folder = new TempFolder();
        File.Copy(TestPaths.Shared("tpm-vectors", "localca_root.pem"), folder.File("root.pem"));
        File.Copy(TestPaths.Shared("tpm-vectors", "localca_issuer.pem"), folder.File("issuer.pem"));
        using var anchors = EkTrustAnchors.Load([folder.Path]);
        foreach (var ek in new[] { rsa, ecc })
        {
            var result = Check(ek, anchors);
            Assert.True(result.IsValid, $"{ek.Type}: {string.Join("\n", result.Reasons)}");
            Assert.Equal("swtpm", result.Device?.Model);
        }
    }
}

/// <summary>
/// A swtpm started by tests/env/swtpm.sh from a state this fixture chooses (the script's template folder points at
/// a private copy), stopped by the script by its PID.
/// </summary>
public abstract class TemplateSwtpm : IDisposable
{
    protected readonly string Root = Path.Combine(Path.GetTempPath(), "tc-ek-swtpm-" + Guid.NewGuid().ToString("N")[..12]);
    private bool _started;

    public string? Unavailable { get; protected set; }
    public string ConnectionString { get; private set; } = "";

    public void Require() => Skip.If(Unavailable is not null, Unavailable);

    protected static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, tool)));

    protected string Template => Path.Combine(Root, "swtpm-template");

    /// <summary>Starts swtpm on a copy of <see cref="Template"/> (which must hold tpm2-00.permall).</summary>
    protected void Start()
    {
        string state = Path.Combine(Template, "tpm2-00.permall");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(state, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(Path.Combine(Template, ".ready"), "");
        var values = Script("start", Path.Combine(Root, "tpm")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        ConnectionString = values["TRUSTEDCOMPUTE_TPM"];
        _started = true;
    }

    private string Script(string verb, string dir)
    {
        var info = EkLive.Start(TestPaths.EnvScript("swtpm.sh"), verb, dir);
        info.Environment["TRUSTEDCOMPUTE_TEST_ENV"] = Root;
        return Run(info);
    }

    protected static string Run(ProcessStartInfo info)
    {
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(true);
            throw new TimeoutException($"{info.FileName} did not finish in 60 s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{info.FileName} {string.Join(' ', info.ArgumentList)} exited {process.ExitCode}: {stderr}");
        return stdout.Result;
    }

    public void Dispose()
    {
        try { if (_started) Script("stop", Path.Combine(Root, "tpm")); }
        finally { try { Directory.Delete(Root, true); } catch (IOException) { } }
    }
}

/// <summary>A swtpm whose state is the shared captured one (tpm-vectors/swtpm-state-template).</summary>
public sealed class SharedStateSwtpm : TemplateSwtpm
{
    public SharedStateSwtpm()
    {
        string? data = TestPaths.SharedTestData;
        string state = data is null ? "" : Path.Combine(data, "tpm-vectors", "swtpm-state-template", "tpm2-00.permall");
        if (data is null || !File.Exists(state))
        {
            Unavailable = "../shared/testdata is not present";
            return;
        }
        if (!OnPath("swtpm") || !OnPath("tpm2_pcrread"))
        {
            Unavailable = "swtpm and tpm2-tools are not installed";
            return;
        }
        Directory.CreateDirectory(Template);
        File.Copy(state, Path.Combine(Template, "tpm2-00.permall"));
        Start();
    }
}

/// <summary>
/// A swtpm provisioned by swtpm_setup with an RSA-3072 EK (certificate in the high-range index 0x01C0001C) and the
/// P-384 EK, both certified by the tests' local CA (the one tests/env/swtpm.sh made for every other swtpm).
/// </summary>
public sealed class Rsa3072Swtpm : TemplateSwtpm
{
    public Rsa3072Swtpm()
    {
        if (!OnPath("swtpm") || !OnPath("swtpm_setup") || !OnPath("tpm2_pcrread"))
        {
            Unavailable = "swtpm and tpm2-tools are not installed";
            return;
        }
        string envRoot = Path.GetDirectoryName(Run(EkLive.Start(TestPaths.EnvScript("swtpm.sh"), "template")).Trim())!;
        CaDirectory = Path.Combine(envRoot, "localca");
        Directory.CreateDirectory(Template);
        Run(EkLive.Start("swtpm_setup", "--tpm2", "--tpmstate", Template, "--config", Path.Combine(CaDirectory, "swtpm_setup.conf"),
            "--create-ek-cert", "--rsa-keysize", "3072", "--pcr-banks", "sha256", "--overwrite"));
        Start();
    }

    public string CaDirectory { get; } = "";
}

/// <summary>The high-range RSA-3072 EK (H-6) on a live swtpm: template, certificate index and chain.</summary>
public sealed class EkRsa3072Tests(Rsa3072Swtpm swtpm) : IClassFixture<Rsa3072Swtpm>
{
    [SkippableFact]
    public void Rsa3072EkCertificateInTheHighRangeValidates()
    {
        swtpm.Require();
        IReadOnlyList<EndorsementKeyMaterial> eks;
        using (var tpm = TpmClient.Open(swtpm.ConnectionString)) eks = EkCollector.Read(tpm);
        Assert.Equal([EndorsementKeyType.EccP384High, EndorsementKeyType.Rsa3072High], eks.Select(e => e.Type).Order());
        var rsa = eks.Single(e => e.Type == EndorsementKeyType.Rsa3072High);
        Assert.Equal(0x01C0001Cu, rsa.CertificateIndex);
        Assert.Equal(3072, rsa.Public.KeyBits);
        Assert.Equal(TpmAlgId.Sha384, rsa.Public.NameAlg);

        using var folder = new TempFolder();
        File.Copy(Path.Combine(swtpm.CaDirectory, "swtpm-localca-rootca-cert.pem"), folder.File("root.pem"));
        File.Copy(Path.Combine(swtpm.CaDirectory, "issuercert.pem"), folder.File("issuer.pem"));
        using var anchors = EkTrustAnchors.Load([folder.Path]);
        foreach (var ek in eks)
        {
            var result = Check(ek, anchors);
            Assert.True(result.IsValid, $"{ek.Type}: {string.Join("\n", result.Reasons)}");
        }
        // The 2048-bit high template makes another key: the 3072 certificate is not for it.
        TpmPublic rsa2048;
        using (var tpm = TpmClient.Open(swtpm.ConnectionString))
            rsa2048 = TpmOperations.GetEndorsementKey(tpm, EndorsementKeyType.Rsa2048High).Public;
        var wrong = EkCertificateValidator.Validate(rsa.Certificate, [], rsa2048, anchors, DateTime.UtcNow);
        Assert.Equal([ReasonIds.EkMismatch], wrong.Reasons.Select(r => r.Id));
    }

    /// <summary>tpm2-tools against this simulator (its connection string is also the TCTI).</summary>
    private void Tpm2(string tool, params string[] args) => SwtpmFixture.Run(tool, ["-T", swtpm.ConnectionString, .. args]);

    [SkippableFact]
    public void Rsa3072TemplateEqualsTpm2CreatekRsa3072()
    {
        swtpm.Require();
        using var work = new TempFolder();
        Tpm2("tpm2_createek", "-G", "rsa3072", "-c", work.File("ek.ctx"), "-u", work.File("ek.pub"), "-f", "tss");
        Tpm2("tpm2_flushcontext", "-t"); // no resource manager: the tool's EK stays loaded otherwise
        TpmPublic ours;
        using (var tpm = TpmClient.Open(swtpm.ConnectionString))
            ours = TpmOperations.GetEndorsementKey(tpm, EndorsementKeyType.Rsa3072High).Public;
        Assert.Equal(TpmPublic.FromTpm2BPublic(File.ReadAllBytes(work.File("ek.pub"))).Marshal(), ours.Marshal());
    }
}
