using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using TrustedCompute.Enrollment;

namespace TrustedCompute.Tpm;

public sealed record TpmDeviceInfo(
    string Manufacturer, string VendorString, string FirmwareVersion, string SpecVersion, int SpecLevel,
    int SpecYear, int SpecDayOfYear, IReadOnlyList<string> Banks, int PcrCount, int MaxNvBuffer, string Transport);

public sealed record TpmPcrValue(int Index, string Bank, byte[] Value)
{
    public string Hex => Convert.ToHexString(Value).ToLowerInvariant();

    public override string ToString() => $"{Bank}:{Index} {Hex}";
}

public sealed record EndorsementKeyInfo(
    EndorsementKeyType KeyType, TpmPublic Public, byte[] Name, uint CertificateIndex,
    X509Certificate2? Certificate, bool? CertificateMatchesKey);

public sealed record AttestationKeyInfo(uint Handle, TpmPublic Public, byte[] Name, byte[] QualifiedName)
{
    public override string ToString() => $"0x{Handle:X8} {Public.Describe()}";
}

public sealed record TpmQuote(
    byte[] Nonce, IReadOnlyList<PcrSelection> Selections, byte[] Attest, TpmSignature Signature,
    IReadOnlyList<TpmPcrValue> PcrValues, uint AttestationKeyHandle, TpmPublic AttestationKey)
{
    public TpmAttest Parsed => TpmAttest.Parse(Attest);

    public override string ToString() => $"Quote by 0x{AttestationKeyHandle:X8} of {string.Join(" ", Selections)}";
}

/// <summary>The TPM tasks the cmdlets offer, each a short sequence of TPM commands with cleanup.</summary>
public static class TpmOperations
{
    public static TpmDeviceInfo GetDeviceInfo(TpmClient tpm, CancellationToken ct = default)
    {
        var list = tpm.GetProperties(TpmPt.FamilyIndicator, 0x30, ct);
        var props = new Dictionary<uint, uint>();
        foreach (var p in list)
        {
            if (!props.TryAdd(p.Property, p.Value))
                throw new TpmProtocolException($"TPM2_GetCapability listed property 0x{p.Property:X} twice");
        }
        uint Get(uint key) => props.GetValueOrDefault(key);
        string vendor = string.Concat(new[] { TpmPt.VendorString1, TpmPt.VendorString2, TpmPt.VendorString3, TpmPt.VendorString4 }
            .Select(k => FourCc(Get(k)))).Trim();
        uint fw1 = Get(TpmPt.FirmwareVersion1), fw2 = Get(TpmPt.FirmwareVersion2);
        var banks = tpm.GetPcrAllocation(ct).Where(s => s.Indexes.Count > 0).Select(s => TpmHash.BankName(s.Bank)).ToArray();
        return new TpmDeviceInfo(
            Manufacturer: FourCc(Get(TpmPt.Manufacturer)).Trim(),
            VendorString: vendor,
            FirmwareVersion: $"{fw1 >> 16}.{fw1 & 0xFFFF}.{fw2 >> 16}.{fw2 & 0xFFFF}",
            SpecVersion: $"{FourCc(Get(TpmPt.FamilyIndicator)).Trim()} rev {Get(TpmPt.Revision) / 100.0:0.00}",
            SpecLevel: (int)Get(TpmPt.Level),
            SpecYear: (int)Get(TpmPt.Year),
            SpecDayOfYear: (int)Get(TpmPt.DayOfYear),
            Banks: banks,
            PcrCount: (int)Get(TpmPt.PcrCount),
            MaxNvBuffer: (int)Get(TpmPt.NvBufferMax),
            Transport: tpm.Description);
    }

    private static string FourCc(uint value) =>
        new(Encoding.ASCII.GetString([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value])
            .Where(c => c >= 0x20 && c < 0x7F).ToArray());

    /// <summary>Reads PCRs of the given banks (all allocated banks when none) and indexes (all allocated when none).</summary>
    public static IReadOnlyList<TpmPcrValue> ReadPcrs(TpmClient tpm, IEnumerable<TpmAlgId>? banks, IEnumerable<int>? indexes, CancellationToken ct = default)
    {
        var allocation = tpm.GetPcrAllocation(ct).Where(s => s.Indexes.Count > 0).ToList();
        var wantedBanks = banks?.ToList();
        if (wantedBanks is { Count: > 0 })
        {
            var missing = wantedBanks.Where(b => allocation.All(a => a.Bank != b)).ToList();
            if (missing.Count > 0) throw new ArgumentException($"PCR bank(s) {string.Join(", ", missing.Select(TpmHash.BankName))} not allocated on this TPM (it has {string.Join(", ", allocation.Select(a => TpmHash.BankName(a.Bank)))})");
            allocation = allocation.Where(a => wantedBanks.Contains(a.Bank)).ToList();
        }
        var wantedIndexes = indexes?.ToList();
        var selections = allocation.Select(a => wantedIndexes is { Count: > 0 }
            ? PcrSelection.Create(a.Bank, wantedIndexes.Where(i => a.Indexes.Contains(i)))
            : a).ToList();
        var values = tpm.PcrRead(selections, out _, ct);
        return values.Select(v => new TpmPcrValue(v.Index, TpmHash.BankName(v.Bank), v.Value))
            .OrderBy(v => BankOrder(v.Bank)).ThenBy(v => v.Index).ToList();
    }

