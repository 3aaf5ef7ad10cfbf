using System.Buffers.Binary;
using TrustedCompute.Tpm;
using TrustedCompute.Tpm.Transport;

namespace TrustedCompute.Fuzz.Targets;

/// <summary>
/// TPM responses: the fuzzer plays the TPM behind a scripted transport for each command TpmClient sends (and the
/// TpmOperations sequences built on them), plus the TPM structures parsed on their own. Input: one byte picks the
/// operation (bit 7: patch each response's size field to its length), then responses, each led by a big-endian u16
/// length (the last may run to the end). Documented: TpmProtocolException, TpmException (an error code),
/// TpmTransportException (the script ran out), InvalidDataException (an NV index that holds no certificate).
/// </summary>
public sealed class TpmResponseTarget : FuzzTarget
{
    /// <summary>Enough for the longest sequence (creating an attestation key); retries of transient codes stay short.
    /// </summary>
    private const int MaxResponses = 12;
    private const uint Ak = TpmHandles.DefaultAttestationKey;
    private static readonly PcrSelection[] Selection =
        [PcrSelection.Create(TpmAlgId.Sha256, [0, 1, 2]), PcrSelection.Create(TpmAlgId.Sha1, [7])];
    private static readonly TpmPublic Ek =
        TpmTemplates.EndorsementKey(EndorsementKeyType.Rsa2048) with { Unique = Filled(256, 0xA5) };

    private sealed record Operation(string Name, Action<TpmClient> Run, Func<byte[][]> Responses);

    // The index in this table is the selector byte of the committed corpus: add at the end only.
    private static readonly Operation[] Operations =
    [
        new("device-info", t => TpmOperations.GetDeviceInfo(t),
            () => [Properties((TpmPt.FamilyIndicator, 0x322E3000), (TpmPt.Manufacturer, 0x49424D00)), Allocation()]),
        new("algorithms", t => t.GetAlgorithms(),
            () => [Capability(TpmCap.Algs, w => w.UInt32(2).Alg(TpmAlgId.Rsa).UInt32(9).Alg(TpmAlgId.Sha256).UInt32(4))]),
        new("attestation-keys", t => TpmOperations.GetAttestationKeys(t),
            () => [Capability(TpmCap.Handles, w => w.UInt32(1).UInt32(Ak)), ReadPublic(FuzzSamples.AttestationKey)]),
        new("random", t => t.GetRandom(8), () => [Ok(w => w.Sized(Filled(8, 7)))]),
        new("pcr-read", t => t.PcrRead(Selection, out _), () => [PcrRead()]),
        new("read-public", t => t.ReadPublic(Ak), () => [ReadPublic(FuzzSamples.AttestationKey)]),
        new("create-primary", t => t.CreatePrimary(TpmHandles.Endorsement, Ek, TpmAuth.Empty), () => [CreatePrimary()]),
        new("create", t => t.Create(0x80000000, TpmAuth.Empty, FuzzSamples.AttestationKey), () => [Create()]),
        new("load", t => t.Load(0x80000000, TpmAuth.Empty, new TpmCreateResult(Filled(64, 1), FuzzSamples.AttestationKey)),
            () => [Load()]),
        new("quote", t => t.Quote(Ak, TpmAuth.Empty, FuzzSamples.Nonce, Selection), () => [Quote()]),
        new("nv-read-public", t => t.NvReadPublic(TpmHandles.EkCertRsa2048), () => [NvReadPublic(100)]),
        new("read-certificate", t => TpmOperations.ReadCertificate(t, TpmHandles.EkCertRsa2048)?.Dispose(),
            CertificateResponses),
        new("start-policy-session", t => t.StartEndorsementPolicySession(),
            () => [StartAuthSession(), OkSessions([], _ => { })]),
        new("activate-credential",
            t => t.ActivateCredential(Ak, TpmAuth.Empty, 0x80000000, TpmAuth.Empty, Filled(32, 1), Filled(256, 2)),
            () => [OkSessions([], w => w.Sized(Filled(32, 3)))]),
        new("quote-operation", t => TpmOperations.Quote(t, Ak, FuzzSamples.Nonce, Selection),
            () => [ReadPublic(FuzzSamples.AttestationKey), PcrRead(), Quote(), PcrRead()]),
        new("create-attestation-key", t => TpmOperations.CreateAttestationKey(t, AttestationKeyType.EcDsa, Ak),
            CreateAttestationKeyResponses),
        new("endorsement-key", t => TpmOperations.GetEndorsementKey(t, EndorsementKeyType.Rsa2048).Certificate?.Dispose(),
            () => [CreatePrimary(), Ok(_ => { }), .. CertificateResponses()]),
        new("simple-commands", SimpleCommands,
            () => [Ok(_ => { }), Ok(_ => { }), .. Enumerable.Repeat(OkSessions([], _ => { }), 3)]),
        new("startup-retry", t => t.GetRandom(4),
            () => [Error(0x100), Ok(_ => { }), Error(0x922), Ok(w => w.Sized(Filled(4, 9)))]),
    ];

