using TrustedCompute.EventLog;
using TrustedCompute.Tpm;

namespace TrustedCompute.Attestation;

/// <summary>Gathers evidence from a local TPM: AK and EK public parts, one quote per bank, the PCRs quoted, the event log.</summary>
public static class EvidenceCollector
{
    public static AttestationEvidence Collect(TpmClient tpm, uint attestationKey, byte[] nonce, IReadOnlyList<PcrSelection> selections,
        byte[]? eventLog, string hostName, CancellationToken cancellationToken = default)
    {
        if (nonce.Length is 0 or > 64) throw new ArgumentException("The nonce must be 1 to 64 bytes", nameof(nonce));
        var ak = TpmOperations.ReadAttestationKey(tpm, attestationKey, cancellationToken);
        var (ekPublic, ekCertificate) = EndorsementKey(tpm, cancellationToken);
        var quotes = new List<EvidenceQuote>();
        var values = new List<EvidencePcr>();
        foreach (var selection in selections)
        {
            var quote = TpmOperations.Quote(tpm, attestationKey, nonce, [selection], cancellationToken);
            quotes.Add(new EvidenceQuote { Bank = TpmHash.BankName(selection.Bank), Attest = quote.Attest, Signature = quote.Signature.Marshal() });
            values.AddRange(quote.PcrValues.Select(v => new EvidencePcr { Bank = v.Bank, Index = v.Index, Value = v.Value }));
        }
        return new AttestationEvidence
        {
            HostName = hostName,
            CollectedAt = DateTime.UtcNow,
            Nonce = nonce,
            AttestationKeyPublic = ak.Public.ToTpm2BPublic(),
            AttestationKeyName = ak.Name,
            AttestationKeyQualifiedName = ak.QualifiedName,
            EndorsementKeyPublic = ekPublic.ToTpm2BPublic(),
            EndorsementKeyCertificate = ekCertificate,
            Quotes = [.. quotes],
            PcrValues = [.. values],
            EventLog = eventLog ?? [],
        };
    }

    /// <summary>
    /// The RSA EK: the persistent one at 0x81010001 when it has the TCG template's shape (cheap), else created from the
    /// template (RSA key generation can take seconds on a hardware TPM). With its certificate when the TPM has one.
    /// </summary>
    private static (TpmPublic Public, byte[] Certificate) EndorsementKey(TpmClient tpm, CancellationToken ct)
    {
        var template = TpmTemplates.EndorsementKey(EndorsementKeyType.Rsa2048);
        try
        {
            var persistent = tpm.ReadPublic(TpmHandles.EkPersistentRsa, ct).Public;
            if (persistent.Type == template.Type && persistent.NameAlg == template.NameAlg && persistent.Attributes == template.Attributes
                && persistent.AuthPolicy.AsSpan().SequenceEqual(template.AuthPolicy))
            {
                using var certificate = TpmOperations.ReadCertificate(tpm, TpmTemplates.CertificateIndex(EndorsementKeyType.Rsa2048), ct);
                return (persistent, certificate?.RawData ?? []);
            }
        }
        catch (TpmException) { }
        var ek = TpmOperations.GetEndorsementKey(tpm, EndorsementKeyType.Rsa2048, ct);
        using (ek.Certificate) return (ek.Public, ek.Certificate?.RawData ?? []);
    }

    /// <summary>
    /// The event log for evidence, read through <see cref="EventLogSource"/> as the event-log cmdlets read it: the file
    /// at <paramref name="path"/>, else this machine's log (TBS on Windows, securityfs on Linux); null when this machine
    /// has none or it may not be read.
    /// </summary>
    public static byte[]? ReadLocalEventLog(string? path, EventLogParseOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        if (path is not null) return EventLogSource.ReadFileBytes(path, options, cancellationToken);
        try
        {
            return EventLogSource.ReadLocalBytes(options, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return null;
        }
    }
}
