using TrustedCompute.EventLog;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TrustedCompute.IO;

namespace TrustedCompute.Attestation;

/// <summary>One quote of the evidence: the signed TPMS_ATTEST and its TPMT_SIGNATURE.</summary>
public sealed class EvidenceQuote
{
    /// <summary>The bank(s) the quote covers, as text ("sha256"); informational, the attest bytes are the truth.</summary>
    public string Bank { get; set; } = "";
    public byte[] Attest { get; set; } = [];
    public byte[] Signature { get; set; } = [];
}

/// <summary>One PCR value the host reports as quoted.</summary>
public sealed class EvidencePcr
{
    public string Bank { get; set; } = "";
    public int Index { get; set; }
    public byte[] Value { get; set; } = [];
}

/// <summary>
/// What a host gives a verifier: identity, quotes, PCR values, event log and nonce. Only plain fields (bytes,
/// strings, numbers), so it survives CliXml remoting and JSON. Nothing here is trusted until verified.
/// </summary>
public sealed class AttestationEvidence
{
    public const int CurrentVersion = 1;
    /// <summary>Largest evidence file or JSON text accepted.</summary>
    public const int MaxJsonSize = 16 << 20;

    public int Version { get; set; } = CurrentVersion;
    public string HostName { get; set; } = "";
    public DateTime CollectedAt { get; set; }
    public byte[] Nonce { get; set; } = [];
    /// <summary>TPM2B_PUBLIC of the attestation key.</summary>
    public byte[] AttestationKeyPublic { get; set; } = [];
    public byte[] AttestationKeyName { get; set; } = [];
    public byte[] AttestationKeyQualifiedName { get; set; } = [];
    /// <summary>TPM2B_PUBLIC of the endorsement key (empty when not collected).</summary>
    public byte[] EndorsementKeyPublic { get; set; } = [];
    /// <summary>DER X.509 EK certificate (empty when the TPM has none).</summary>
    public byte[] EndorsementKeyCertificate { get; set; } = [];
    public EvidenceQuote[] Quotes { get; set; } = [];
    public EvidencePcr[] PcrValues { get; set; } = [];
    /// <summary>The TCG event log bytes (empty when the host has none).</summary>
    public byte[] EventLog { get; set; } = [];

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 8,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>SHA-256 over every field, each length-prefixed in a fixed order: names a bundle in results and history.</summary>
    public string Digest()
    {
        const string tag = "TrustedCompute evidence digest 1";
        byte[][] fields = [Nonce, AttestationKeyPublic, AttestationKeyName, AttestationKeyQualifiedName, EndorsementKeyPublic,
            EndorsementKeyCertificate, EventLog];
        int size = 8 * 8 + tag.Length + 3 * (HostName?.Length ?? 0);
        foreach (var f in fields) size += 8 + (f?.Length ?? 0);
        foreach (var q in Quotes ?? []) size += 24 + 3 * (q?.Bank?.Length ?? 0) + (q?.Attest?.Length ?? 0) + (q?.Signature?.Length ?? 0);
        foreach (var p in PcrValues ?? []) size += 24 + 3 * (p?.Bank?.Length ?? 0) + (p?.Value?.Length ?? 0);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
        try
        {
            int at = 0;
            void Number(long n) { BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(at), n); at += 8; }
            void Field(ReadOnlySpan<byte> bytes) { Number(bytes.Length); bytes.CopyTo(buffer.AsSpan(at)); at += bytes.Length; }
            void Text(string? text)
            {
                int n = Encoding.UTF8.GetBytes(text ?? "", buffer.AsSpan(at + 8));
                Number(n);
                at += n;
            }
            Text(tag);
            Number(Version);
            Text(HostName);
            Number(CollectedAt.Ticks);
            Number((long)CollectedAt.Kind);
            foreach (var f in fields[..^1]) Field(f);
            Number(Quotes?.Length ?? 0);
            foreach (var q in Quotes ?? [])
            {
                Text(q?.Bank);
                Field(q?.Attest);
                Field(q?.Signature);
            }
            Number(PcrValues?.Length ?? 0);
            foreach (var p in PcrValues ?? [])
            {
                Text(p?.Bank);
                Number(p?.Index ?? 0);
                Field(p?.Value);
            }
            Field(EventLog);
            return HexText.Lower(SHA256.HashData(buffer.AsSpan(0, at)));
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>Parses evidence JSON; anything malformed, oversized or of another version is an <see cref="InvalidDataException"/>.</summary>
    public static AttestationEvidence FromJson(string json)
    {
        if (json.Length > MaxJsonSize) throw new InvalidDataException($"Evidence of {json.Length} characters exceeds the limit of {MaxJsonSize}");
        return FromJson(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>
    /// Parses UTF-8 evidence JSON (a BOM allowed). Stricter than System.Text.Json alone: a member given twice (also in
    /// another case or spelled with escapes) or a null member is an <see cref="InvalidDataException"/>, not "last wins".
    /// </summary>
    public static AttestationEvidence FromJson(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.Length > MaxJsonSize) throw new InvalidDataException($"Evidence of {utf8Json.Length} bytes exceeds the limit of {MaxJsonSize}");
        if (utf8Json.StartsWith("\uFEFF"u8)) utf8Json = utf8Json[3..];
        // Utf8JsonReader reads broken UTF-8 in a member name as InvalidOperationException, not JsonException.
        if (!System.Text.Unicode.Utf8.IsValid(utf8Json)) throw new InvalidDataException("Evidence is not UTF-8 text");
        AttestationEvidence? evidence;
        try
        {
            CheckMembers(utf8Json);
            evidence = JsonSerializer.Deserialize<AttestationEvidence>(utf8Json, Options);
        }
        catch (JsonException e) { throw new InvalidDataException($"Evidence is not valid JSON evidence: {e.Message}", e); }
        if (evidence is null) throw new InvalidDataException("Evidence is empty (JSON null)");
        evidence.Validate();
        return evidence;
    }

    /// <summary>Reads an evidence file within <see cref="MaxJsonSize"/> and <see cref="BoundedFile.DefaultTimeout"/>.</summary>
    public static AttestationEvidence ReadFile(string path, CancellationToken cancellationToken = default) =>
        FromJson(BoundedFile.ReadAllBytes(path, MaxJsonSize, BoundedFile.DefaultTimeout, cancellationToken));

    /// <summary>One pass over the tokens: every object's member names unique (ignoring case), no JSON null anywhere.</summary>
    private static void CheckMembers(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = Options.MaxDepth });
        var scopes = new Stack<(HashSet<string>? Names, string Path, int Items)>();
        string path = "";
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                var (names, parent, _) = scopes.Peek();
                string name = reader.GetString()!;
                path = parent.Length == 0 ? name : $"{parent}.{name}";
                if (!names!.Add(name)) throw new InvalidDataException($"Evidence gives the member {path} more than once");
                continue;
            }
            if (scopes.TryPeek(out var top) && top.Names is null)
            {
                scopes.Pop();
                scopes.Push(top with { Items = top.Items + 1 });
                path = $"{top.Path}[{top.Items}]";
            }
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    throw new InvalidDataException($"Evidence has null for {(path.Length == 0 ? "the bundle" : path)}");
                case JsonTokenType.StartObject: scopes.Push((new HashSet<string>(StringComparer.OrdinalIgnoreCase), path, 0)); break;
                case JsonTokenType.StartArray: scopes.Push((null, path, 0)); break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray: scopes.Pop(); break;
            }
        }
    }

    public void WriteFile(string path) => File.WriteAllText(path, ToJson());

    /// <summary>Checks shape only (version, nulls, sizes); the verifier judges content.</summary>
    public void Validate()
    {
        if (Version != CurrentVersion) throw new InvalidDataException($"Evidence version {Version} is not supported (this module reads version {CurrentVersion})");
        if (Nonce is null || Quotes is null || PcrValues is null || AttestationKeyPublic is null || HostName is null)
            throw new InvalidDataException("Evidence lacks a required field (nonce, quotes, pcrValues, attestationKeyPublic or hostName)");
        if (Quotes.Length is 0 or > 16) throw new InvalidDataException($"Evidence has {Quotes.Length} quotes (1 to 16 expected)");
        if (PcrValues.Length > 16 * 32) throw new InvalidDataException($"Evidence has {PcrValues.Length} PCR values, too many");
        foreach (var q in Quotes)
            if (q is null || q.Attest is null || q.Signature is null || q.Bank is null)
                throw new InvalidDataException("Evidence has a quote without bank, attest or signature bytes");
        foreach (var p in PcrValues)
            if (p is null || p.Value is null || p.Bank is null) throw new InvalidDataException("Evidence has a PCR value without bank or value");
        AttestationKeyName ??= [];
        AttestationKeyQualifiedName ??= [];
        EndorsementKeyPublic ??= [];
        EndorsementKeyCertificate ??= [];
        EventLog ??= [];
    }
}