    /// <summary>Structures parsed from bytes on their own (as evidence and files carry them), after the operations.</summary>
    private static readonly (string Name, Action<byte[]> Parse, Func<byte[]> Seed)[] Structures =
    [
        ("tpm2b-public", ParsePublic, () => FuzzSamples.AttestationKey.ToTpm2BPublic()),
        ("tpms-attest", bytes => _ = TpmAttest.Parse(bytes), () => FuzzSamples.QuoteAttest(Selection[0], new byte[96])),
        ("tpmt-signature", bytes => _ = TpmSignature.Parse(bytes), () => FuzzSamples.Sign([1, 2, 3])),
        ("tpml-pcr-selection", bytes => _ = PcrSelection.ReadList(new TpmReader(bytes)), SelectionBytes),
    ];

    public override IReadOnlyList<string> SharedSeeds => ["tpm-vectors/*.pub", "tpm-vectors/*.msg", "tpm-vectors/*.sig"];

    /// <summary>Captured TPM2B_PUBLIC (.pub), TPMS_ATTEST (.msg) and TPMT_SIGNATURE (.sig) go to their structure parser.</summary>
    public override byte[] InputFromSharedFile(string path)
    {
        string structure = Path.GetExtension(path) switch
        {
            ".pub" => "tpm2b-public",
            ".msg" => "tpms-attest",
            _ => "tpmt-signature",
        };
        int pick = Operations.Length + Array.FindIndex(Structures, s => s.Name == structure);
        return [(byte)pick, .. File.ReadAllBytes(path)];
    }

    public override string Name => "tpm-response";
    public override string Description => "TpmClient commands and TpmOperations against scripted TPM responses; TPM structures";

    public override bool IsDocumented(Exception exception) =>
        exception is TpmProtocolException or TpmException or TpmTransportException or InvalidDataException
        // TpmOperations refuses, by design, a key the TPM says is not a restricted signing key.
        || (exception is InvalidOperationException
            && exception.Message.Contains("restricted signing key", StringComparison.Ordinal));

    public override IEnumerable<(string Name, byte[] Bytes)> GeneratedSeeds()
    {
        for (int i = 0; i < Operations.Length; i++)
        {
            yield return ($"{i:D2}-{Operations[i].Name}.bin", Script((byte)i, Operations[i].Responses()));
        }
        for (int i = 0; i < Structures.Length; i++)
        {
            int pick = Operations.Length + i;
            yield return ($"{pick:D2}-{Structures[i].Name}.bin", [(byte)pick, .. Structures[i].Seed()]);
        }
    }

    public override void Run(byte[] input)
    {
        if (input.Length == 0) return;
        int pick = (input[0] & 0x7F) % (Operations.Length + Structures.Length);
        if (pick >= Operations.Length)
        {
            Structures[pick - Operations.Length].Parse(input[1..]);
            return;
        }
        var responses = Split(input.AsSpan(1), patchSizes: (input[0] & 0x80) != 0);
        using var client = new TpmClient(new ScriptedTransport(responses));
        Operations[pick].Run(client);
    }

    /// <summary>Reads the public area and what the verifier derives from it; the documented key errors are allowed.
    /// </summary>
    private static void ParsePublic(byte[] bytes)
    {
        var key = TpmPublic.FromTpm2BPublic(bytes);
        _ = key.Describe();
        try
        {
            // TpmHash: a nameAlg .NET cannot compute (NULL, SM3) is NotSupportedException.
            _ = key.Name();
            using var dotnetKey = key.CreatePublicKey();
            _ = key.ExportSubjectPublicKeyInfo();
        }
        catch (Exception e) when (e is NotSupportedException or System.Security.Cryptography.CryptographicException) { }
    }

    private static void SimpleCommands(TpmClient t)
    {
        t.Shutdown();
        t.FlushContext(0x80000000);
        t.PcrExtend(16, [(TpmAlgId.Sha256, new byte[32])]);
        t.PolicySecret(TpmHandles.Endorsement, TpmAuth.Empty, 0x03000000);
        t.NvUndefineSpace(0x01500000, TpmHandles.Owner, TpmAuth.Empty);
    }

    private static List<byte[]> Split(ReadOnlySpan<byte> script, bool patchSizes)
    {
        var responses = new List<byte[]>();
        while (script.Length > 0 && responses.Count < MaxResponses)
        {
            int length = script.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(script) : script.Length;
            var rest = script[Math.Min(2, script.Length)..];
            length = Math.Min(length, rest.Length);
            byte[] response = rest[..length].ToArray();
            if (patchSizes && response.Length >= 6)
            {
                BinaryPrimitives.WriteUInt32BigEndian(response.AsSpan(2), (uint)response.Length);
            }
            responses.Add(response);
            script = rest[length..];
        }
        return responses;
    }

    private static byte[] Script(byte pick, byte[][] responses)
    {
        var w = new TpmWriter().Byte(pick);
        foreach (var r in responses) w.Sized(r);
        return w.ToArray();
    }

    /// <summary>Answers each command with the next scripted response; fails like a dropped connection after the last.</summary>
    private sealed class ScriptedTransport(List<byte[]> responses) : ITpmTransport
    {
        private int _next;
        public string Description => "fuzz";