    private static int BankOrder(string bank) => bank switch { "sha1" => 0, "sha256" => 1, "sha384" => 2, "sha512" => 3, _ => 4 };

    /// <summary>Creates the EK from its TCG template (transiently), reads its certificate and checks they match.</summary>
    public static EndorsementKeyInfo GetEndorsementKey(TpmClient tpm, EndorsementKeyType type, CancellationToken ct = default)
    {
        var ek = tpm.CreatePrimary(TpmHandles.Endorsement, TpmTemplates.EndorsementKey(type), TpmAuth.Empty, ct);
        tpm.TryFlush(ek.Handle);
        uint index = TpmTemplates.CertificateIndex(type);
        var certificate = ReadCertificate(tpm, index, ct);
        bool? matches = certificate is null ? null : SamePublicKey(certificate, ek.Public);
        return new EndorsementKeyInfo(type, ek.Public, ek.Name, index, certificate, matches);
    }

    /// <summary>An X.509 certificate stored in an NV index (padding or TCG NV header allowed); null when the index is absent.</summary>
    public static X509Certificate2? ReadCertificate(TpmClient tpm, uint index, CancellationToken ct = default)
    {
        TpmNvPublic pub;
        try { pub = tpm.NvReadPublic(index, ct).Public; }
        catch (TpmException e) when (TpmResponseCode.BaseCode(e.ResponseCode) == 0x8B) { return null; }
        byte[] data = ReadNvIndex(tpm, pub, 0, pub.DataSize, ct);
        return ParseDerCertificate(data, index);
    }

