using System.Collections;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security.Cryptography;
using System.Text;
using TrustedCompute.IO;
using TrustedCompute.Attestation;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Attestation;

/// <summary>Turns PowerShell input (live or deserialized objects, bytes, PEM text, files) into Core attestation types.</summary>
internal static class AttestationInput
{
    private const int MaxKeyFileSize = 64 * 1024;

    /// <summary>Evidence from a live object or a Deserialized.* property bag (remoting, Import-Clixml).</summary>
    public static AttestationEvidence ToEvidence(object? input)
    {
        object? value = input is PSObject ps ? ps.BaseObject : input;
        if (value is AttestationEvidence live) return live;
        if (input is not PSObject bag || value is not PSCustomObject && bag.TypeNames.All(t => !t.EndsWith("AttestationEvidence", StringComparison.Ordinal)))
            throw new InvalidDataException($"Evidence expected, got {value?.GetType().Name ?? "null"}");
        var evidence = new AttestationEvidence
        {
            Version = Get<int>(bag, "Version"),
            HostName = Get<string>(bag, "HostName") ?? "",
            CollectedAt = Get<DateTime>(bag, "CollectedAt"),
            Nonce = Bytes(bag, "Nonce"),
            AttestationKeyPublic = Bytes(bag, "AttestationKeyPublic"),
            AttestationKeyName = Bytes(bag, "AttestationKeyName"),
            AttestationKeyQualifiedName = Bytes(bag, "AttestationKeyQualifiedName"),
            EndorsementKeyPublic = Bytes(bag, "EndorsementKeyPublic"),
            EndorsementKeyCertificate = Bytes(bag, "EndorsementKeyCertificate"),
            EventLog = Bytes(bag, "EventLog"),
            Quotes = Items(bag, "Quotes").Select(q => new EvidenceQuote
            {
                Bank = Get<string>(q, "Bank") ?? "", Attest = Bytes(q, "Attest"), Signature = Bytes(q, "Signature"),
            }).ToArray(),
            PcrValues = Items(bag, "PcrValues").Select(p => new EvidencePcr
            {
                Bank = Get<string>(p, "Bank") ?? "", Index = Get<int>(p, "Index"), Value = Bytes(p, "Value"),
            }).ToArray(),
        };
        evidence.Validate();
        return evidence;
    }

    private const string ResultTypeName = "TrustedCompute.Attestation.AttestationResult";

    /// <summary>True for this module's result, live or rebuilt by remoting or Import-Clixml.</summary>
    public static bool IsAttestationResult(object? input) =>
        (input is PSObject ps ? ps.BaseObject : input) is AttestationResult
        || input is PSObject bag && bag.TypeNames.Contains("Deserialized." + ResultTypeName);

    /// <summary>
    /// A result, live or deserialized (remoting, Import-Clixml), and with <paramref name="allowUntyped"/> also read
    /// back from JSON (ConvertFrom-Json). Verdict is a name or a defined number; a malformed result is an error.
    /// </summary>
    public static AttestationResult ToAttestationResult(object input, bool allowUntyped)
    {
        object value = input is PSObject ps ? ps.BaseObject : input;
        if (value is AttestationResult live) return live;
        bool untyped = allowUntyped && value is PSCustomObject;
        if (input is not PSObject bag || !untyped && !IsAttestationResult(input))
            throw new InvalidDataException($"An attestation result expected, got {Describe(input)}");
        string host = Get<string>(bag, "HostName") is { Length: > 0 } h ? h
            : throw new InvalidDataException("The attestation result has no HostName");
        return new AttestationResult
        {
            HostName = host,
            ClaimedHostName = Get<string>(bag, "ClaimedHostName") ?? "",
            AttestationKeyName = Get<string>(bag, "AttestationKeyName") ?? "",
            Verdict = VerdictOf(bag.Properties["Verdict"]?.Value),
            Reasons = [],
            Time = Get<DateTime>(bag, "Time").ToUniversalTime(),
            Clock = Get<ulong?>(bag, "Clock"),
            ResetCount = Get<uint?>(bag, "ResetCount"),
            RestartCount = Get<uint?>(bag, "RestartCount"),
            EvidenceDigest = Get<string>(bag, "EvidenceDigest") ?? "",
        };
    }

    private static AttestationVerdict VerdictOf(object? raw)
    {
        object? v = raw is PSObject p ? p.BaseObject : raw;
        AttestationVerdict? verdict = v switch
        {
            AttestationVerdict live => live,
            string name => Enum.GetValues<AttestationVerdict>()
                .Where(n => n.ToString().Equals(name, StringComparison.OrdinalIgnoreCase)).Cast<AttestationVerdict?>()
                .FirstOrDefault(),
            int or long => (AttestationVerdict)Convert.ToInt64(v, CultureInfo.InvariantCulture),
            _ => null,
        };
        return verdict is { } ok && Enum.IsDefined(ok) ? ok
            : throw new InvalidDataException($"The result's Verdict '{v}' is not Trusted, Untrusted or Unknown");
    }

    private static string Describe(object input) =>
        input is PSObject { BaseObject: PSCustomObject } bag ? $"a PSCustomObject ({bag.TypeNames[0]})"
            : (input is PSObject p ? p.BaseObject : input).GetType().FullName ?? "an object";

    private static T? Get<T>(PSObject bag, string name)
    {
        object? v = bag.Properties[name]?.Value;
        if (v is PSObject p) v = p.BaseObject;
        if (v is null) return default;
        try { return LanguagePrimitives.ConvertTo<T>(v); }
        catch (PSInvalidCastException e)
        {
            throw new InvalidDataException($"Property {name} has the wrong type: {e.Message}", e);
        }
    }

