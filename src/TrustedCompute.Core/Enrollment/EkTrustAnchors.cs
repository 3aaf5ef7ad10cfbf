using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace TrustedCompute.Enrollment;

/// <summary>
/// The EK CA certificates the admin chose: every .pem/.crt/.cer/.der file in the given folders (PEM with one or
/// more certificates, or DER). Self-signed CA certificates are the roots (trust anchors); other CA certificates
/// are intermediates. Certificates that are not CAs and unreadable files are listed in <see cref="Problems"/>.
/// </summary>
public sealed class EkTrustAnchors : IDisposable
{
    /// <summary>Largest anchor file read; a bundle of every TPM vendor's CAs is well under this.</summary>
    public const int MaxFileSize = 4 * 1024 * 1024;

    private static readonly string[] Extensions = [".pem", ".crt", ".cer", ".der"];

    private readonly List<X509Certificate2> _roots = [];
    private readonly List<X509Certificate2> _intermediates = [];
    private readonly List<string> _problems = [];

    private EkTrustAnchors() { }

    public IReadOnlyList<X509Certificate2> Roots => _roots;
    public IReadOnlyList<X509Certificate2> Intermediates => _intermediates;
    public IReadOnlyList<string> Problems => _problems;

    public static EkTrustAnchors Load(IEnumerable<string> folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        var anchors = new EkTrustAnchors();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string folder in folders)
        {
            if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder)) continue;
            var files = Directory.EnumerateFiles(folder)
                .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal);
            foreach (string file in files) anchors.LoadFile(file, seen);
        }
        return anchors;
    }

    /// <summary>The per-user folder, then the system folder (either may be absent).</summary>
    public static IReadOnlyList<string> DefaultFolders()
    {
        const Environment.SpecialFolderOption asIs = Environment.SpecialFolderOption.DoNotVerify;
        string user = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, asIs),
            "TrustedCompute", "ek-roots");
        string system = OperatingSystem.IsWindows()
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData, asIs),
                "TrustedCompute", "ek-roots")
            : "/etc/trustedcompute/ek-roots";
        return [user, system];
    }

    private void LoadFile(string file, HashSet<string> seen)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(file);
            if (info.Length > MaxFileSize)
            {
                _problems.Add($"{file}: {info.Length} bytes, larger than {MaxFileSize}; not read");
                return;
            }
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _problems.Add($"{file}: cannot be read: {e.Message}");
            return;
        }
        List<byte[]> certificates;
        try
        {
            certificates = LooksLikePem(bytes) ? ReadPem(bytes) : [EkCertificateReader.ExtractDer(bytes)];
        }
        catch (InvalidDataException e)
        {
            _problems.Add($"{file}: {e.Message}");
            return;
        }
        for (int i = 0; i < certificates.Count; i++) Add(file, i, certificates[i], seen);
    }

    private void Add(string file, int position, byte[] der, HashSet<string> seen)
    {
        string where = position == 0 ? file : $"{file} (certificate {position + 1})";
        X509Certificate2 certificate;
        try { certificate = EkCertificateReader.LoadDer(der); }
        catch (InvalidDataException e)
        {
            _problems.Add($"{where}: {e.Message}");
            return;
        }
        if (!IsCa(certificate))
        {
            _problems.Add($"{where}: '{certificate.Subject}' is not a CA certificate (basic constraints); ignored");
            certificate.Dispose();
            return;
        }
        if (!seen.Add(Convert.ToHexString(SHA256.HashData(der))))
        {
            certificate.Dispose();
            return;
        }
        (IsSelfSigned(certificate) ? _roots : _intermediates).Add(certificate);
    }

    private static bool LooksLikePem(byte[] bytes) => bytes.Length > 0 && bytes[0] != 0x30;

    private static List<byte[]> ReadPem(byte[] bytes)
    {
        string text;
        try { text = new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { throw new InvalidDataException("neither DER nor PEM text"); }
        // `cat a.pem b.pem` of files without a final newline glues END to BEGIN, which RFC 7468 parsers refuse.
        text = text.Replace("-----END CERTIFICATE----------BEGIN", "-----END CERTIFICATE-----\n-----BEGIN",
            StringComparison.Ordinal);
        var result = new List<byte[]>();
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                var der = new byte[fields.DecodedDataLength];
                if (!Convert.TryFromBase64Chars(rest[fields.Base64Data], der, out int written) || written != der.Length)
                    throw new InvalidDataException($"bad base64 in PEM block {result.Count + 1}");
                result.Add(EkCertificateReader.ExtractDer(der));
            }
            rest = rest[fields.Location.End..];
        }
        if (result.Count == 0) throw new InvalidDataException("no PEM CERTIFICATE block");
        int begins = CountOf(text, "-----BEGIN CERTIFICATE-----");
        if (begins != result.Count)
            throw new InvalidDataException($"{begins} PEM CERTIFICATE headers, only {result.Count} well-formed blocks");
        return result;
    }

    private static int CountOf(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0;
            i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    internal static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true };

    /// <summary>Subject equals issuer and the certificate's own key verifies its signature.</summary>
    internal static bool IsSelfSigned(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) &&
        EkCertificateSignature.IsSignedBy(certificate, certificate);

    public void Dispose()
    {
        foreach (var c in _roots.Concat(_intermediates)) c.Dispose();
        _roots.Clear();
        _intermediates.Clear();
    }
}
