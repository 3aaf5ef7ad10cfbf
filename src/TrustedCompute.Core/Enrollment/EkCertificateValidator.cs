using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TrustedCompute.Attestation;
using TrustedCompute.Tpm;

namespace TrustedCompute.Enrollment;

/// <summary>The TPM's manufacturer, model and firmware version from the EK certificate's SubjectAltName.</summary>
public sealed record TpmDeviceInfo(string Manufacturer, string Model, string Version);

/// <summary>The outcome of validating one EK certificate: every failure as a reason, the chain, the device.</summary>
public sealed class EkValidationResult
{
    internal EkValidationResult(AttestationReason[] reasons, byte[][] chain, TpmDeviceInfo? device)
    {
        Reasons = reasons;
        Chain = chain;
        Device = device;
    }

    /// <summary>True only when <see cref="Reasons"/> is empty.</summary>
    public bool IsValid => Reasons.Length == 0;
    /// <summary>Every failure (ek.format, ek.chain, ek.anchor, ek.expired, ...), each with Severity Failure.</summary>
    public AttestationReason[] Reasons { get; }
    /// <summary>DER certificates above the leaf, as far as the path was built: its issuer first, anchor last.</summary>
    public byte[][] Chain { get; }
    public TpmDeviceInfo? Device { get; }

    public override string ToString() => IsValid ? "EK certificate valid" : string.Join("; ", Reasons.Select(r => r.Id));
}

/// <summary>
/// Validates an EK certificate against the admin's trust anchors, the way the TCG EK Credential Profile needs:
/// X509Chain builds the path (admin roots only, no system store, no network), then every rule is checked again
/// here on the built path. Nothing the host supplies is ever an anchor.
/// </summary>
public static class EkCertificateValidator
{
    public const string EkCertificateEku = "2.23.133.8.1";

    private const string KeyUsageOid = "2.5.29.15";
    private const string BasicConstraintsOid = "2.5.29.19";
    private const string ExtendedKeyUsageOid = "2.5.29.37";
    // Certificate policies: STM marks them critical on its CAs. No particular policy is required (RFC 5280 with
    // initial-policy-set anyPolicy), so a critical policies extension constrains nothing here.
    private const string CertificatePoliciesOid = "2.5.29.32";
    private static readonly HashSet<string> HandledCriticalExtensions =
        [KeyUsageOid, BasicConstraintsOid, ExtendedKeyUsageOid, CertificatePoliciesOid, EkSubjectAltName.Oid];

    private const X509ChainStatusFlags CheckedHere =
        X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.NotTimeNested |
        X509ChainStatusFlags.InvalidBasicConstraints | X509ChainStatusFlags.NotValidForUsage |
        X509ChainStatusFlags.HasNotSupportedCriticalExtension | X509ChainStatusFlags.NotSignatureValid |
        X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain |
        X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation;

    public static EkValidationResult Validate(ReadOnlySpan<byte> certificate, IReadOnlyList<byte[]> hostCertificates,
        TpmPublic endorsementKey, EkTrustAnchors anchors, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(hostCertificates);
        ArgumentNullException.ThrowIfNull(endorsementKey);
        ArgumentNullException.ThrowIfNull(anchors);
        var reasons = new List<AttestationReason>();
        X509Certificate2 leaf;
        try
        {
            leaf = EkCertificateReader.Parse(certificate);
        }
        catch (InvalidDataException e)
        {
            reasons.Add(Failure(ReasonIds.EkFormat, $"The EK certificate cannot be read: {e.Message}"));
            return new EkValidationResult([.. reasons], [], null);
        }
        var host = ReadHostCertificates(hostCertificates, reasons);
        try
        {
            var (chain, device) = Check(leaf, host, endorsementKey, anchors, ToUtc(at), reasons);
            return new EkValidationResult([.. reasons], chain, device);
        }
        finally
        {
            leaf.Dispose();
            foreach (var c in host) c.Dispose();
        }
    }

