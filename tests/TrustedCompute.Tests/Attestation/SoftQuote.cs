using System.Security.Cryptography;
using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;

namespace TrustedCompute.Tests.Attestation;

/// <summary>A software attestation key that signs TPMS_ATTEST quotes the way a TPM does, for cases a simulator cannot easily make.</summary>
internal sealed class SoftQuote : IDisposable
{
    private readonly RSA _key = RSA.Create(2048);

    public SoftQuote()
    {
        var p = _key.ExportParameters(false);
        Public = new TpmPublic
        {
            Type = TpmAlgId.Rsa,
            Attributes = TpmObjectAttributes.FixedTpm | TpmObjectAttributes.FixedParent | TpmObjectAttributes.SensitiveDataOrigin
                | TpmObjectAttributes.UserWithAuth | TpmObjectAttributes.Restricted | TpmObjectAttributes.Sign,
            Scheme = TpmAlgId.RsaSsa,
            SchemeHash = TpmAlgId.Sha256,
            KeyBits = 2048,
            Unique = p.Modulus!,
        };
    }

    public TpmPublic Public { get; }

    public byte[] Nonce { get; } = RandomNumberGenerator.GetBytes(20);

    /// <summary>Evidence quoting the given PCR values (one quote per bank), with an optional event log.</summary>
    public AttestationEvidence Evidence(IReadOnlyDictionary<(TpmAlgId Bank, int Index), byte[]> pcrs, byte[]? log = null, bool safe = true, uint resetCount = 1)
    {
        var quotes = pcrs.GroupBy(kv => kv.Key.Bank).OrderBy(g => g.Key).Select(g =>
        {
            var selection = PcrSelection.Create(g.Key, g.Select(kv => kv.Key.Index));
            var values = selection.Indexes.SelectMany(i => pcrs[(g.Key, i)]).ToArray();
            var w = new TpmWriter().UInt32(TpmAttest.GeneratedValue).UInt16((ushort)TpmSt.AttestQuote)
                .Sized(Public.Name()).Sized(Nonce).UInt64(1000).UInt32(resetCount).UInt32(0).Byte(safe ? (byte)1 : (byte)0).UInt64(42);
            PcrSelection.WriteList(w, [selection]);
            byte[] attest = w.Sized(SHA256.HashData(values)).ToArray();
            var sig = new TpmSignature(TpmAlgId.RsaSsa, TpmAlgId.Sha256, _key.SignData(attest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), [], []);
            return new EvidenceQuote { Bank = TpmHash.BankName(g.Key), Attest = attest, Signature = sig.Marshal() };
        }).ToArray();
        return new AttestationEvidence
        {
            HostName = "soft",
            CollectedAt = DateTime.UtcNow,
            Nonce = Nonce,
            AttestationKeyPublic = Public.ToTpm2BPublic(),
            AttestationKeyName = Public.Name(),
            Quotes = quotes,
            PcrValues = pcrs.Select(kv => new EvidencePcr { Bank = TpmHash.BankName(kv.Key.Bank), Index = kv.Key.Index, Value = kv.Value }).ToArray(),
            EventLog = log ?? [],
        };
    }

    /// <summary>The PCRs a log replays to (every PCR it touches, in every bank).</summary>
    public static Dictionary<(TpmAlgId, int), byte[]> Replayed(byte[] log, EventLogQuirks quirks = EventLogQuirks.None) =>
        TcgEventLog.Parse(log).Replay(quirks).Pcrs.ToDictionary(p => (p.Algorithm, p.Index), p => p.Value);

    /// <summary>Verifies as an enrolling verifier would: this key, this nonce, the host's name, and the policy (golden values of the evidence by default).</summary>
    public AttestationResult Verify(AttestationEvidence evidence, AttestationPolicy? policy = null) =>
        QuoteVerifier.Verify(evidence, new VerificationOptions
        {
            ExpectedAttestationKey = Public, ExpectedNonce = Nonce, HostName = evidence.HostName,
            Policy = policy ?? Golden(evidence),
        });

    /// <summary>Golden values of the evidence's well-formed PCR values (a junk value would not make a policy).</summary>
    private static AttestationPolicy Golden(AttestationEvidence evidence)
    {
        var sane = evidence.PcrValues.Where(p => p.Bank is "sha1" or "sha256" && p.Index is >= 0 and < 24
            && p.Value.Length == PcrBanks.DigestSize(PcrBanks.Parse(p.Bank))).GroupBy(p => (p.Bank, p.Index)).Select(g => g.First()).ToArray();
        var copy = new AttestationEvidence { HostName = evidence.HostName, PcrValues = sane.Length > 0 ? sane : [new EvidencePcr { Bank = "sha256", Value = new byte[32] }] };
        return AttestationPolicy.FromEvidence(copy);
    }

    public void Dispose() => _key.Dispose();
}
