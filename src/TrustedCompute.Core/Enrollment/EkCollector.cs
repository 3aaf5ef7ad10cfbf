using TrustedCompute.Tpm;

namespace TrustedCompute.Enrollment;

/// <summary>An EK the TPM has a certificate for: the key made from its template, the raw NV bytes, the chain.</summary>
/// <param name="Certificate">The certificate index's raw NV bytes (padding and header included); empty when none.</param>
/// <param name="ChainCertificates">Raw contents of the EK-chain NV indexes 0x01C00100-0x01C001FF, in index order.</param>
public sealed record EndorsementKeyMaterial(EndorsementKeyType Type, TpmPublic Public, byte[] Name, uint CertificateIndex,
    byte[] Certificate, byte[][] ChainCertificates);

/// <summary>Gathers, on the host, everything the verifier needs to validate the TPM's EK certificates.</summary>
public static class EkCollector
{
    public const uint ChainIndexFirst = 0x01C00100;
    public const uint ChainIndexLast = 0x01C001FF;

    /// <summary>Largest NV index read; EkCertificateReader rejects anything bigger than 8 KiB anyway.</summary>
    private const int MaxIndexSize = 4 * EkCertificateReader.MaxSize;

    public static IReadOnlyList<EndorsementKeyMaterial> Read(TpmClient tpm, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tpm);
        var indexes = tpm.GetHandles(TpmHandles.NvIndexFirst, cancellationToken).ToHashSet();
        var chain = indexes.Where(i => i is >= ChainIndexFirst and <= ChainIndexLast).Order()
            .Select(i => ReadIndex(tpm, i, cancellationToken)).ToArray();
        var result = new List<EndorsementKeyMaterial>();
        foreach (var type in Enum.GetValues<EndorsementKeyType>())
        {
            uint certificateIndex = TpmTemplates.CertificateIndex(type);
            if (!indexes.Contains(certificateIndex)) continue;
            var template = Template(tpm, type, certificateIndex, indexes, cancellationToken);
            var ek = tpm.CreatePrimary(TpmHandles.Endorsement, template, TpmAuth.Empty, cancellationToken);
            tpm.TryFlush(ek.Handle);
            byte[] certificate = ReadIndex(tpm, certificateIndex, cancellationToken);
            result.Add(new EndorsementKeyMaterial(type, ek.Public, ek.Name, certificateIndex, certificate, chain));
        }
        return result;
    }

    /// <summary>
    /// The low-range templates may be overridden by the manufacturer: a TPMT_PUBLIC in the template index
    /// (certificate index + 2) and a nonce for the unique field in the nonce index (certificate index + 1).
    /// </summary>
    private static TpmPublic Template(TpmClient tpm, EndorsementKeyType type, uint certificateIndex,
        HashSet<uint> indexes, CancellationToken ct)
    {
        var template = TpmTemplates.EndorsementKey(type);
        if (type is not (EndorsementKeyType.Rsa2048 or EndorsementKeyType.EccP256)) return template;
        if (indexes.Contains(certificateIndex + 2))
        {
            var reader = new TpmReader(ReadIndex(tpm, certificateIndex + 2, ct));
            template = TpmPublic.Parse(reader);
            reader.ExpectEnd("EK template NV index");
        }
        if (!indexes.Contains(certificateIndex + 1)) return template;
        byte[] nonce = ReadIndex(tpm, certificateIndex + 1, ct);
        return template.Type == TpmAlgId.Rsa
            ? template with { Unique = Padded(nonce, 256) }
            : template with { EccX = Padded(nonce, 32), EccY = new byte[32] };
    }

    private static byte[] Padded(byte[] nonce, int size)
    {
        if (nonce.Length > size)
            throw new InvalidDataException($"The EK nonce has {nonce.Length} bytes, more than {size}");
        var unique = new byte[size];
        nonce.CopyTo(unique, 0);
        return unique;
    }

    private static byte[] ReadIndex(TpmClient tpm, uint index, CancellationToken ct)
    {
        var pub = tpm.NvReadPublic(index, ct).Public;
        if (pub.DataSize > MaxIndexSize)
            throw new InvalidDataException($"NV index 0x{index:X8} has {pub.DataSize} bytes, more than {MaxIndexSize}");
        return TpmOperations.ReadNvIndex(tpm, pub, 0, pub.DataSize, ct);
    }
}