    private static (byte[][] Chain, TpmDeviceInfo? Device) Check(X509Certificate2 leaf, List<X509Certificate2> host,
        TpmPublic endorsementKey, EkTrustAnchors anchors, DateTime at, List<AttestationReason> reasons)
    {
        var device = ReadDevice(leaf, reasons);
        if (!EkKeyComparer.Matches(leaf, endorsementKey, out string why))
            reasons.Add(Failure(ReasonIds.EkMismatch, $"The EK certificate's public key is not the TPM's EK: {why}"));
        if (EkTrustAnchors.IsSelfSigned(leaf))
            reasons.Add(Failure(ReasonIds.EkAnchor,
                $"The EK certificate {Describe(leaf)} is self-signed; a TPM's own certificate is never an anchor"));

        var hostRoots = host.Where(EkTrustAnchors.IsSelfSigned).ToList();
        var path = BuildPath(leaf, host.Except(hostRoots).ToList(), anchors, at, reasons, out var chainFlags);
        try
        {
            CheckAnchor(path, hostRoots, anchors, reasons);
            CheckLinks(path, reasons);
            for (int i = 0; i < path.Count; i++) CheckElement(path[i], i, at, reasons);
            AddChainFlags(chainFlags, reasons);
            return (path.Skip(1).Select(c => c.RawData).ToArray(), device);
        }
        finally
        {
            foreach (var c in path) c.Dispose();
        }
    }

