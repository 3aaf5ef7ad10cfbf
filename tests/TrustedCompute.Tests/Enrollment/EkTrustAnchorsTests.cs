using TrustedCompute.Enrollment;
using Xunit;
using static TrustedCompute.Tests.Enrollment.EkTestCertificates;

namespace TrustedCompute.Tests.Enrollment;

/// <summary>The admin's EK trust folders: PEM bundles and DER files, roots versus intermediates, problems listed.</summary>
public sealed class EkTrustAnchorsTests
{
    private static string Pem(string name) => File.ReadAllText(Env.TestPaths.Shared("ek-certs", name));

    [SkippableFact]
    public void PemBundleAndDerFilesLoadSelfSignedCasAsRoots()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("bundle.pem"), Pem(RsaGlobalSignRoot) + "\n" + Pem(RsaStmRoot) + Pem(RsaIntermediate));
        File.WriteAllBytes(dir.File("ecc-root.DER"), Der(EccGlobalSignRoot));
        File.WriteAllBytes(dir.File("intel.cer"), Bytes("intel_ODCA2_CSME_P_ADL_00002226_IssuingCA.cer"));
        File.WriteAllText(dir.File("ignored.txt"), "not a certificate file");
        using var anchors = EkTrustAnchors.Load([dir.Path]);
        Assert.Empty(anchors.Problems);
        Assert.Equal(Hex(Der(RsaGlobalSignRoot), Der(EccGlobalSignRoot)), Hex([.. anchors.Roots.Select(r => r.RawData)]));
        // STM's "Root CA" is issued by GlobalSign: not self-signed, so an intermediate.
        Assert.Equal(3, anchors.Intermediates.Count);
        Assert.Contains(anchors.Intermediates, c => c.Subject.Contains("STM TPM EK Root CA"));
    }

    private static string[] Hex(params byte[][] certificates) => [.. certificates.Select(Convert.ToHexString).Order()];

    [SkippableFact]
    public void UnreadableAndNonCaFilesAreProblemsNotCertificates()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
        File.WriteAllBytes(dir.File("random.der"), [0x30, 0x03, 0x01, 0x02, 0x03]);
        File.WriteAllText(dir.File("key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        File.WriteAllBytes(dir.File("leaf.der"), Bytes(RsaLeaf)); // an EK certificate is no CA
        File.WriteAllText(dir.File("good.pem"), Pem(RsaGlobalSignRoot));
        using var anchors = EkTrustAnchors.Load([dir.Path]);
        Assert.Single(anchors.Roots);
        Assert.Empty(anchors.Intermediates);
        Assert.Equal(4, anchors.Problems.Count);
        foreach (string name in new[] { "garbage.pem", "random.der", "key.pem", "leaf.der" })
            Assert.Contains(anchors.Problems, p => p.Contains(name));
        Assert.Contains(anchors.Problems, p => p.Contains("leaf.der") && p.Contains("not a CA"));
    }

    [SkippableFact]
    public void PemBlockThatIsCutIsAProblemNotASilentLoss()
    {
        using var dir = new TempFolder();
        string cut = Pem(RsaStmRoot)[..200] + "\n-----END CERTIFICATE-----\n";
        File.WriteAllText(dir.File("bundle.pem"), Pem(RsaGlobalSignRoot) + "\n" + cut + Pem(RsaIntermediate));
        using var anchors = EkTrustAnchors.Load([dir.Path]);
        Assert.Contains(anchors.Problems, p => p.Contains("bundle.pem"));
        Assert.Empty(anchors.Roots);
    }

    [SkippableFact]
    public void MissingFoldersAreSkippedAndDuplicatesCountOnce()
    {
        using var a = AnchorFolder(RsaGlobalSignRoot, RsaIntermediate);
        using var b = AnchorFolder(RsaGlobalSignRoot);
        using var anchors = EkTrustAnchors.Load([a.Path, Path.Combine(a.Path, "absent"), b.Path, ""]);
        Assert.Empty(anchors.Problems);
        Assert.Single(anchors.Roots);
        Assert.Single(anchors.Intermediates);
    }

    [Fact]
    public void OversizedFileIsAProblem()
    {
        using var dir = new TempFolder();
        using (var f = File.Create(dir.File("huge.pem"))) f.SetLength(EkTrustAnchors.MaxFileSize + 1);
        using var anchors = EkTrustAnchors.Load([dir.Path]);
        Assert.Contains(anchors.Problems, p => p.Contains("huge.pem") && p.Contains("larger"));
        Assert.Empty(anchors.Roots);
    }

    [Fact]
    public void DefaultFoldersArePerUserThenSystem()
    {
        var folders = EkTrustAnchors.DefaultFolders();
        Assert.Equal(2, folders.Count);
        const Environment.SpecialFolderOption asIs = Environment.SpecialFolderOption.DoNotVerify;
        string user = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, asIs);
        Assert.Equal(Path.Combine(user, "TrustedCompute", "ek-roots"), folders[0]);
        Assert.Equal(OperatingSystem.IsWindows()
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData, asIs), "TrustedCompute",
                "ek-roots")
            : "/etc/trustedcompute/ek-roots", folders[1]);
    }
}