    internal static X509Certificate2 ParseDerCertificate(byte[] data, uint index)
    {
        try
        {
            return EkCertificateReader.Parse(data);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"NV index 0x{index:X8} does not hold an X.509 certificate: {e.Message}", e);
        }
    }

    /// <summary>Whether the certificate is for this key; a key the TPM returned that is not a usable key (an RSA exponent of 1) is not.</summary>
    public static bool SamePublicKey(X509Certificate2 certificate, TpmPublic key)
    {
        byte[] spki;
        try { spki = key.ExportSubjectPublicKeyInfo(); }
        catch (Exception e) when (e is CryptographicException or NotSupportedException or ArgumentException) { return false; }
        return certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(spki);
    }

    /// <summary>Reads an NV index with its own auth (AuthRead) or, failing that, the owner's (OwnerRead).</summary>
    public static byte[] ReadNvIndex(TpmClient tpm, TpmNvPublic pub, int offset, int size, CancellationToken ct = default, byte[]? auth = null)
    {
        if (offset < 0 || size < 0 || offset + size > pub.DataSize)
            throw new ArgumentOutOfRangeException(nameof(size), $"NV index 0x{pub.Index:X8} has {pub.DataSize} bytes; cannot read {size} at offset {offset}");
        uint authHandle = pub.Attributes.HasFlag(TpmNvAttributes.AuthRead) || !pub.Attributes.HasFlag(TpmNvAttributes.OwnerRead)
            ? pub.Index : TpmHandles.Owner;
        return tpm.NvRead(pub.Index, offset, size, authHandle, TpmAuth.Password(auth), ct);
    }

    /// <summary>
    /// Creates an attestation key under the RSA EK (endorsement hierarchy, so quotes carry real reset counters),
    /// loads it and makes it persistent at <paramref name="persistentHandle"/>.
    /// </summary>
    public static AttestationKeyInfo CreateAttestationKey(TpmClient tpm, AttestationKeyType type, uint persistentHandle, CancellationToken ct = default)
    {
        if ((persistentHandle & 0xFF000000) != TpmHandles.PersistentFirst) throw new ArgumentException($"0x{persistentHandle:X8} is not a persistent handle (0x81xxxxxx)");
        var ek = tpm.CreatePrimary(TpmHandles.Endorsement, TpmTemplates.EndorsementKey(EndorsementKeyType.Rsa2048), TpmAuth.Empty, ct);
        uint loaded = 0;
        try
        {
            uint session = tpm.StartEndorsementPolicySession(null, ct);
            var created = tpm.Create(ek.Handle, TpmAuth.Policy(session), TpmTemplates.AttestationKey(type), ct);
            session = tpm.StartEndorsementPolicySession(null, ct);
            loaded = tpm.Load(ek.Handle, TpmAuth.Policy(session), created, ct).Handle;
            tpm.EvictControl(loaded, persistentHandle, null, ct);
        }
        finally
        {
            if (loaded != 0) tpm.TryFlush(loaded);
            tpm.TryFlush(ek.Handle);
        }
        return ReadAttestationKey(tpm, persistentHandle, ct);
    }

    public static AttestationKeyInfo ReadAttestationKey(TpmClient tpm, uint handle, CancellationToken ct = default)
    {
        var r = tpm.ReadPublic(handle, ct);
        return new AttestationKeyInfo(handle, r.Public, r.Name, r.QualifiedName);
    }

    /// <summary>Every persistent restricted signing key: the attestation keys on this TPM.</summary>
    public static IReadOnlyList<AttestationKeyInfo> GetAttestationKeys(TpmClient tpm, CancellationToken ct = default) =>
        tpm.GetHandles(TpmHandles.PersistentFirst, ct)
            .Select(h => ReadAttestationKey(tpm, h, ct))
            .Where(k => k.Public.IsRestrictedSigningKey)
            .ToList();

    public static void RemoveAttestationKey(TpmClient tpm, uint handle, CancellationToken ct = default)
    {
        var key = ReadAttestationKey(tpm, handle, ct);
        if (!key.Public.IsRestrictedSigningKey) throw new InvalidOperationException($"0x{handle:X8} is not an attestation key (restricted signing key); not removed");
        tpm.EvictControl(handle, handle, null, ct);
    }

    /// <summary>
    /// Quotes the selected PCRs with the key at <paramref name="akHandle"/> and reads the values quoted. If a PCR
    /// changes between the quote and the read (update counter moved), quotes again, up to 3 times.
    /// </summary>
    public static TpmQuote Quote(TpmClient tpm, uint akHandle, byte[] nonce, IReadOnlyList<PcrSelection> selections, CancellationToken ct = default)
    {
        var ak = tpm.ReadPublic(akHandle, ct).Public;
        if (!ak.IsRestrictedSigningKey) throw new InvalidOperationException($"0x{akHandle:X8} is not a restricted signing key");
        for (int attempt = 0; ; attempt++)
        {
            tpm.PcrRead(selections, out uint before, ct);
            var quote = tpm.Quote(akHandle, TpmAuth.Empty, nonce, selections, ct);
            var values = tpm.PcrRead(selections, out uint after, ct);
            if (before == after || attempt == 2)
            {
                var ordered = selections.SelectMany(s => s.Indexes.Select(i => values.First(v => v.Bank == s.Bank && v.Index == i)))
                    .Select(v => new TpmPcrValue(v.Index, TpmHash.BankName(v.Bank), v.Value)).ToList();
                return new TpmQuote(nonce, selections, quote.Attest, quote.Signature, ordered, akHandle, ak);
            }
        }
    }

    /// <summary>
    /// Credential activation on the host: the TPM releases the verifier's secret only if the AK at
    /// <paramref name="akHandle"/> and the EK of <paramref name="ekType"/> (created from its template) are both
    /// resident in this TPM (TPM2_ActivateCredential). Both byte arrays are TPM2B contents without the size prefix.
    /// </summary>
    public static byte[] ActivateCredential(TpmClient tpm, uint akHandle, byte[] credentialBlob, byte[] encryptedSecret,
        EndorsementKeyType ekType = EndorsementKeyType.Rsa2048, CancellationToken ct = default)
    {
        var template = TpmTemplates.EndorsementKey(ekType);
        var ek = tpm.CreatePrimary(TpmHandles.Endorsement, template, TpmAuth.Empty, ct);
        uint session = 0;
        try
        {
            // Low-range EKs allow their USER role only through PolicySecret(endorsement); high-range ones also by auth.
            if (TpmTemplates.NeedsPolicySession(template)) session = tpm.StartEndorsementPolicySession(null, ct);
            var ekAuth = session == 0 ? TpmAuth.Empty : TpmAuth.Policy(session);
            return tpm.ActivateCredential(akHandle, TpmAuth.Empty, ek.Handle, ekAuth, credentialBlob, encryptedSecret, ct);
        }
        finally
        {
            // A failed command leaves its policy session open; after success the handle is already gone.
            if (session != 0) tpm.TryFlush(session);
            tpm.TryFlush(ek.Handle);
        }
    }

    /// <summary>Extends <paramref name="data"/>'s hash (or a given digest) into one PCR of every allocated bank.</summary>
    public static void ExtendPcr(TpmClient tpm, int index, byte[] data, IEnumerable<TpmAlgId>? banks, CancellationToken ct = default)
    {
        var bankList = banks?.ToList() is { Count: > 0 } b ? b
            : tpm.GetPcrAllocation(ct).Where(s => s.Indexes.Contains(index)).Select(s => s.Bank).ToList();
        tpm.PcrExtend(index, bankList.Select(bank => (bank, TpmHash.Hash(bank, data))).ToList(), ct);
    }
}
