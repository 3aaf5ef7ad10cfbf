using System.Buffers.Binary;
using System.Security.Cryptography;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;

namespace TrustedCompute.Attestation;

/// <summary>What the verifier expects of a host's evidence.</summary>
public sealed record VerificationOptions
{
    /// <summary>The attestation key the host must have quoted with.</summary>
    public TpmPublic? ExpectedAttestationKey { get; init; }
    /// <summary>The expected attestation key as a DER SubjectPublicKeyInfo (from a PEM file); the evidence's key must match it.</summary>
    public byte[]? ExpectedAttestationKeySpki { get; init; }
    /// <summary>Take the attestation key from the evidence itself (enrollment, tests): the verdict is at best Unknown.</summary>
    public bool TrustEvidenceKey { get; init; }
    /// <summary>The nonce the verifier sent; without it freshness is not proven and the verdict is at best Unknown.</summary>
    public byte[]? ExpectedNonce { get; init; }
    /// <summary>The PCR selection the verifier asked for; when null, any selection is accepted.</summary>
    public IReadOnlyList<PcrSelection>? ExpectedSelection { get; init; }
    /// <summary>The previous result for the same host, for the reboot / rollback check.</summary>
    public AttestationResult? Previous { get; init; }
    public AttestationPolicy? Policy { get; init; }
    /// <summary>How results name the policy (a stored policy's "name vN"); default: its name and "(given)".</summary>
    public string? PolicyLabel { get; init; }
    /// <summary>The SHA-256 (hex) results give for the policy (a stored policy's row); default: of its canonical YAML.</summary>
    public string? PolicyDigest { get; init; }
    /// <summary>The host the verifier attests (session computer name, the caller's name, the registry); without it the
    /// verdict is at best Unknown, since the evidence's own name proves nothing.</summary>
    public string? HostName { get; init; }
}

/// <summary>
/// Verifies evidence: quotes (magic, type, nonce, selection, PCR digest, signature, signer, clock), counters against a
/// previous result, event-log replay and the policy. Lists every failure; Trusted only when every check passed. Bad
/// host data never throws: it becomes a reason. Reuse one verifier for many hosts to reuse the parsed key (one per
/// thread: the cached key object is not safe for concurrent use).
/// </summary>
public sealed class QuoteVerifier : IDisposable
{
    private const uint EndorsementHierarchy = 0x4000000B;
    private readonly VerificationOptions _options;
    private readonly AsymmetricAlgorithm? _expectedKey;
    private readonly byte[] _expectedPublic = [];
    private readonly string _expectedName = "";
    private readonly string _policyLabel = "";
    private readonly string _policyDigest = "";

    /// <summary>Takes a private, validated copy of the policy: later changes to the caller's object change nothing.</summary>
    /// <exception cref="AttestationPolicyException">The policy is invalid, exactly as the same policy in a file would be.</exception>
    public QuoteVerifier(VerificationOptions options)
    {
        (_policyLabel, _policyDigest) = (options.PolicyLabel ?? "", options.PolicyDigest ?? "");
        if (options.Policy is { } given)
        {
            var policy = given.Snapshot(out string yaml);
            _options = options with { Policy = policy };
            _policyLabel = options.PolicyLabel ?? $"{policy.Name ?? "unnamed"} (given)";
            _policyDigest = options.PolicyDigest ?? PolicyYaml.Digest(yaml);
        }
        else _options = options;
        if (_options.ExpectedAttestationKey is not { } ak) return;
        _expectedPublic = ak.ToTpm2BPublic();
        _expectedName = HexText.Lower(ak.Name());
        if (!ak.IsRestrictedSigningKey) return;
        try { _expectedKey = ak.CreatePublicKey(); }
        catch (Exception e) when (e is CryptographicException or NotSupportedException) { _expectedKey = null; }
    }

    public static AttestationResult Verify(AttestationEvidence evidence, VerificationOptions options)
    {
        using var verifier = new QuoteVerifier(options);
        return verifier.Verify(evidence);
    }

