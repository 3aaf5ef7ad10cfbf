using System.Security.Cryptography;

namespace TrustedCompute.Tpm;

public sealed record TpmProperty(uint Property, uint Value);
public sealed record TpmAlgorithmProperty(TpmAlgId Algorithm, uint Attributes);
public sealed record TpmReadPublicResult(TpmPublic Public, byte[] Name, byte[] QualifiedName);
public sealed record TpmCreatedObject(uint Handle, TpmPublic Public, byte[] Name);
public sealed record TpmCreateResult(byte[] Private, TpmPublic Public);
public sealed record TpmQuoteResult(byte[] Attest, TpmSignature Signature);

/// <summary>TPMS_NV_PUBLIC.</summary>
public sealed record TpmNvPublic(uint Index, TpmAlgId NameAlg, TpmNvAttributes Attributes, byte[] AuthPolicy, ushort DataSize)
{
    public override string ToString() => $"0x{Index:X8} ({DataSize} bytes, {Attributes})";

    public byte[] Marshal() =>
        new TpmWriter().UInt32(Index).Alg(NameAlg).UInt32((uint)Attributes).Sized(AuthPolicy).UInt16(DataSize).ToArray();

    public static TpmNvPublic Parse(TpmReader r)
    {
        var p = new TpmNvPublic(r.ReadUInt32("TPMS_NV_PUBLIC.nvIndex"), r.ReadAlg("TPMS_NV_PUBLIC.nameAlg"),
            (TpmNvAttributes)r.ReadUInt32("TPMS_NV_PUBLIC.attributes"), r.ReadSized("TPMS_NV_PUBLIC.authPolicy", 64),
            r.ReadUInt16("TPMS_NV_PUBLIC.dataSize"));
        if (!TpmHash.IsHash(p.NameAlg)) throw new TpmProtocolException($"TPMS_NV_PUBLIC.nameAlg 0x{(ushort)p.NameAlg:X4} is not a hash algorithm");
        return p;
    }

    /// <summary>The index's Name: nameAlg || H(TPMS_NV_PUBLIC).</summary>
    public byte[] Name() => new TpmWriter().Alg(NameAlg).Bytes(TpmHash.Hash(NameAlg, Marshal())).ToArray();
}

[Flags]
public enum TpmNvAttributes : uint
{
    None = 0,
    PpWrite = 0x00000001,
    OwnerWrite = 0x00000002,
    AuthWrite = 0x00000004,
    PolicyWrite = 0x00000008,
    PolicyDelete = 0x00000400,
    WriteLocked = 0x00000800,
    WriteAll = 0x00001000,
    WriteDefine = 0x00002000,
    WriteStClear = 0x00004000,
    GlobalLock = 0x00008000,
    PpRead = 0x00010000,
    OwnerRead = 0x00020000,
    AuthRead = 0x00040000,
    PolicyRead = 0x00080000,
    NoDA = 0x02000000,
    Orderly = 0x04000000,
    ClearStClear = 0x08000000,
    ReadLocked = 0x10000000,
    Written = 0x20000000,
    PlatformCreate = 0x40000000,
    ReadStClear = 0x80000000,
}

public sealed partial class TpmClient
{
    private const int MaxDigest = 64;
    private const int MaxBuffer = 4096;
    private static readonly TpmAuth[] NoAuth = [];

    public void Startup(CancellationToken cancellationToken = default)
    {
        var p = new TpmWriter().UInt16(0x0000);
        byte[] response = _transport.Transmit(BuildCommand(TpmCc.Startup, [], NoAuth, p.AsSpan()), cancellationToken);
        try { ParseResponse(TpmCc.Startup, response, false, 0, out _); }
        catch (TpmException e) when (e.ResponseCode == 0x100) { } // already started
        _started = true;
    }

    /// <summary>TPM2_Shutdown(CLEAR): an orderly shutdown before the TPM loses power.</summary>
    public void Shutdown(CancellationToken cancellationToken = default) =>
        Execute(TpmCc.Shutdown, [], NoAuth, new TpmWriter().UInt16(0x0000).AsSpan(), cancellationToken);

