using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;

namespace TrustedCompute.Fuzz;

/// <summary>
/// Well-formed inputs made with the project's own writers, so the fuzzer starts past the first checks: a fixed ECDSA
/// attestation key (the same in every run, so saved inputs replay the same way), event logs, evidence, a certificate.
/// </summary>
public static class FuzzSamples
{
    public const string HostName = "fuzz-host";

    public static byte[] Nonce { get; } = SHA256.HashData("TrustedCompute fuzz nonce"u8)[..20];

    private static readonly ECParameters KeyParameters = MakeKey();

    /// <summary>The attestation key every evidence target trusts (ECDSA P-256, restricted signing).</summary>
    public static TpmPublic AttestationKey { get; } = TpmTemplates.AttestationKey(AttestationKeyType.EcDsa) with
    {
        EccX = KeyParameters.Q.X!,
        EccY = KeyParameters.Q.Y!,
    };

    private static ECParameters MakeKey()
    {
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = SHA256.HashData("TrustedCompute fuzz attestation key"u8),
        });
        return key.ExportParameters(includePrivateParameters: true);
    }

    /// <summary>A TPMT_SIGNATURE (ECDSA, SHA-256) over <paramref name="attest"/> by the fixed key.</summary>
    public static byte[] Sign(byte[] attest)
    {
        using var key = ECDsa.Create(KeyParameters);
        byte[] rs = key.SignData(attest, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new TpmSignature(TpmAlgId.EcDsa, TpmAlgId.Sha256, [], rs[..32], rs[32..]).Marshal();
    }

    /// <summary>A crypto-agile event log (SHA-1 and SHA-256) of a few typical events.</summary>
    public static byte[] EventLog()
    {
        var log = new LogWriter([TpmAlgId.Sha1, TpmAlgId.Sha256]);
        log.Add(0, TcgEventType.EV_NO_ACTION, [.. "StartupLocality\0"u8, 0]);
        log.Add(0, TcgEventType.EV_S_CRTM_VERSION, Encoding.Unicode.GetBytes("1.0\0"));
        log.Add(0, TcgEventType.EV_POST_CODE, "POST CODE"u8.ToArray());
        log.Add(7, TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG, EfiVariable(
            new Guid("8be4df61-93ca-11d2-aa0d-00e098032b8c"), "SecureBoot", [1]));
        for (int pcr = 0; pcr <= 7; pcr++) log.Add(pcr, TcgEventType.EV_SEPARATOR, new byte[4]);
        log.Add(4, TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION, new byte[32]);
        log.Add(5, TcgEventType.EV_EFI_ACTION, Encoding.ASCII.GetBytes(EventLogQuirkRules.ExitBootServicesInvocation));
        log.Add(8, TcgEventType.EV_IPL, "kernel_cmdline: /vmlinuz root=/dev/sda1 ro\0"u8.ToArray());
        return log.ToArray();
    }

    /// <summary>UEFI_VARIABLE_DATA: GUID, name length, data length, UTF-16 name, data.</summary>
    public static byte[] EfiVariable(Guid vendor, string name, byte[] data)
    {
        var bytes = new List<byte>(vendor.ToByteArray());
        bytes.AddRange(LittleEndian((ulong)name.Length));
        bytes.AddRange(LittleEndian((ulong)data.Length));
        bytes.AddRange(Encoding.Unicode.GetBytes(name));
        bytes.AddRange(data);
        return [.. bytes];
    }

    /// <summary>Signed evidence over the PCRs <see cref="EventLog"/> replays to, one quote per bank.</summary>
    public static AttestationEvidence Evidence(byte[]? log = null, params TpmAlgId[] banks)
    {
        log ??= EventLog();
        if (banks.Length == 0) banks = [TpmAlgId.Sha256];
        var replay = TcgEventLog.Parse(log).Replay();
        var quotes = new List<EvidenceQuote>();
        var pcrs = new List<EvidencePcr>();
        ulong clock = 5000;
        foreach (var bank in banks)
        {
            var values = replay.Pcrs.Where(p => p.Algorithm == bank).OrderBy(p => p.Index).ToList();
            var selection = PcrSelection.Create(bank, values.Select(v => v.Index));
            byte[] attest = QuoteAttest(selection, values.SelectMany(v => v.Value).ToArray(), clock++);
            quotes.Add(new EvidenceQuote { Bank = TpmHash.BankName(bank), Attest = attest, Signature = Sign(attest) });
            pcrs.AddRange(values.Select(v =>
                new EvidencePcr { Bank = TpmHash.BankName(bank), Index = v.Index, Value = v.Value }));
        }
        return new AttestationEvidence
        {
            HostName = HostName,
            CollectedAt = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            Nonce = Nonce,
            AttestationKeyPublic = AttestationKey.ToTpm2BPublic(),
            AttestationKeyName = AttestationKey.Name(),
            Quotes = [.. quotes],
            PcrValues = [.. pcrs],
            EventLog = log,
        };
    }

    /// <summary>TPMS_ATTEST of a quote by the fixed key over <paramref name="pcrValues"/> (concatenated in order).</summary>
    public static byte[] QuoteAttest(PcrSelection selection, byte[] pcrValues, ulong clock = 5000)
    {
        var w = new TpmWriter().UInt32(TpmAttest.GeneratedValue).UInt16((ushort)TpmSt.AttestQuote)
            .Sized(AttestationKey.Name()).Sized(Nonce).UInt64(clock).UInt32(1).UInt32(0).Byte(1).UInt64(0x20260101);
        PcrSelection.WriteList(w, [selection]);
        return w.Sized(SHA256.HashData(pcrValues)).ToArray();
    }

    /// <summary>A DER certificate shaped like an EK certificate (RSA 2048, TCG EK OID in extended key usage).</summary>
    public static byte[] Certificate(bool ecc)
    {
        using AsymmetricAlgorithm key = ecc ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        var subject = new X500DistinguishedName("CN=TrustedCompute fuzz EK, O=TrustedCompute");
        var request = key is RSA rsa
            ? new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("2.23.133.8.1")], critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var certificate = request.CreateSelfSigned(from, from.AddYears(20));
        return certificate.RawData;
    }

    private static byte[] LittleEndian(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }

    /// <summary>Writes a crypto-agile TCG log: the Spec ID header, then events whose digests hash their data.</summary>
    public sealed class LogWriter
    {
        private readonly MemoryStream _log = new();
        private readonly TpmAlgId[] _banks;

        public LogWriter(TpmAlgId[] banks)
        {
            _banks = banks;
            var header = new MemoryStream();
            header.Write("Spec ID Event03\0"u8);
            U32(header, 0);
            header.Write([0, 2, 0, 2]);
            U32(header, (uint)banks.Length);
            foreach (var bank in banks)
            {
                U16(header, (ushort)bank);
                U16(header, (ushort)PcrBanks.DigestSize(bank));
            }
            header.WriteByte(0);
            U32(_log, 0);
            U32(_log, (uint)TcgEventType.EV_NO_ACTION);
            _log.Write(new byte[20]);
            U32(_log, (uint)header.Length);
            header.WriteTo(_log);
        }

        public void Add(int pcr, TcgEventType type, byte[] data)
        {
            U32(_log, (uint)pcr);
            U32(_log, (uint)type);
            U32(_log, (uint)_banks.Length);
            foreach (var bank in _banks)
            {
                U16(_log, (ushort)bank);
                _log.Write(type == TcgEventType.EV_NO_ACTION ? new byte[PcrBanks.DigestSize(bank)] : PcrBanks.Hash(bank, data));
            }
            U32(_log, (uint)data.Length);
            _log.Write(data);
        }

        public byte[] ToArray() => _log.ToArray();

        private static void U32(Stream s, uint v)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, v);
            s.Write(b);
        }

        private static void U16(Stream s, ushort v)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(b, v);
            s.Write(b);
        }
    }
}