        public byte[] Transmit(ReadOnlySpan<byte> command, CancellationToken cancellationToken) =>
            _next < responses.Count ? responses[_next++]
                : throw new TpmTransportException("The scripted TPM has no more responses");

        public void Dispose() { }
    }

    private static byte[] Filled(int size, byte value) => Enumerable.Repeat(value, size).ToArray();

    private static byte[] Header(TpmSt tag, uint rc, byte[] body)
    {
        var w = new TpmWriter().UInt16((ushort)tag).UInt32((uint)(10 + body.Length)).UInt32(rc).Bytes(body);
        return w.ToArray();
    }

    private static byte[] Ok(Action<TpmWriter> parameters)
    {
        var w = new TpmWriter();
        parameters(w);
        return Header(TpmSt.NoSessions, 0, w.ToArray());
    }

    private static byte[] Error(uint rc) => Header(TpmSt.NoSessions, rc, []);

    /// <summary>A response to a command with an authorization: handles, parameterSize, parameters, one auth area.</summary>
    private static byte[] OkSessions(uint[] handles, Action<TpmWriter> parameters)
    {
        var p = new TpmWriter();
        parameters(p);
        var w = new TpmWriter();
        foreach (uint h in handles) w.UInt32(h);
        w.UInt32((uint)p.Length).Bytes(p.AsSpan()).Sized([]).Byte(1).Sized([]);
        return Header(TpmSt.Sessions, 0, w.ToArray());
    }

    private static byte[] Capability(TpmCap capability, Action<TpmWriter> data) =>
        Ok(w => { w.Byte(0).UInt32((uint)capability); data(w); });

    private static byte[] Properties(params (uint Property, uint Value)[] properties) => Capability(TpmCap.TpmProperties, w =>
    {
        w.UInt32((uint)properties.Length);
        foreach (var (p, v) in properties) w.UInt32(p).UInt32(v);
    });

    private static byte[] SelectionBytes()
    {
        var w = new TpmWriter();
        PcrSelection.WriteList(w, Selection);
        return w.ToArray();
    }

    private static byte[] Allocation() => Capability(TpmCap.Pcrs, w =>
        PcrSelection.WriteList(w,
            [PcrSelection.Create(TpmAlgId.Sha1, Enumerable.Range(0, 24)), PcrSelection.Create(TpmAlgId.Sha256, Enumerable.Range(0, 24))]));

    private static byte[] PcrRead() => Ok(w =>
    {
        w.UInt32(42);
        PcrSelection.WriteList(w, Selection);
        w.UInt32(4).Sized(Filled(32, 0)).Sized(Filled(32, 1)).Sized(Filled(32, 2)).Sized(Filled(20, 7));
    });

    private static byte[] ReadPublic(TpmPublic key) =>
        Ok(w => w.Sized(key.Marshal()).Sized(key.Name()).Sized(key.Name()));

    private static void CreationData(TpmWriter w) =>
        w.Sized(Filled(40, 0)).Sized(Filled(32, 1)).UInt16(0x8021).UInt32(TpmHandles.Endorsement).Sized(Filled(32, 2));

    private static byte[] CreatePrimary() => OkSessions([0x80000000], w =>
    {
        w.Sized(Ek.Marshal());
        CreationData(w);
        w.Sized(Ek.Name());
    });

    private static byte[] Create() => OkSessions([], w =>
    {
        w.Sized(Filled(64, 1)).Sized(FuzzSamples.AttestationKey.Marshal());
        CreationData(w);
    });

    private static byte[] Load() => OkSessions([0x80000001], w => w.Sized(FuzzSamples.AttestationKey.Name()));

    private static byte[] Quote() => OkSessions([], w =>
    {
        byte[] attest = FuzzSamples.QuoteAttest(Selection[0], new byte[96]);
        w.Sized(attest).Bytes(FuzzSamples.Sign(attest));
    });

    private static byte[] StartAuthSession() => Ok(w => w.UInt32(0x03000000).Sized(Filled(32, 4)));

    private static byte[] NvReadPublic(ushort size)
    {
        var pub = new TpmNvPublic(TpmHandles.EkCertRsa2048, TpmAlgId.Sha256,
            TpmNvAttributes.PpWrite | TpmNvAttributes.AuthRead | TpmNvAttributes.OwnerRead | TpmNvAttributes.Written, [], size);
        return Ok(w => w.Sized(pub.Marshal()).Sized(pub.Name()));
    }

    private static byte[][] CertificateResponses()
    {
        byte[] der = FuzzSamples.Certificate(ecc: true);
        return [NvReadPublic((ushort)der.Length), Properties((TpmPt.NvBufferMax, 2048)), OkSessions([], w => w.Sized(der))];
    }

    private static byte[][] CreateAttestationKeyResponses()
    {
        byte[] empty = Ok(_ => { });
        byte[] policy = OkSessions([], _ => { });
        return [CreatePrimary(), StartAuthSession(), policy, Create(), StartAuthSession(), policy, Load(),
            OkSessions([], _ => { }), empty, empty, ReadPublic(FuzzSamples.AttestationKey)];
    }
}