    public AttestationResult Verify(AttestationEvidence evidence)
    {
        var reasons = new List<AttestationReason>();
        string claimed = evidence.HostName ?? "";
        string host = _options.HostName ?? claimed;
        string digest = "";
        try
        {
            evidence.Validate();
            digest = evidence.Digest();
        }
        catch (InvalidDataException e)
        {
            reasons.Add(Fail(ReasonIds.EvidenceFormat, e.Message));
            return Result(host, claimed, reasons, digest, null, "", false);
        }
        CheckIdentity(claimed, reasons);
        CheckPolicyPresent(reasons);

        var (ak, key, ownKey) = ResolveKey(evidence, reasons);
        try
        {
            var pcrs = ReadPcrValues(evidence, reasons);
            var verified = new Dictionary<(TpmAlgId, int), byte[]>();
            var quoted = new List<PcrSelection>();
            var signingHashes = new List<TpmAlgId>();
            TpmAttest? first = null;
            var (expectedSigner, signerFromEk) = ak is null ? (null, false) : ExpectedSigner(evidence, ak, reasons);

            byte[] nonce = _options.ExpectedNonce ?? evidence.Nonce;
            if (_options.ExpectedNonce is null)
                reasons.Add(new AttestationReason(ReasonIds.QuoteFreshness, ReasonSeverity.Indeterminate,
                    "No expected nonce was given: the quote may be a replay"));

            // Counters (and clock) are kept for the next run only from quotes that all verified: an unverified quote's
            // counters are the host's to choose, and a stored "previous" would hide a later rollback.
            bool allVerified = true;
            foreach (var q in evidence.Quotes)
            {
                int before = Failures(reasons);
                var attest = CheckQuote(q, ak, key, nonce, expectedSigner, pcrs, reasons, out var sigHash);
                allVerified &= attest is not null && Failures(reasons) == before;
                if (attest is null) continue;
                quoted.AddRange(attest.PcrSelections);
                if (sigHash is { } h) signingHashes.Add(h);
                first ??= attest;
                if (first.ResetCount != attest.ResetCount || first.RestartCount != attest.RestartCount)
                    reasons.Add(Fail(ReasonIds.QuoteFormat, "Quotes of one evidence bundle come from different TPM boots"));
                if (Failures(reasons) != before) continue;
                foreach (var s in attest.PcrSelections)
                    for (int n = 0; n < s.Indexes.Count; n++)
                        verified[(s.Bank, s.Indexes[n])] = pcrs[(s.Bank, s.Indexes[n])];
            }

            CheckSelection(quoted, pcrs, reasons);
            // Reset and restart counts are obfuscated unless the AK is in the endorsement hierarchy (proven by the
            // signed qualified name over the EK's).
            bool plainCounters = signerFromEk && first is not null && !reasons.Any(r => r.Id == ReasonIds.QuoteSigner);
            string akName = ak is null ? "" : ReferenceEquals(ak, _options.ExpectedAttestationKey) ? _expectedName : NameText(ak);
            if (first is not null) CheckCounters(first, akName, plainCounters, reasons);
            var log = CheckEventLog(evidence, verified, reasons);
            if (_options.Policy is { } policy) Evaluate(policy, new PolicyContext(verified, log.Log, log.Replayed, signingHashes), reasons);
            return Result(host, claimed, reasons, digest, allVerified ? first : null, akName, plainCounters,
                Explain(_options.Policy, log.Log, log.Replayed, reasons));
        }
        finally
        {
            if (ownKey) key?.Dispose();
        }
    }

