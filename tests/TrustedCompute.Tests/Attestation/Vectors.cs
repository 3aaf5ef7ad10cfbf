using System.Buffers.Binary;
using TrustedCompute.Attestation;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tpm;

namespace TrustedCompute.Tests.Attestation;

/// <summary>Evidence built from the shared swtpm vectors (skips when ../shared is absent).</summary>
internal static class Vectors
{
    public static byte[] Read(params string[] parts) => File.ReadAllBytes(TestPaths.Shared(parts));

    public static byte[] Hex(params string[] parts) => Convert.FromHexString(File.ReadAllText(TestPaths.Shared(parts)).Trim());

    public static TpmPublic Key(string folder, string name) => TpmPublic.FromTpm2BPublic(Read(folder, name));

    /// <summary>Evidence of one tpm-vectors quote (quote_rsa, quote_ecc, quote_rsapss, quote2bank_rsa) with its AK.</summary>
    public static (AttestationEvidence Evidence, TpmPublic Ak) Quote(string quote, string ak)
    {
        const string dir = "tpm-vectors";
        var evidence = new AttestationEvidence
        {
            HostName = "vector",
            Nonce = Hex(dir, "nonce.hex"),
            AttestationKeyPublic = Read(dir, ak + ".pub"),
            AttestationKeyName = Read(dir, ak + ".name"),
            EndorsementKeyPublic = Read(dir, "ek_rsa.pub"),
            Quotes = [new EvidenceQuote { Bank = "sha256", Attest = Read(dir, quote + ".msg"), Signature = Read(dir, quote + ".sig") }],
            PcrValues = SerializedPcrs(Read(dir, quote + ".pcrs")),
        };
        return (evidence, TpmPublic.FromTpm2BPublic(evidence.AttestationKeyPublic));
    }

    public static (AttestationEvidence Evidence, TpmPublic Ak) Synthetic()
    {
        const string dir = "eventlogs/synthetic";
        var evidence = new AttestationEvidence
        {
            HostName = "synthetic",
            Nonce = Hex(dir, "synthetic_nonce.hex"),
            AttestationKeyPublic = Read(dir, "synthetic_ak.pub"),
            Quotes = [new EvidenceQuote { Bank = "sha1+sha256", Attest = Read(dir, "synthetic_quote.msg"), Signature = Read(dir, "synthetic_quote.sig") }],
            PcrValues = SerializedPcrs(Read(dir, "synthetic_quote.pcrs")),
            EventLog = Read(dir, "synthetic_agile_eventlog.bin"),
        };
        return (evidence, TpmPublic.FromTpm2BPublic(evidence.AttestationKeyPublic));
    }

    /// <summary>tpm2-tools' "serialized" PCR file: little-endian TPML_PCR_SELECTION (132 B), u32 n, n x TPML_DIGEST (532 B).</summary>
    public static EvidencePcr[] SerializedPcrs(byte[] file)
    {
        var s = file.AsSpan();
        int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(s);
        var order = new List<(string Bank, int Index)>();
        for (int n = 0; n < count; n++)
        {
            var entry = s.Slice(4 + 8 * n, 8);
            var bank = TpmHash.BankName((TpmAlgId)BinaryPrimitives.ReadUInt16LittleEndian(entry));
            int size = entry[2];
            for (int i = 0; i < size * 8; i++) if ((entry[3 + i / 8] & (1 << (i % 8))) != 0) order.Add((bank, i));
        }
        int lists = (int)BinaryPrimitives.ReadUInt32LittleEndian(s[132..]);
        var digests = new List<byte[]>();
        for (int l = 0; l < lists; l++)
        {
            var list = s.Slice(136 + 532 * l, 532);
            int digestCount = (int)BinaryPrimitives.ReadUInt32LittleEndian(list);
            for (int d = 0; d < digestCount; d++)
            {
                var item = list.Slice(4 + 66 * d, 66);
                digests.Add(item.Slice(2, BinaryPrimitives.ReadUInt16LittleEndian(item)).ToArray());
            }
        }
        if (digests.Count != order.Count) throw new InvalidDataException($"{order.Count} PCRs selected but {digests.Count} digests");
        return order.Select((p, i) => new EvidencePcr { Bank = p.Bank, Index = p.Index, Value = digests[i] }).ToArray();
    }

    public static AttestationEvidence Clone(AttestationEvidence e) => AttestationEvidence.FromJson(e.ToJson());

    /// <summary>What a verifier that enrolled this host knows: its name, its AK, a fresh nonce and a golden policy.</summary>
    public static VerificationOptions Enrolled(AttestationEvidence evidence, TpmPublic ak, byte[]? nonce = null) => new()
    {
        HostName = evidence.HostName, ExpectedAttestationKey = ak, ExpectedNonce = nonce ?? evidence.Nonce,
        Policy = AttestationPolicy.FromEvidence(evidence),
    };

    public static string[] Ids(AttestationResult r) => r.Reasons.Select(x => x.Id).Distinct().Order().ToArray();
}