    public byte[] GetRandom(int count, CancellationToken cancellationToken = default)
    {
        var result = new List<byte>(count);
        while (result.Count < count)
        {
            int ask = Math.Min(count - result.Count, 32);
            var r = Execute(TpmCc.GetRandom, [], NoAuth, new TpmWriter().UInt16((ushort)ask).AsSpan(), cancellationToken);
            var bytes = r.ReadSized("randomBytes", MaxDigest);
            if (bytes.Length == 0) throw new TpmProtocolException("TPM2_GetRandom returned no bytes");
            result.AddRange(bytes.Take(count - result.Count));
        }
        return [.. result];
    }

    private TpmReader GetCapability(TpmCap capability, uint property, uint count, out bool moreData, CancellationToken cancellationToken)
    {
        var p = new TpmWriter().UInt32((uint)capability).UInt32(property).UInt32(count);
        var r = Execute(TpmCc.GetCapability, [], NoAuth, p.AsSpan(), cancellationToken);
        moreData = r.ReadByte("moreData") != 0;
        uint cap = r.ReadUInt32("TPMS_CAPABILITY_DATA.capability");
        if (cap != (uint)capability) throw new TpmProtocolException($"TPM2_GetCapability answered capability {cap} for {capability}");
        return r;
    }

    /// <summary>TPM properties from <paramref name="first"/> on, following moreData.</summary>
    public IReadOnlyList<TpmProperty> GetProperties(uint first, uint count, CancellationToken cancellationToken = default)
    {
        var list = new List<TpmProperty>();
        uint next = first, end = first + count;
        while (next < end)
        {
            var r = GetCapability(TpmCap.TpmProperties, next, end - next, out bool more, cancellationToken);
            int n = r.ReadCount("TPML_TAGGED_TPM_PROPERTY.count", 256);
            if (n == 0) break;
            for (int i = 0; i < n; i++) list.Add(new TpmProperty(r.ReadUInt32("property"), r.ReadUInt32("value")));
            if (!more) break;
            uint last = list[^1].Property;
            if (last < next) throw new TpmProtocolException("TPM2_GetCapability properties went backwards");
            next = last + 1;
        }
        return list;
    }

    public IReadOnlyList<TpmAlgorithmProperty> GetAlgorithms(CancellationToken cancellationToken = default)
    {
        var r = GetCapability(TpmCap.Algs, 0, 128, out _, cancellationToken);
        int n = r.ReadCount("TPML_ALG_PROPERTY.count", 128);
        var list = new List<TpmAlgorithmProperty>(n);
        for (int i = 0; i < n; i++) list.Add(new TpmAlgorithmProperty(r.ReadAlg("alg"), r.ReadUInt32("algProperties")));
        return list;
    }

    /// <summary>The PCR banks and which PCRs each has allocated.</summary>
    public IReadOnlyList<PcrSelection> GetPcrAllocation(CancellationToken cancellationToken = default)
    {
        var r = GetCapability(TpmCap.Pcrs, 0, 1, out _, cancellationToken);
        return PcrSelection.ReadList(r);
    }

    /// <summary>Handles from <paramref name="first"/> within its range (e.g. 0x81000000 persistent, 0x01000000 NV).</summary>
    public IReadOnlyList<uint> GetHandles(uint first, CancellationToken cancellationToken = default)
    {
        var list = new List<uint>();
        uint next = first, rangeEnd = (first & 0xFF000000) + 0x00FFFFFF;
        while (true)
        {
            var r = GetCapability(TpmCap.Handles, next, 64, out bool more, cancellationToken);
            int n = r.ReadCount("TPML_HANDLE.count", 256);
            for (int i = 0; i < n; i++)
            {
                uint h = r.ReadUInt32("handle");
                if (h >= first && h <= rangeEnd) list.Add(h);
            }
            if (!more || n == 0 || list.Count == 0 || list[^1] >= rangeEnd) break;
            next = list[^1] + 1;
        }
        return list;
    }