    private static byte[] Bytes(PSObject bag, string name) => Get<byte[]>(bag, name) ?? [];

    private static IEnumerable<PSObject> Items(PSObject bag, string name)
    {
        object? v = bag.Properties[name]?.Value;
        if (v is PSObject p) v = p.BaseObject;
        if (v is null) return [];
        if (v is not IEnumerable list || v is string) throw new InvalidDataException($"Evidence property {name} is not a list");
        return list.Cast<object?>().Select(o => o as PSObject ?? new PSObject(o ?? throw new InvalidDataException($"Evidence property {name} holds a null"))).ToList();
    }

    /// <summary>
    /// The expected AK: a TpmPublic (or an object with a Public property, such as Get-TpmAttestationKey's output), TPM2B_PUBLIC
    /// bytes, DER SubjectPublicKeyInfo bytes, PEM text, or a path to a .pub (TPM2B_PUBLIC) or .pem file.
    /// </summary>
    public static (TpmPublic? Public, byte[]? Spki) ToAttestationKey(object input, Func<string, string> resolvePath)
    {
        object value = input is PSObject ps ? ps.BaseObject : input;
        switch (value)
        {
            case TpmPublic pub: return (pub, null);
            case AttestationKeyInfo info: return (info.Public, null);
            case byte[] bytes: return FromBytes(bytes);
            case string text when text.Contains("-----BEGIN", StringComparison.Ordinal): return (null, FromPem(text));
            case string path:
            {
                string full = resolvePath(path);
                if (!File.Exists(full)) throw new FileNotFoundException($"No attestation key file {full}", full);
                var bytes = BoundedFile.ReadAllBytes(full, MaxKeyFileSize, BoundedFile.DefaultTimeout);
                return bytes.AsSpan().StartsWith("-----"u8) ? (null, FromPem(Encoding.UTF8.GetString(bytes))) : FromBytes(bytes);
            }
            default:
                if (input is PSObject bag && bag.Properties["Public"]?.Value is { } inner && !ReferenceEquals(inner, input)) return ToAttestationKey(inner, resolvePath);
                throw new ArgumentException($"An attestation key is a TpmPublic, TPM2B_PUBLIC bytes, PEM text or a key file, not {value.GetType().Name}");
        }
    }

    private static (TpmPublic?, byte[]?) FromBytes(byte[] bytes)
    {
        try { return (TpmPublic.FromTpm2BPublic(bytes), null); }
        catch (TpmProtocolException) { }
        try
        {
            using var key = RSA.Create();
            key.ImportSubjectPublicKeyInfo(bytes, out _);
            return (null, bytes);
        }
        catch (CryptographicException) { }
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(bytes, out _);
            return (null, bytes);
        }
        catch (CryptographicException) { }
        throw new InvalidDataException("The attestation key bytes are neither a TPM2B_PUBLIC nor a DER SubjectPublicKeyInfo");
    }

    private static byte[] FromPem(string pem)
    {
        if (!PemEncoding.TryFind(pem, out var fields) || pem[fields.Label] != "PUBLIC KEY")
            throw new InvalidDataException("The attestation key PEM is not a PUBLIC KEY block");
        return FromBytes(Convert.FromBase64String(pem[fields.Base64Data])).Item2
            ?? throw new InvalidDataException("The attestation key PEM does not hold a public key");
    }

    /// <summary>The parameters the remote Get-AttestationEvidence gets; it uses its own TPM unless a -Tpm is given.</summary>
    public static Hashtable RemoteParameters(byte[] nonce, int[] pcrIndex, string[] bank, uint attestationKeyHandle,
        bool noEventLog, string? tpm, string? eventLogPath = null)
    {
        var p = new Hashtable
        {
            ["Nonce"] = nonce, ["PcrIndex"] = pcrIndex, ["Bank"] = bank,
            ["AttestationKeyHandle"] = attestationKeyHandle,
        };
        if (noEventLog) p["NoEventLog"] = true;
        if (tpm is not null) p["Tpm"] = tpm;
        if (eventLogPath is not null && !noEventLog) p["EventLogPath"] = eventLogPath;
        return p;
    }

    /// <summary>
    /// Runs <paramref name="command"/> (a pipeline over the splatted hashtable $p) on the host of a session, with the
    /// module imported there. The scriptblock starts with a statement so that its arguments are evaluated remotely.
    /// </summary>
    public static Collection<PSObject> InvokeRemote(PSCmdlet cmdlet, PSSession session, string command, Hashtable parameters)
    {
        string script = $$"""
            param($Session, $Parameters)
            Invoke-Command -Session $Session -ErrorAction Stop -ArgumentList $Parameters -ScriptBlock {
                param($p)
                $null = $null
                if (-not (Get-Module TrustedCompute)) { Import-Module TrustedCompute -ErrorAction Stop }
                {{command}}
            }
            """;
        return cmdlet.InvokeCommand.InvokeScript(false, ScriptBlock.Create(script), null, session, parameters);
    }

    /// <summary>Runs Get-AttestationEvidence on the remote host with the module there; returns its evidence, rebuilt from CliXml.</summary>
    public static AttestationEvidence CollectRemote(PSCmdlet cmdlet, PSSession session, Hashtable parameters)
    {
        var output = InvokeRemote(cmdlet, session, "Get-AttestationEvidence @p -ErrorAction Stop", parameters);
        var evidence = output.Select(o => o?.BaseObject is ErrorRecord ? null : o).Where(o => o is not null).ToList();
        if (evidence.Count != 1) throw new InvalidDataException($"{session.ComputerName} returned {evidence.Count} objects instead of one evidence bundle");
        return ToEvidence(evidence[0]);
    }
}