    private static List<X509Certificate2> BuildPath(X509Certificate2 leaf, List<X509Certificate2> extra,
        EkTrustAnchors anchors, DateTime at, List<AttestationReason> reasons, out List<X509ChainStatus> status)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(anchors.Roots.ToArray());
        policy.ExtraStore.AddRange(anchors.Intermediates.Concat(extra).ToArray());
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.UrlRetrievalTimeout = TimeSpan.FromMilliseconds(1);
        policy.VerificationTime = at;
        try
        {
            chain.Build(leaf);
        }
        catch (CryptographicException e)
        {
            // OpenSSL refuses a certificate on the way (e.g. a key algorithm it cannot load): no path at all.
            reasons.Add(Failure(ReasonIds.EkChain, $"No certificate path could be built: {e.Message}"));
            status = [];
            return [new X509Certificate2(leaf.RawData)];
        }
        status = [.. chain.ChainStatus];
        var path = chain.ChainElements.Select(e => e.Certificate).ToList();
        if (path.Count == 0 || !path[0].RawData.AsSpan().SequenceEqual(leaf.RawData))
        {
            foreach (var c in path) c.Dispose();
            path = [new X509Certificate2(leaf.RawData)];
        }
        return path;
    }

    /// <summary>The path must end at one of the admin's roots; a host's self-signed certificate never counts.</summary>
    private static void CheckAnchor(List<X509Certificate2> path, List<X509Certificate2> hostRoots, EkTrustAnchors anchors,
        List<AttestationReason> reasons)
    {
        var top = path[^1];
        bool adminRoot = path.Count >= 2 && anchors.Roots.Any(r => r.RawData.AsSpan().SequenceEqual(top.RawData));
        if (adminRoot) return;
        string end = EkTrustAnchors.IsSelfSigned(top)
            ? $"the path ends at {Describe(top)}, a self-signed certificate that is not one of the admin's trust anchors"
            : $"no certificate in the trust folders or from the host issued {Describe(top)}: missing '{top.Issuer}'";
        reasons.Add(Failure(ReasonIds.EkChain, $"No path to a trust anchor the admin chose: {end}") with
        {
            Expected = "a root from the EK trust folders",
            Actual = top.Issuer,
        });
        // The host's self-signed certificate is the one the path would have needed: it issued the top of the path,
        // bears the name of the missing issuer, or is the top itself (a self-signed leaf).
        var wanted = hostRoots.Where(r => EkCertificateSignature.IsSignedBy(top, r) || SameName(r, top) ||
            r.SubjectName.RawData.AsSpan().SequenceEqual(top.IssuerName.RawData));
        foreach (var root in wanted)
        {
            reasons.Add(Failure(ReasonIds.EkAnchor,
                $"The host offered its own root {Describe(root)}; a self-signed certificate from the host is never an anchor"));
        }
    }

    private static bool SameName(X509Certificate2 a, X509Certificate2 b) =>
        a.SubjectName.RawData.AsSpan().SequenceEqual(b.SubjectName.RawData);

    /// <summary>Each certificate's signature verifies with the next one's key (here, not only in X509Chain).</summary>
    private static void CheckLinks(List<X509Certificate2> path, List<AttestationReason> reasons)
    {
        for (int i = 0; i + 1 < path.Count; i++)
        {
            if (!EkCertificateSignature.IsSignedBy(path[i], path[i + 1]))
                reasons.Add(Failure(ReasonIds.EkChain,
                    $"The signature of {Describe(path[i])} does not verify with the key of {Describe(path[i + 1])}"));
        }
    }

    private static void CheckElement(X509Certificate2 certificate, int depth, DateTime at,
        List<AttestationReason> reasons)
    {
        string name = Describe(certificate);
        DateTime notBefore = certificate.NotBefore.ToUniversalTime(), notAfter = certificate.NotAfter.ToUniversalTime();
        if (at < notBefore || at > notAfter)
        {
            reasons.Add(Failure(ReasonIds.EkExpired, $"{name} is valid {notBefore:u} to {notAfter:u}, not at {at:u}") with
            {
                Expected = $"{notBefore:u} .. {notAfter:u}",
                Actual = $"{at:u}",
            });
        }
        var unknown = certificate.Extensions.Where(e => e.Critical && !HandledCriticalExtensions.Contains(e.Oid?.Value ?? ""));
        foreach (var extension in unknown)
            reasons.Add(Failure(ReasonIds.EkExtension, $"{name} has an unknown critical extension {extension.Oid?.Value}"));

        var basic = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (depth == 0)
        {
            if (basic is { CertificateAuthority: true })
                reasons.Add(Failure(ReasonIds.EkConstraints, $"The EK certificate {name} is a CA (basic constraints CA:TRUE)"));
            var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
            if (eku is not null && !eku.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == EkCertificateEku))
                reasons.Add(Failure(ReasonIds.EkUsage, $"The EK certificate's extended key usage lacks {EkCertificateEku}"));
            return;
        }
        if (basic is not { CertificateAuthority: true })
            reasons.Add(Failure(ReasonIds.EkConstraints, $"Issuer {name} is not a CA certificate (basic constraints)"));
        else if (basic.HasPathLengthConstraint && basic.PathLengthConstraint < depth - 1)
            reasons.Add(Failure(ReasonIds.EkConstraints,
                $"Issuer {name} allows {basic.PathLengthConstraint} intermediate CA(s) below it, the path has {depth - 1}"));
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is null || !usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
            reasons.Add(Failure(ReasonIds.EkUsage, $"Issuer {name} has no key usage keyCertSign"));
    }

    /// <summary>What X509Chain reports beyond the checks here, and a safety net where it disagrees with them.</summary>
    private static void AddChainFlags(List<X509ChainStatus> status, List<AttestationReason> reasons)
    {
        foreach (var s in status.Where(s => (s.Status & ~CheckedHere) != 0))
            reasons.Add(Failure(ReasonIds.EkChain, $"X509Chain: {s.Status}: {s.StatusInformation.Trim()}"));
        void Net(X509ChainStatusFlags flags, string id)
        {
            if (reasons.Any(r => r.Id == id)) return;
            foreach (var s in status.Where(s => (s.Status & flags) != 0))
                reasons.Add(Failure(id, $"X509Chain: {s.Status}: {s.StatusInformation.Trim()}"));
        }
        Net(X509ChainStatusFlags.NotTimeValid, ReasonIds.EkExpired);
        Net(X509ChainStatusFlags.InvalidBasicConstraints, ReasonIds.EkConstraints);
        Net(X509ChainStatusFlags.NotValidForUsage, ReasonIds.EkUsage);
        const X509ChainStatusFlags noPath = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain |
            X509ChainStatusFlags.NotSignatureValid;
        Net(noPath, ReasonIds.EkChain);
    }

    private static TpmDeviceInfo? ReadDevice(X509Certificate2 leaf, List<AttestationReason> reasons)
    {
        var san = leaf.Extensions.FirstOrDefault(e => e.Oid?.Value == EkSubjectAltName.Oid);
        if (san is null) return null;
        try
        {
            return EkSubjectAltName.Decode(san.RawData);
        }
        catch (InvalidDataException e)
        {
            if (san.Critical)
                reasons.Add(Failure(ReasonIds.EkFormat, $"The EK certificate's critical SubjectAltName {e.Message}"));
            return null;
        }
    }

    private static List<X509Certificate2> ReadHostCertificates(IReadOnlyList<byte[]> offered,
        List<AttestationReason> reasons)
    {
        var result = new List<X509Certificate2>();
        for (int i = 0; i < offered.Count; i++)
        {
            try
            {
                foreach (var der in EkCertificateReader.ExtractAll(offered[i] ?? []))
                    result.Add(EkCertificateReader.LoadDer(der));
            }
            catch (InvalidDataException e)
            {
                reasons.Add(Failure(ReasonIds.EkFormat, $"Host certificate {i + 1} cannot be read: {e.Message}"));
            }
        }
        return result;
    }

    private static DateTime ToUtc(DateTime at) =>
        at.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : at.ToUniversalTime();

    internal static string Describe(X509Certificate2 c)
    {
        string subject = c.Subject.Length > 0 ? c.Subject : "(empty subject)";
        return $"'{subject}' (serial {c.SerialNumber}, SHA-256 {Convert.ToHexString(SHA256.HashData(c.RawData))[..16]})";
    }

    private static AttestationReason Failure(string id, string message) => new(id, ReasonSeverity.Failure, message);
}