    /// <summary>
    /// Reads the selected PCRs. A TPM returns at most 8 digests per call: asks again for what it left out, and
    /// checks that every value comes back with the bank's digest size.
    /// </summary>
    public IReadOnlyList<(TpmAlgId Bank, int Index, byte[] Value)> PcrRead(IReadOnlyList<PcrSelection> selections, out uint updateCounter,
        CancellationToken cancellationToken = default)
    {
        var pending = selections.Where(s => s.Indexes.Count > 0).Select(s => (s.Bank, Left: new SortedSet<int>(s.Indexes))).ToList();
        var values = new List<(TpmAlgId, int, byte[])>();
        updateCounter = 0;
        while (pending.Any(p => p.Left.Count > 0))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ask = pending.Where(p => p.Left.Count > 0).Select(p => new PcrSelection(p.Bank, p.Left.ToArray())).ToList();
            var w = new TpmWriter();
            PcrSelection.WriteList(w, ask);
            var r = Execute(TpmCc.PcrRead, [], NoAuth, w.AsSpan(), cancellationToken);
            updateCounter = r.ReadUInt32("pcrUpdateCounter");
            var got = PcrSelection.ReadList(r);
            int count = r.ReadCount("TPML_DIGEST.count", 8);
            var digests = new List<byte[]>(count);
            for (int i = 0; i < count; i++) digests.Add(r.ReadSized("TPML_DIGEST.digests", MaxDigest));
            int k = 0;
            foreach (var s in got)
            {
                var entry = pending.FirstOrDefault(p => p.Bank == s.Bank);
                foreach (int index in s.Indexes)
                {
                    if (entry.Left is null || !entry.Left.Remove(index)) throw new TpmProtocolException($"TPM2_PCR_Read returned {TpmHash.BankName(s.Bank)}:{index}, which was not asked for");
                    if (k >= digests.Count) throw new TpmProtocolException("TPM2_PCR_Read returned fewer digests than selected PCRs");
                    if (digests[k].Length != TpmHash.DigestSize(s.Bank)) throw new TpmProtocolException($"TPM2_PCR_Read digest for {TpmHash.BankName(s.Bank)}:{index} has {digests[k].Length} bytes");
                    values.Add((s.Bank, index, digests[k++]));
                }
            }
            if (k != digests.Count) throw new TpmProtocolException("TPM2_PCR_Read returned more digests than selected PCRs");
            if (k == 0) throw new TpmProtocolException($"TPM2_PCR_Read returned nothing for {string.Join(' ', ask)}: not allocated on this TPM");
        }
        return values;
    }

    /// <summary>TPM2_PCR_Extend of one or more banks' digests into PCR <paramref name="index"/>.</summary>
    public void PcrExtend(int index, IReadOnlyList<(TpmAlgId Bank, byte[] Digest)> digests, CancellationToken cancellationToken = default)
    {
        if (index is < 0 or > 23) throw new ArgumentOutOfRangeException(nameof(index), "PCR index must be 0 to 23");
        var w = new TpmWriter().UInt32((uint)digests.Count);
        foreach (var (bank, digest) in digests)
        {
            if (digest.Length != TpmHash.DigestSize(bank)) throw new ArgumentException($"A {TpmHash.BankName(bank)} digest has {TpmHash.DigestSize(bank)} bytes, not {digest.Length}");
            w.Alg(bank).Bytes(digest);
        }
        Execute(TpmCc.PcrExtend, [(uint)index], [TpmAuth.Empty], w.AsSpan(), cancellationToken);
    }

    public TpmReadPublicResult ReadPublic(uint handle, CancellationToken cancellationToken = default)
    {
        var r = Execute(TpmCc.ReadPublic, [handle], NoAuth, [], cancellationToken);
        var pub = TpmPublic.ParseSized(r);
        return new TpmReadPublicResult(pub, r.ReadSized("name", 2 + MaxDigest), r.ReadSized("qualifiedName", 2 + MaxDigest));
    }

    public TpmCreatedObject CreatePrimary(uint hierarchy, TpmPublic template, TpmAuth hierarchyAuth, CancellationToken cancellationToken = default)
    {
        var w = new TpmWriter();
        WriteEmptySensitive(w);
        w.Sized(template.Marshal()).Sized([]).UInt32(0);
        var r = Execute(TpmCc.CreatePrimary, [hierarchy], [hierarchyAuth], w.AsSpan(), 1, out var handles, cancellationToken);
        var pub = TpmPublic.ParseSized(r);
        SkipCreationData(r);
        return new TpmCreatedObject(handles[0], pub, r.ReadSized("name", 2 + MaxDigest));
    }

    public TpmCreateResult Create(uint parent, TpmAuth parentAuth, TpmPublic template, CancellationToken cancellationToken = default)
    {
        var w = new TpmWriter();
        WriteEmptySensitive(w);
        w.Sized(template.Marshal()).Sized([]).UInt32(0);
        var r = Execute(TpmCc.Create, [parent], [parentAuth], w.AsSpan(), cancellationToken);
        var priv = r.ReadSized("outPrivate", MaxBuffer);
        var pub = TpmPublic.ParseSized(r);
        SkipCreationData(r);
        return new TpmCreateResult(priv, pub);
    }

    public TpmCreatedObject Load(uint parent, TpmAuth parentAuth, TpmCreateResult key, CancellationToken cancellationToken = default)
    {
        var w = new TpmWriter().Sized(key.Private).Sized(key.Public.Marshal());
        var r = Execute(TpmCc.Load, [parent], [parentAuth], w.AsSpan(), 1, out var handles, cancellationToken);
        return new TpmCreatedObject(handles[0], key.Public, r.ReadSized("name", 2 + MaxDigest));
    }

    /// <summary>Makes a loaded object persistent at <paramref name="persistentHandle"/>, or evicts a persistent one (same handle twice).</summary>
    public void EvictControl(uint objectHandle, uint persistentHandle, TpmAuth? ownerAuth = null, CancellationToken cancellationToken = default) =>
        Execute(TpmCc.EvictControl, [TpmHandles.Owner, objectHandle], [ownerAuth ?? TpmAuth.Empty],
            new TpmWriter().UInt32(persistentHandle).AsSpan(), cancellationToken);

    public void FlushContext(uint handle, CancellationToken cancellationToken = default) =>
        Execute(TpmCc.FlushContext, [], NoAuth, new TpmWriter().UInt32(handle).AsSpan(), cancellationToken);

    public TpmQuoteResult Quote(uint signHandle, TpmAuth keyAuth, byte[] qualifyingData, IReadOnlyList<PcrSelection> selections,
        CancellationToken cancellationToken = default)
    {
        if (qualifyingData.Length > MaxDigest) throw new ArgumentException("Qualifying data (the nonce) is at most 64 bytes", nameof(qualifyingData));
        var w = new TpmWriter().Sized(qualifyingData).Alg(TpmAlgId.Null);
        PcrSelection.WriteList(w, selections);
        var r = Execute(TpmCc.Quote, [signHandle], [keyAuth], w.AsSpan(), cancellationToken);
        var attest = r.ReadSized("TPM2B_ATTEST", TpmAttest.MaxSize);
        return new TpmQuoteResult(attest, TpmSignature.Parse(r));
    }

    public (TpmNvPublic Public, byte[] Name) NvReadPublic(uint index, CancellationToken cancellationToken = default)
    {
        var r = Execute(TpmCc.NvReadPublic, [index], NoAuth, [], cancellationToken);
        var pub = r.ReadSizedStructure("TPM2B_NV_PUBLIC", 2 + 4 + 4 + 2 + 64 + 2 + 8, TpmNvPublic.Parse);
        return (pub, r.ReadSized("nvName", 2 + MaxDigest));
    }

    /// <summary>Reads <paramref name="size"/> bytes from <paramref name="offset"/>, in chunks of the TPM's NV buffer.</summary>
    public byte[] NvRead(uint index, int offset, int size, uint authHandle, TpmAuth auth, CancellationToken cancellationToken = default)
    {
        int chunk = MaxNvBuffer(cancellationToken);
        var result = new byte[size];
        for (int done = 0; done < size;)
        {
            int ask = Math.Min(chunk, size - done);
            var w = new TpmWriter().UInt16((ushort)ask).UInt16((ushort)(offset + done));
            var r = Execute(TpmCc.NvRead, [authHandle, index], [auth], w.AsSpan(), cancellationToken);
            var data = r.ReadSized("TPM2B_MAX_NV_BUFFER", chunk);
            if (data.Length != ask) throw new TpmProtocolException($"TPM2_NV_Read returned {data.Length} bytes, asked for {ask}");
            data.CopyTo(result, done);
            done += ask;
        }
        return result;
    }

    public void NvWrite(uint index, int offset, ReadOnlySpan<byte> data, uint authHandle, TpmAuth auth, CancellationToken cancellationToken = default)
    {
        int chunk = MaxNvBuffer(cancellationToken);
        for (int done = 0; done < data.Length;)
        {
            int n = Math.Min(chunk, data.Length - done);
            var w = new TpmWriter().Sized(data.Slice(done, n)).UInt16((ushort)(offset + done));
            Execute(TpmCc.NvWrite, [authHandle, index], [auth], w.AsSpan(), cancellationToken);
            done += n;
        }
    }

    public void NvDefineSpace(TpmNvPublic definition, byte[] indexAuth, uint authHandle, TpmAuth auth, CancellationToken cancellationToken = default)
    {
        var w = new TpmWriter().Sized(indexAuth).Sized(definition.Marshal());
        Execute(TpmCc.NvDefineSpace, [authHandle], [auth], w.AsSpan(), cancellationToken);
    }

    public void NvUndefineSpace(uint index, uint authHandle, TpmAuth auth, CancellationToken cancellationToken = default) =>
        Execute(TpmCc.NvUndefineSpace, [authHandle, index], [auth], [], cancellationToken);

    /// <summary>A policy session (unsalted, unbound, SHA-256), as the EK's PolicySecret needs.</summary>
    public uint StartPolicySession(CancellationToken cancellationToken = default)
    {
        var w = new TpmWriter().Sized(RandomNumberGenerator.GetBytes(32)).Sized([]).Byte(0x01).Alg(TpmAlgId.Null).Alg(TpmAlgId.Sha256);
        var r = Execute(TpmCc.StartAuthSession, [TpmHandles.Null, TpmHandles.Null], NoAuth, w.AsSpan(), 1, out var handles, cancellationToken);
        r.ReadSized("nonceTPM", MaxDigest);
        return handles[0];
    }

    /// <summary>TPM2_PolicySecret against <paramref name="authHandle"/> (e.g. the endorsement hierarchy).</summary>
    public void PolicySecret(uint authHandle, TpmAuth auth, uint policySession, CancellationToken cancellationToken = default)
    {
        var w = new TpmWriter().Sized([]).Sized([]).Sized([]).UInt32(0);
        Execute(TpmCc.PolicySecret, [authHandle, policySession], [auth], w.AsSpan(), cancellationToken);
    }

    /// <summary>A policy session satisfied for the EK's USER role (PolicySecret(TPM_RH_ENDORSEMENT)).</summary>
    public uint StartEndorsementPolicySession(TpmAuth? endorsementAuth = null, CancellationToken cancellationToken = default)
    {
        uint session = StartPolicySession(cancellationToken);
        try
        {
            PolicySecret(TpmHandles.Endorsement, endorsementAuth ?? TpmAuth.Empty, session, cancellationToken);
            return session;
        }
        catch
        {
            TryFlush(session);
            throw;
        }
    }

    /// <summary>TPM2_ActivateCredential: recovers the secret the verifier bound to (AK name, EK).</summary>
    public byte[] ActivateCredential(uint activateHandle, TpmAuth activateAuth, uint keyHandle, TpmAuth keyAuth,
        byte[] credentialBlob, byte[] secret, CancellationToken cancellationToken = default)
    {
        var w = new TpmWriter().Sized(credentialBlob).Sized(secret);
        var r = Execute(TpmCc.ActivateCredential, [activateHandle, keyHandle], [activateAuth, keyAuth], w.AsSpan(), cancellationToken);
        return r.ReadSized("certInfo", MaxDigest);
    }

    /// <summary>Flushes a transient object or session, ignoring errors (for cleanup paths).</summary>
    public void TryFlush(uint handle)
    {
        try { FlushContext(handle); }
        catch (Exception e) when (e is TpmException or TpmTransportException or TpmProtocolException) { }
    }

    private int? _maxNvBuffer;

    private int MaxNvBuffer(CancellationToken cancellationToken)
    {
        _maxNvBuffer ??= (int?)GetProperties(TpmPt.NvBufferMax, 1, cancellationToken).FirstOrDefault(p => p.Property == TpmPt.NvBufferMax)?.Value ?? 512;
        return Math.Clamp(_maxNvBuffer.Value, 64, MaxBuffer);
    }

    private static void WriteEmptySensitive(TpmWriter w) => w.Sized(inner => inner.Sized([]).Sized([]));

    private static void SkipCreationData(TpmReader r)
    {
        r.ReadSized("TPM2B_CREATION_DATA", MaxBuffer);
        r.ReadSized("creationHash", MaxDigest);
        r.ReadUInt16("TPMT_TK_CREATION.tag");
        r.ReadUInt32("TPMT_TK_CREATION.hierarchy");
        r.ReadSized("TPMT_TK_CREATION.digest", MaxDigest);
    }
}