    private (TpmPublic? Ak, AsymmetricAlgorithm? Key, bool Own) ResolveKey(AttestationEvidence evidence, List<AttestationReason> reasons)
    {
        if (_options.ExpectedAttestationKey is { } known && evidence.AttestationKeyPublic.AsSpan().SequenceEqual(_expectedPublic)
            && AttributeProblem(known) is null && _expectedKey is not null)
            return (known, _expectedKey, false);
        TpmPublic? reported = null;
        try { reported = TpmPublic.FromTpm2BPublic(evidence.AttestationKeyPublic); }
        catch (TpmProtocolException e) { reasons.Add(Fail(ReasonIds.QuoteKey, $"The evidence's attestation key public area does not parse: {e.Message}")); }

        if (_options.ExpectedAttestationKey is { } expected)
        {
            if (reported is not null && !reported.Marshal().AsSpan().SequenceEqual(expected.Marshal()))
                reasons.Add(Fail(ReasonIds.QuoteKey, "The evidence's attestation key is not the expected one") with
                {
                    Expected = HexText.Lower(expected.Name()), Actual = NameText(reported),
                });
            if (AttributeProblem(expected) is { } problem)
            {
                reasons.Add(Fail(ReasonIds.QuoteKeyAttributes, $"The expected attestation key {problem}"));
                return (null, null, false);
            }
            if (_expectedKey is null) reasons.Add(Fail(ReasonIds.QuoteKey, "The expected attestation key cannot be used to verify (unsupported key)"));
            return (expected, _expectedKey, false);
        }
        if (_options.ExpectedAttestationKeySpki is { } spki && reported is not null)
        {
            byte[]? actual = null;
            try { actual = reported.ExportSubjectPublicKeyInfo(); }
            catch (Exception e) when (e is CryptographicException or NotSupportedException) { }
            if (actual is null || !actual.AsSpan().SequenceEqual(spki))
            {
                reasons.Add(Fail(ReasonIds.QuoteKey, "The evidence's attestation key is not the expected one"));
                return (null, null, false);
            }
        }
        else if (_options.ExpectedAttestationKeySpki is not null) return (null, null, false);
        else if (_options.TrustEvidenceKey)
            reasons.Add(Indeterminate(ReasonIds.QuoteKeyUntrusted,
                "The attestation key was taken from the evidence (-TrustEvidenceKey): a key the host supplies proves nothing"));
        else
            reasons.Add(Indeterminate(ReasonIds.QuoteKey,
                "No expected attestation key was given: the quote's signer is not known to be this host's TPM"));
        if (reported is null) return (null, null, false);
        if (AttributeProblem(reported) is { } bad)
        {
            reasons.Add(Fail(ReasonIds.QuoteKeyAttributes, $"The evidence's attestation key {bad}"));
            return (null, null, false);
        }
        if (_options.ExpectedAttestationKeySpki is not null)
            reasons.Add(Indeterminate(ReasonIds.QuoteKeyAttributes,
                "The expected attestation key is a bare public key: its TPM attributes (restricted, fixedTPM, ...) are only the host's claim; give its TPM public area"));
        try { return (reported, reported.CreatePublicKey(), true); }
        catch (Exception e) when (e is CryptographicException or NotSupportedException)
        {
            reasons.Add(Fail(ReasonIds.QuoteKey, $"The evidence's attestation key cannot be used: {e.Message}"));
            return (null, null, false);
        }
    }

    private static Dictionary<(TpmAlgId, int), byte[]> ReadPcrValues(AttestationEvidence evidence, List<AttestationReason> reasons)
    {
        var pcrs = new Dictionary<(TpmAlgId, int), byte[]>();
        foreach (var p in evidence.PcrValues)
        {
            TpmAlgId bank;
            try { bank = PcrBanks.Parse(p.Bank); }
            catch (ArgumentException)
            {
                reasons.Add(Fail(ReasonIds.EvidenceFormat, $"PCR value of unknown bank '{p.Bank}'"));
                continue;
            }
            if (p.Index is < 0 or >= PcrSelection.MaxPcrs || pcrs.ContainsKey((bank, p.Index)))
                reasons.Add(Fail(ReasonIds.EvidenceFormat, $"PCR value {p.Bank}:{p.Index} is out of range or given twice") with { Pcr = p.Index, Bank = p.Bank });
            else if (!PcrBanks.IsSupported(bank) || p.Value.Length != PcrBanks.DigestSize(bank))
                reasons.Add(Fail(ReasonIds.EvidenceFormat, $"PCR value {p.Bank}:{p.Index} is {p.Value.Length} bytes, not a digest of its bank")
                    with { Pcr = p.Index, Bank = p.Bank });
            else pcrs[(bank, p.Index)] = p.Value;
        }
        return pcrs;
    }

