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
        var ek = TpmOperations.GetEndorsementKey(tpm, EndorsementKeyType.Rsa2048, cancellationToken);
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
            EndorsementKeyPublic = ek.Public.ToTpm2BPublic(),
            EndorsementKeyCertificate = ek.Certificate?.RawData ?? [],
            Quotes = [.. quotes],
            PcrValues = [.. values],
            EventLog = eventLog ?? [],
        };
    }

    /// <summary>The local event log's bytes, or null when this machine has none.</summary>
    public static byte[]? ReadLocalEventLog(string? path)
    {
        if (path is not null)
        {
            if (new FileInfo(path).Length > EventLogParseOptions.Default.MaxLogSize) throw new InvalidDataException($"{path} is larger than the maximum log size");
            return File.ReadAllBytes(path);
        }
        if (OperatingSystem.IsLinux() && File.Exists(EventLogSource.LinuxPath))
        {
            try { return File.ReadAllBytes(EventLogSource.LinuxPath); }
            catch (UnauthorizedAccessException) { return null; }
        }
        return null;
    }
}