    private TpmAttest? CheckQuote(EvidenceQuote q, TpmPublic? ak, AsymmetricAlgorithm? key, byte[] nonce, byte[]? expectedSigner,
        Dictionary<(TpmAlgId, int), byte[]> pcrs, List<AttestationReason> reasons, out TpmAlgId? sigHash)
    {
        sigHash = null;
        byte[] raw = q.Attest;
        TpmSignature? signature = null;
        try { signature = TpmSignature.Parse(q.Signature); }
        catch (TpmProtocolException e) { reasons.Add(Fail(ReasonIds.QuoteSignature, $"The quote's signature does not parse: {e.Message}")); }
        if (signature is not null && ak is not null && key is not null)
        {
            sigHash = signature.Hash;
            string? problem = SignatureProblem(raw, signature, ak, key);
            if (problem is not null) reasons.Add(Fail(ReasonIds.QuoteSignature, problem));
        }

        if (raw.Length < 6)
        {
            reasons.Add(Fail(ReasonIds.QuoteFormat, $"The quote's attest structure is {raw.Length} bytes, too short"));
            return null;
        }
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(raw);
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(4));
        if (magic != TpmAttest.GeneratedValue)
            reasons.Add(Fail(ReasonIds.QuoteMagic, "The attest structure was not made by a TPM (magic is not TPM_GENERATED_VALUE)") with
            {
                Expected = $"0x{TpmAttest.GeneratedValue:x8}", Actual = $"0x{magic:x8}",
            });
        if (type != (ushort)TpmSt.AttestQuote)
            reasons.Add(Fail(ReasonIds.QuoteType, "The attest structure is not a quote") with { Expected = "0x8018", Actual = $"0x{type:x4}" });
        if (magic != TpmAttest.GeneratedValue || type != (ushort)TpmSt.AttestQuote) return null;

        TpmAttest attest;
        try { attest = TpmAttest.Parse(raw); }
        catch (TpmProtocolException e)
        {
            reasons.Add(Fail(ReasonIds.QuoteFormat, $"The quote's attest structure does not parse: {e.Message}"));
            return null;
        }

        if (!attest.ExtraData.AsSpan().SequenceEqual(nonce))
            reasons.Add(Fail(ReasonIds.QuoteNonce, "The quote's qualifying data is not the nonce: stale or replayed evidence") with
            {
                Expected = HexText.Lower(nonce), Actual = HexText.Lower(attest.ExtraData),
            });
        if (expectedSigner is not null && !attest.QualifiedSigner.AsSpan().SequenceEqual(expectedSigner))
            reasons.Add(Fail(ReasonIds.QuoteSigner, "The quote's qualified signer is not the attestation key's qualified name") with
            {
                Expected = HexText.Lower(expectedSigner), Actual = HexText.Lower(attest.QualifiedSigner),
            });
        if (!attest.Safe)
            reasons.Add(new AttestationReason(ReasonIds.ClockUnsafe, ReasonSeverity.Indeterminate,
                "The TPM clock is not safe: its value may have been reported before and rolled back"));

        TpmAlgId digestHash = ak is { Scheme: not TpmAlgId.Null } ? ak.SchemeHash : signature?.Hash ?? TpmAlgId.Sha256;
        CheckPcrDigest(attest, digestHash, pcrs, reasons);
        return attest;
    }

    private static string? SignatureProblem(byte[] data, TpmSignature signature, TpmPublic ak, AsymmetricAlgorithm key)
    {
        if (ak.Scheme != TpmAlgId.Null && (signature.Algorithm != ak.Scheme || signature.Hash != ak.SchemeHash))
            return $"The signature scheme {signature.Algorithm}/{PcrBanks.Name(signature.Hash)} is not the key's {ak.Scheme}/{PcrBanks.Name(ak.SchemeHash)}";
        HashAlgorithmName hash;
        try { hash = TpmHash.DotNetName(signature.Hash); }
        catch (NotSupportedException e) { return e.Message; }
        bool valid = (signature.Algorithm, key) switch
        {
            (TpmAlgId.RsaSsa, RSA rsa) => rsa.VerifyData(data, signature.Rsa, hash, RSASignaturePadding.Pkcs1),
            (TpmAlgId.RsaPss, RSA rsa) => rsa.VerifyData(data, signature.Rsa, hash, RSASignaturePadding.Pss),
            (TpmAlgId.EcDsa, ECDsa ec) => VerifyEcdsa(ec, data, signature, hash),
            _ => false,
        };
        return valid ? null : "The quote's signature does not verify under the attestation key";
    }

    private static bool VerifyEcdsa(ECDsa ec, byte[] data, TpmSignature signature, HashAlgorithmName hash)
    {
        int size = (ec.KeySize + 7) / 8;
        if (signature.EcR.Length > size || signature.EcS.Length > size) return false;
        var p1363 = new byte[2 * size];
        signature.EcR.CopyTo(p1363, size - signature.EcR.Length);
        signature.EcS.CopyTo(p1363, 2 * size - signature.EcS.Length);
        return ec.VerifyData(data, p1363, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private static void CheckPcrDigest(TpmAttest attest, TpmAlgId hash, Dictionary<(TpmAlgId, int), byte[]> pcrs, List<AttestationReason> reasons)
    {
        var buffer = new MemoryStream(attest.PcrSelections.Sum(s => s.Indexes.Count) * PcrBanks.DigestSize(TpmAlgId.Sha512));
        bool complete = true;
        foreach (var s in attest.PcrSelections)
            for (int n = 0; n < s.Indexes.Count; n++)
            {
                int i = s.Indexes[n];
                if (pcrs.TryGetValue((s.Bank, i), out var value)) buffer.Write(value);
                else
                {
                    complete = false;
                    reasons.Add(Fail(ReasonIds.QuotePcrDigest, "The quote covers a PCR whose value the evidence does not give") with { Pcr = i, Bank = PcrBanks.Name(s.Bank) });
                }
            }
        if (!complete) return;
        if (!PcrBanks.IsSupported(hash))
        {
            reasons.Add(Fail(ReasonIds.QuotePcrDigest, $"The PCR digest uses an unsupported hash {PcrBanks.Name(hash)}"));
            return;
        }
        var computed = PcrBanks.Hash(hash, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        if (!computed.AsSpan().SequenceEqual(attest.PcrDigest))
            reasons.Add(Fail(ReasonIds.QuotePcrDigest, "The reported PCR values do not hash to the quoted PCR digest") with
            {
                Expected = HexText.Lower(attest.PcrDigest), Actual = HexText.Lower(computed),
            });
    }

    /// <summary>A host-supplied key's Name in hex; empty when its nameAlg is one we cannot compute (NULL, SM3).</summary>
    private static string NameText(TpmPublic key)
    {
        try { return HexText.Lower(key.Name()); }
        catch (NotSupportedException) { return ""; }
    }

    /// <summary>The AK's qualified name under the EK (when the evidence gives the EK), else the qualified name the host reported.</summary>
    private static (byte[]? Signer, bool FromEk) ExpectedSigner(AttestationEvidence evidence, TpmPublic ak, List<AttestationReason> reasons)
    {
        if (evidence.EndorsementKeyPublic.Length > 0)
        {
            try
            {
                var ek = TpmPublic.FromTpm2BPublic(evidence.EndorsementKeyPublic);
                var hierarchy = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(hierarchy, EndorsementHierarchy);
                var ekQn = Qualify(ek.NameAlg, hierarchy, ek.Name());
                return (Qualify(ak.NameAlg, ekQn, ak.Name()), true);
            }
            catch (Exception e) when (e is TpmProtocolException or NotSupportedException)
            {
                reasons.Add(Fail(ReasonIds.QuoteSigner, $"The evidence's endorsement key public area does not parse: {e.Message}"));
                return (null, false);
            }
        }
        return (evidence.AttestationKeyQualifiedName.Length > 0 ? evidence.AttestationKeyQualifiedName : null, false);
    }

    private static byte[] Qualify(TpmAlgId nameAlg, byte[] parentQn, byte[] name)
    {
        var w = new TpmWriter().Alg(nameAlg);
        return w.Bytes(TpmHash.Hash(nameAlg, [.. parentQn, .. name])).ToArray();
    }

    private void CheckSelection(List<PcrSelection> quoted, Dictionary<(TpmAlgId, int), byte[]> pcrs, List<AttestationReason> reasons)
    {
        var quotedSet = new HashSet<(TpmAlgId, int)>();
        foreach (var s in quoted)
            for (int n = 0; n < s.Indexes.Count; n++) quotedSet.Add((s.Bank, s.Indexes[n]));
        if (_options.ExpectedSelection is { } expected)
        {
            var expectedSet = expected.SelectMany(s => s.Indexes.Select(i => (s.Bank, i))).ToHashSet();
            if (!expectedSet.SetEquals(quotedSet))
                reasons.Add(Fail(ReasonIds.QuoteSelection, "The quoted PCR selection is not the one asked for") with
                {
                    Expected = Describe(expectedSet), Actual = Describe(quotedSet),
                });
        }
        if (pcrs.Count == quotedSet.Count && pcrs.Keys.All(quotedSet.Contains)) return;
        foreach (var (bank, index) in pcrs.Keys.Where(k => !quotedSet.Contains(k)).Order())
            reasons.Add(Fail(ReasonIds.QuoteSelection, "The evidence reports a PCR value that no quote covers") with { Pcr = index, Bank = PcrBanks.Name(bank) });
    }

    private static string Describe(HashSet<(TpmAlgId Bank, int Index)> set) =>
        string.Join("+", set.GroupBy(p => p.Bank).OrderBy(g => g.Key).Select(g => $"{PcrBanks.Name(g.Key)}:{string.Join(',', g.Select(p => p.Index).Order())}"));

    private void CheckCounters(TpmAttest attest, string akName, bool plainCounters, List<AttestationReason> reasons)
    {
        if (_options.Previous is not { } previous) return;
        string? problem = previous.AttestationKeyName.Length == 0 ? "names no attestation key"
            : !string.Equals(previous.AttestationKeyName, akName, StringComparison.OrdinalIgnoreCase) ? "is of another attestation key"
            : previous is not { ResetCount: not null, RestartCount: not null, Clock: not null } ? "has no TPM counters"
            : null;
        if (problem is not null)
        {
            reasons.Add(Indeterminate(ReasonIds.TpmCounters, $"The previous result {problem}: reboots and rollbacks were not checked"));
            return;
        }
        if (!plainCounters)
        {
            reasons.Add(Indeterminate(ReasonIds.TpmCounters,
                "The attestation key is not shown to be in the endorsement hierarchy, so the TPM obfuscates its reset and restart counts: reboots and rollbacks were not checked"));
            return;
        }
        uint reset = previous.ResetCount!.Value, restart = previous.RestartCount!.Value;
        ulong clock = previous.Clock!.Value;
        string actual = $"reset {attest.ResetCount}, restart {attest.RestartCount}, clock {attest.Clock}";
        string expected = $"reset {reset}, restart {restart}, clock {clock}";
        bool rollback = attest.ResetCount < reset
            || attest.ResetCount == reset && attest.RestartCount < restart
            || attest.ResetCount == reset && attest.RestartCount == restart && attest.Clock < clock;
        if (rollback)
            reasons.Add(Fail(ReasonIds.TpmRollback, "The TPM's counters went back since the previous attestation") with { Expected = expected, Actual = actual });
        else if (attest.ResetCount != reset || attest.RestartCount != restart)
            reasons.Add(new AttestationReason(ReasonIds.TpmReboot, ReasonSeverity.Info, "The host rebooted or resumed since the previous attestation")
            {
                Expected = expected, Actual = actual,
            });
    }

    private void CheckIdentity(string claimed, List<AttestationReason> reasons)
    {
        if (_options.HostName is not { } host)
            reasons.Add(Indeterminate(ReasonIds.HostIdentity,
                $"No host name was given to the verifier; the evidence's own claim ('{claimed}') proves nothing") with { Actual = claimed });
        else if (!SameHost(host, claimed))
            reasons.Add(new AttestationReason(ReasonIds.HostName, ReasonSeverity.Info, "The evidence claims another host name")
            {
                Expected = host, Actual = claimed,
            });
    }

    private static bool SameHost(string a, string b) =>
        string.Equals(a, b, StringComparison.OrdinalIgnoreCase)
        || string.Equals(a.Split('.')[0], b.Split('.')[0], StringComparison.OrdinalIgnoreCase) && !IsAddress(a) && !IsAddress(b);

    private static bool IsAddress(string name) => System.Net.IPAddress.TryParse(name, out _);

    private void CheckPolicyPresent(List<AttestationReason> reasons)
    {
        if (_options.Policy is null)
            reasons.Add(Indeterminate(ReasonIds.PolicyNone, "No policy was given: nothing says what this host must have booted"));
        else if (_options.Policy.ConstrainsNothing)
            reasons.Add(Indeterminate(ReasonIds.PolicyNone, $"The policy '{_options.Policy.Name}' names no PCR value and no event rule: it constrains nothing"));
    }

    private static void Evaluate(AttestationPolicy policy, PolicyContext context, List<AttestationReason> reasons)
    {
        try { reasons.AddRange(policy.Evaluate(context)); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            reasons.Add(Fail(ReasonIds.PolicyError, $"The policy could not be evaluated: {e.Message}"));
        }
    }

    /// <summary>What keeps a key from being an attestation key: restricted, sign-only, fixedTPM, fixedParent, sensitiveDataOrigin.</summary>
    internal static string? AttributeProblem(TpmPublic key)
    {
        var a = key.Attributes;
        var missing = new[] { TpmObjectAttributes.Restricted, TpmObjectAttributes.Sign, TpmObjectAttributes.FixedTpm,
            TpmObjectAttributes.FixedParent, TpmObjectAttributes.SensitiveDataOrigin }.Where(f => !a.HasFlag(f)).ToList();
        if (missing.Count > 0) return $"lacks the attribute(s) {string.Join(", ", missing)}";
        return a.HasFlag(TpmObjectAttributes.Decrypt) ? "can also decrypt: an attestation key must be sign-only" : null;
    }

    private (TcgEventLog? Log, bool Replayed) CheckEventLog(AttestationEvidence evidence, Dictionary<(TpmAlgId, int), byte[]> verified, List<AttestationReason> reasons)
    {
        if (evidence.EventLog.Length == 0) return (null, false);
        var quirks = _options.Policy?.QuirkFlags ?? EventLogQuirks.None;
        TcgEventLog log;
        try { log = TcgEventLog.Parse(evidence.EventLog, new EventLogParseOptions { Quirks = quirks }); }
        catch (Exception e) when (e is EventLogFormatException or InvalidDataException or TpmProtocolException)
        {
            reasons.Add(Fail(ReasonIds.EventLogFormat, $"The event log does not parse: {e.Message}"));
            return (null, false);
        }
        // Every quoted PCR is compared in every quoted bank, whether or not the log has events for it: a PCR whose
        // events were removed replays to its reset value, and an event without the quoted bank's digest is unbound.
        var compared = verified;
        var comparison = log.CompareWith(compared, quirks);
        foreach (var d in comparison.Differences)
            reasons.Add(Fail(ReasonIds.EventLogReplay, "The event log does not replay to the quoted PCR value: the log was altered or is incomplete") with
            {
                Pcr = d.Index, Bank = d.Bank, Expected = d.ActualHex, Actual = d.ReplayedHex,
            });
        return (log, comparison.IsMatch && compared.Count > 0);
    }

    private static AttestationReason Fail(string id, string message) => new(id, ReasonSeverity.Failure, message);

    /// <summary>The event-level diff of the PCRs that broke the policy against its reference log; it never adds a reason.</summary>
    private static TrustedCompute.Reporting.EventDifference[] Explain(AttestationPolicy? policy, TcgEventLog? log, bool replayed,
        List<AttestationReason> reasons)
    {
        if (policy?.ReferenceLog is not { Count: > 0 } reference || log is null || !replayed) return [];
        var pcrs = reasons.Where(r => r.Id == ReasonIds.PolicyPcr && r.Actual is not null && r.Pcr is not null).Select(r => r.Pcr!.Value).ToHashSet();
        if (pcrs.Count == 0) return [];
        try
        {
            var old = reference.Select(TrustedCompute.Reporting.LogEvent.From).ToList();
            return [.. TrustedCompute.Reporting.EventLogDiff.Compare(old, TrustedCompute.Reporting.LogEvent.FromLog(log, pcrs), pcrs)];
        }
        catch (Exception e) when (e is not OutOfMemoryException) { return []; }
    }

    private static int Failures(List<AttestationReason> reasons)
    {
        int n = 0;
        foreach (var r in reasons) if (r.Severity == ReasonSeverity.Failure) n++;
        return n;
    }

    private static AttestationReason Indeterminate(string id, string message) => new(id, ReasonSeverity.Indeterminate, message);

    private AttestationResult Result(string host, string claimed, List<AttestationReason> reasons, string digest, TpmAttest? attest,
        string akName, bool plainCounters, TrustedCompute.Reporting.EventDifference[]? differences = null) => new()
    {
        EventDifferences = differences ?? [],
        AttestationKeyName = akName,
        HostName = host,
        ClaimedHostName = claimed,
        Verdict = AttestationResult.VerdictOf(reasons),
        Reasons = [.. reasons],
        Time = DateTime.UtcNow,
        EvidenceDigest = digest,
        Clock = attest?.Clock,
        ResetCount = plainCounters ? attest?.ResetCount : null,
        RestartCount = plainCounters ? attest?.RestartCount : null,
        Policy = _policyLabel,
        PolicyDigest = _policyDigest,
    };

    public void Dispose() => _expectedKey?.Dispose();
}
