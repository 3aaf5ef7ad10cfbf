using System.Globalization;
using System.Text.RegularExpressions;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;
using YamlDotNet.Serialization;

namespace TrustedCompute.Attestation;

/// <summary>Required PCR banks and the weakest hash accepted; give at least one of the two.</summary>
public sealed class PolicyBanks
{
    /// <summary>Banks that must be quoted and verified (sha1, sha256, sha384, sha512), each once, in lower case.</summary>
    public List<string>? Required { get; set; }
    /// <summary>The weakest hash accepted for the quote signature and for any bank a rule reads.</summary>
    public string? MinimumHash { get; set; }
}

/// <summary>Digest lists (hex, any bank); give at least one of the two.</summary>
public sealed class PolicyDigestRule
{
    /// <summary>The only digests allowed; null: no allow list; empty: nothing is allowed, so every such event fails.</summary>
    public List<string>? Allowed { get; set; }
    /// <summary>Digests that must not appear; null or empty: none is forbidden.</summary>
    public List<string>? Forbidden { get; set; }
}

/// <summary>Regular expressions (.NET syntax) a text must or must not match; give at least one of the two.</summary>
public sealed class PolicyPatternRule
{
    /// <summary>Patterns one of which each text must match; null: no allow list; empty: nothing is allowed, every such text fails.</summary>
    public List<string>? Allowed { get; set; }
    /// <summary>Patterns no text may match; null or empty: none is forbidden.</summary>
    public List<string>? Forbidden { get; set; }
}

/// <summary>Rules on the event log; null properties are rules not given (give at least one).</summary>
public sealed class PolicyEvents
{
    /// <summary>True: the log must show SecureBoot enabled (PCR 7); false: must show it disabled.</summary>
    public bool? SecureBoot { get; set; }
    /// <summary>Digests of EFI boot applications (EV_EFI_BOOT_SERVICES_APPLICATION, PCR 4).</summary>
    public PolicyDigestRule? BootApplications { get; set; }
    /// <summary>Kernel command lines measured as EV_IPL (GRUB kernel_cmdline, systemd-boot).</summary>
    public PolicyPatternRule? KernelCommandLine { get; set; }
    /// <summary>True: an Intel TXT measured launch happened (PCR 17 and 18 quoted and not all-FF).</summary>
    public bool? TxtLaunch { get; set; }
    /// <summary>
    /// Allowed digests of the SINIT ACM's signing key (EV_TXT_SINIT_PUBKEY_HASH in a DRTM log); the log must give one.
    /// Empty: nothing is allowed, so every such event fails.
    /// </summary>
    public List<string>? TxtSinit { get; set; }
    /// <summary>
    /// Allowed digests of the measured launch environment (EV_TXT_MLE_HASH, e.g. tboot); the log must give one.
    /// Empty: nothing is allowed, so every such event fails.
    /// </summary>
    public List<string>? TxtMle { get; set; }
}

/// <summary>One event of a golden host's log, kept in a policy to explain later differences (never judged).</summary>
public sealed class PolicyReferenceEvent
{
    public int Pcr { get; set; }
    /// <summary>The event type as the spec names it (EV_EFI_BOOT_SERVICES_APPLICATION), or hex.</summary>
    public string? Type { get; set; }
    /// <summary>What it measured, as <see cref="TrustedCompute.Reporting.EventComponent"/> names it.</summary>
    public string? Component { get; set; }
    /// <summary>Boot application path, EFI variable name, ...; null when the component has no name.</summary>
    public string? Name { get; set; }
    public string? Description { get; set; }
    /// <summary>Bank -> digest (hex) in the policy's banks.</summary>
    public Dictionary<string, string>? Digests { get; set; }
}

/// <summary>Who approved a change of the policy (Update-AttestationPolicy), when, and from which host's evidence.</summary>
public sealed class PolicyApproval
{
    public string? By { get; set; }
    /// <summary>UTC, ISO 8601 ("2026-12-01T12:00:00Z").</summary>
    public string? At { get; set; }
    public string? HostName { get; set; }
    public string? EvidenceDigest { get; set; }
    public string? Comment { get; set; }
    /// <summary>What the change added and retired, one line per value ("add pcrs.sha256.4 ab12...").</summary>
    public List<string>? Changes { get; set; }
}

/// <summary>Verified inputs a policy judges: PCR values covered by a valid quote, the log (if any) and whether it replayed.</summary>
public sealed record PolicyContext(
    IReadOnlyDictionary<(TpmAlgId Bank, int Index), byte[]> Pcrs, TcgEventLog? Log, bool LogReplayed, IReadOnlyList<TpmAlgId> SigningHashes);

/// <summary>
/// An attestation policy: what a host must show to be Trusted. Read from YAML with <see cref="PolicyYaml"/>; every
/// property is optional except <see cref="SchemaVersion"/>. The object is mutable: a verifier keeps a
/// <see cref="Snapshot"/>, validated exactly as a file is, that later changes cannot reach.
/// </summary>
public sealed class AttestationPolicy
{
    public const int CurrentSchemaVersion = 1;
    internal const string NoValue = "no value (null or empty): give one, or remove the entry";
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(250);

    public int SchemaVersion { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public PolicyBanks? Banks { get; set; }
    /// <summary>Golden values: bank -> PCR index -> allowed values (hex); any one of them is accepted.</summary>
    public Dictionary<string, Dictionary<int, List<string>>>? Pcrs { get; set; }
    public PolicyEvents? Events { get; set; }
    /// <summary>Event-log quirks tolerated (names of <see cref="EventLogQuirks"/>).</summary>
    public List<string>? Quirks { get; set; }
    /// <summary>The golden host's events (ordered, per PCR) that explain a later PCR difference; never judged.</summary>
    public List<PolicyReferenceEvent>? ReferenceLog { get; set; }
    /// <summary>Approved changes, oldest first.</summary>
    public List<PolicyApproval>? Approvals { get; set; }

    /// <summary>True when the policy has no golden PCR values and no event rules: it says nothing about the boot.</summary>
    [YamlIgnore]
    public bool ConstrainsNothing =>
        (Pcrs is null || Pcrs.Values.All(v => v is null || v.Count == 0))
        && (Events is null || NoRules(Events));

    private static bool NoRules(PolicyEvents e) =>
        e is { SecureBoot: null, BootApplications: null, KernelCommandLine: null, TxtLaunch: null, TxtSinit: null, TxtMle: null };

    /// <summary>
    /// A private copy read back through the file reader (written as YAML, then screened, deserialized and validated):
    /// later changes to this object do not reach it. Throws <see cref="AttestationPolicyException"/> when invalid.
    /// </summary>
    public AttestationPolicy Snapshot() => Snapshot(out _);

    /// <summary>The snapshot and the canonical YAML it was read back from (what a result's PolicyDigest hashes).</summary>
    internal AttestationPolicy Snapshot(out string yaml)
    {
        yaml = PolicyYaml.Serialize(this);
        try { return PolicyYaml.Parse(yaml); }
        catch (AttestationPolicyException e) { throw e.AtLine(null); }
    }

    /// <summary>A policy whose golden values are a known-good host's PCRs (the given banks and indexes; all when null).</summary>
    public static AttestationPolicy FromEvidence(AttestationEvidence evidence, IEnumerable<string>? banks = null, IEnumerable<int>? indexes = null, string? name = null)
        => FromEvidence(evidence, banks, indexes, name, keepReferenceLog: false);

    /// <summary>
    /// As above; with <paramref name="keepReferenceLog"/> the policy also keeps the evidence's event log (its events in
    /// the policy's PCRs, digests of the policy's banks), which must replay to the evidence's PCR values.
    /// </summary>
    public static AttestationPolicy FromEvidence(AttestationEvidence evidence, IEnumerable<string>? banks, IEnumerable<int>? indexes,
        string? name, bool keepReferenceLog)
    {
        var bankSet = banks?.Select(b => PcrBanks.Name(PcrBanks.Parse(b))).ToHashSet();
        var indexSet = indexes?.ToHashSet();
        var pcrs = new Dictionary<string, Dictionary<int, List<string>>>();
        foreach (var p in evidence.PcrValues.OrderBy(p => p.Index))
        {
            string bank = PcrBanks.Name(PcrBanks.Parse(p.Bank));
            if (bankSet is not null && !bankSet.Contains(bank) || indexSet is not null && !indexSet.Contains(p.Index)) continue;
            if (!pcrs.TryGetValue(bank, out var values)) pcrs[bank] = values = [];
            if (!values.TryAdd(p.Index, [HexText.Lower(p.Value)]))
                throw new ArgumentException($"The evidence gives PCR {bank}:{p.Index} more than once");
        }
        if (pcrs.Count == 0) throw new ArgumentException("The evidence has no PCR values of the banks and indexes asked for");
        var policy = new AttestationPolicy
        {
            SchemaVersion = CurrentSchemaVersion,
            Name = name ?? $"golden-{evidence.HostName}",
            Description = $"Golden PCR values of {evidence.HostName} collected {evidence.CollectedAt:u}",
            Banks = new PolicyBanks { Required = [.. pcrs.Keys] },
            Pcrs = pcrs,
        };
        if (keepReferenceLog) policy.ReferenceLog = ReferenceEvents(evidence, pcrs);
        return policy.Snapshot();
    }

    /// <summary>The evidence's log as reference events of the PCRs and banks given; it must replay to the evidence's values.</summary>
    internal static List<PolicyReferenceEvent> ReferenceEvents(AttestationEvidence evidence, Dictionary<string, Dictionary<int, List<string>>> pcrs)
    {
        if (evidence.EventLog.Length == 0) throw new ArgumentException("The evidence has no event log to keep as the reference");
        TcgEventLog log;
        try { log = TcgEventLog.Parse(evidence.EventLog); }
        catch (Exception e) when (e is EventLogFormatException or InvalidDataException or TpmProtocolException)
        {
            throw new ArgumentException($"The evidence's event log does not parse: {e.Message}", e);
        }
        var values = new Dictionary<(TpmAlgId, int), byte[]>();
        foreach (var (bank, byIndex) in pcrs)
            foreach (var index in byIndex.Keys)
                values[(PcrBanks.Parse(bank), index)] = evidence.PcrValues.First(p => PcrBanks.Parse(p.Bank) == PcrBanks.Parse(bank) && p.Index == index).Value;
        if (!log.CompareWith(values).IsMatch)
            throw new ArgumentException("The evidence's event log does not replay to its PCR values: it cannot be a reference");
        var bankSet = pcrs.Keys.Select(PcrBanks.Parse).ToHashSet();
        var indexSet = pcrs.Values.SelectMany(v => v.Keys).ToHashSet();
        return TrustedCompute.Reporting.LogEvent.FromLog(log, indexSet, bankSet).Select(e => e.ToPolicy()).ToList();
    }

    internal EventLogQuirks QuirkFlags =>
        (Quirks ?? []).Aggregate(EventLogQuirks.None, (all, q) => all | Enum.Parse<EventLogQuirks>(q, ignoreCase: true));

    /// <summary>The PCRs the policy reads, per bank: what a verifier must have quoted.</summary>
    public IReadOnlyList<PcrSelection> RequiredSelection()
    {
        var wanted = new Dictionary<TpmAlgId, HashSet<int>>();
        void Add(TpmAlgId bank, int index) { if (!wanted.TryGetValue(bank, out var s)) wanted[bank] = s = []; s.Add(index); }
        foreach (var (bank, values) in Pcrs ?? [])
            foreach (int index in values.Keys) Add(PcrBanks.Parse(bank), index);
        var eventBanks = wanted.Keys.DefaultIfEmpty(TpmAlgId.Sha256).ToList();
        foreach (int index in EventPcrs()) foreach (var b in eventBanks) Add(b, index);
        foreach (var b in Banks?.Required ?? []) if (!wanted.ContainsKey(PcrBanks.Parse(b))) Add(PcrBanks.Parse(b), 0);
        return wanted.OrderBy(kv => kv.Key).Select(kv => PcrSelection.Create(kv.Key, kv.Value)).ToList();
    }

    private IEnumerable<int> EventPcrs()
    {
        if (Events?.SecureBoot is not null) yield return 7;
        if (Events?.BootApplications is not null) yield return 4;
        if (Events?.KernelCommandLine is not null) { yield return 8; yield return 12; }
        if (Events?.TxtLaunch == true || Events?.TxtSinit is not null || Events?.TxtMle is not null) { yield return 17; yield return 18; }
    }

    /// <summary>
    /// Checks the policy itself (version, banks, PCR indexes, hex, patterns, quirks, no null entries, no empty rules);
    /// throws <see cref="AttestationPolicyException"/> whose <see cref="AttestationPolicyException.Field"/> names the field.
    /// </summary>
    public void Validate()
    {
        if (SchemaVersion != CurrentSchemaVersion) throw Invalid("schemaVersion", UnsupportedVersion(SchemaVersion.ToString(CultureInfo.InvariantCulture)));
        TpmAlgId? minimum = null;
        if (Banks is { } banks)
        {
            if (banks.Required is null && banks.MinimumHash is null) throw Invalid("banks", "give required, minimumHash or both");
            if (banks.MinimumHash is { } m) minimum = Bank(m, "banks.minimumHash");
            var seen = new HashSet<TpmAlgId>();
            if (banks.Required is { Count: 0 }) throw Invalid("banks.required", "give at least one bank");
            Each(banks.Required, "banks.required", (b, field) =>
            {
                var bank = Bank(b, field);
                if (!seen.Add(bank)) throw Invalid(field, $"{b} is listed twice");
                CheckMinimum(bank, minimum, field);
            });
        }
        if (Pcrs is { Count: 0 }) throw Invalid("pcrs", "give at least one bank of golden values");
        foreach (var (bankName, values) in Pcrs ?? [])
        {
            string bankField = $"pcrs.{bankName}";
            var bank = Bank(bankName, bankField);
            CheckMinimum(bank, minimum, bankField);
            if (values is null) throw Invalid(bankField, NoValue);
            if (values.Count == 0) throw Invalid(bankField, "give at least one PCR");
            foreach (var (index, allowed) in values)
            {
                string field = $"{bankField}.{index}";
                if (index is < 0 or >= PcrReplay.PcrCount) throw Invalid(field, "PCR index must be 0-23");
                if (allowed is null) throw Invalid(field, NoValue);
                if (allowed.Count == 0) throw Invalid(field, "give at least one allowed value");
                Each(allowed, field, (v, f) => Hex(v, f, PcrBanks.DigestSize(bank)));
            }
        }
        if (Events is { } events) ValidateEvents(events);
        ValidateReferenceLog();
        ValidateApprovals();
        Each(Quirks, "quirks", (q, field) =>
        {
            if (!Enum.TryParse<EventLogQuirks>(q, ignoreCase: true, out var flag) || flag == EventLogQuirks.None || !Enum.IsDefined(flag) || int.TryParse(q, out _))
                throw Invalid(field, $"'{q}' is not a known quirk ({string.Join(", ", EventLogQuirkRules.All)})");
        });
    }

    private static void ValidateEvents(PolicyEvents events)
    {
        if (NoRules(events)) throw Invalid("events", "give at least one rule");
        if (events.BootApplications is { Allowed: null, Forbidden: null })
            throw Invalid("events.bootApplications", "give allowed, forbidden or both");
        Each(events.BootApplications?.Allowed, "events.bootApplications.allowed", (d, f) => Hex(d, f, null));
        Each(events.BootApplications?.Forbidden, "events.bootApplications.forbidden", (d, f) => Hex(d, f, null));
        if (events.KernelCommandLine is { Allowed: null, Forbidden: null })
            throw Invalid("events.kernelCommandLine", "give allowed, forbidden or both");
        Each(events.KernelCommandLine?.Allowed, "events.kernelCommandLine.allowed", Pattern);
        Each(events.KernelCommandLine?.Forbidden, "events.kernelCommandLine.forbidden", Pattern);
        Each(events.TxtSinit, "events.txtSinit", (d, f) => Hex(d, f, null));
        Each(events.TxtMle, "events.txtMle", (d, f) => Hex(d, f, null));
    }

    private void ValidateReferenceLog()
    {
        for (int i = 0; i < (ReferenceLog?.Count ?? 0); i++)
        {
            string field = $"referenceLog[{i}]";
            var e = ReferenceLog![i] ?? throw Invalid(field, NoValue);
            if (e.Pcr is < 0 or >= PcrReplay.PcrCount) throw Invalid($"{field}.pcr", "PCR index must be 0-23");
            if (string.IsNullOrEmpty(e.Type)) throw Invalid($"{field}.type", NoValue);
            if (!Enum.TryParse<TrustedCompute.Reporting.EventComponent>(e.Component, out var c) || !Enum.IsDefined(c) || int.TryParse(e.Component, out _))
                throw Invalid($"{field}.component", $"'{e.Component}' is not a component ({string.Join(", ", Enum.GetNames<TrustedCompute.Reporting.EventComponent>())})");
            if (e.Digests is null || e.Digests.Count == 0) throw Invalid($"{field}.digests", "give at least one digest");
            foreach (var (bankName, digest) in e.Digests)
            {
                var bank = Bank(bankName, $"{field}.digests.{bankName}");
                Hex(digest ?? throw Invalid($"{field}.digests.{bankName}", NoValue), $"{field}.digests.{bankName}", PcrBanks.DigestSize(bank));
            }
        }
    }

    private void ValidateApprovals()
    {
        for (int i = 0; i < (Approvals?.Count ?? 0); i++)
        {
            string field = $"approvals[{i}]";
            var a = Approvals![i] ?? throw Invalid(field, NoValue);
            if (string.IsNullOrWhiteSpace(a.By)) throw Invalid($"{field}.by", NoValue);
            if (!DateTime.TryParse(a.At, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _))
                throw Invalid($"{field}.at", $"'{a.At}' is not a time (ISO 8601)");
            Each(a.Changes, $"{field}.changes", (_, _) => { });
        }
    }

    /// <summary>Checks each entry of a list that is given; a null entry is an error, never skipped.</summary>
    private static void Each(List<string>? list, string field, Action<string, string> check)
    {
        for (int i = 0; i < (list?.Count ?? 0); i++)
            check(list![i] ?? throw Invalid($"{field}[{i}]", NoValue), $"{field}[{i}]");
    }

    internal static string UnsupportedVersion(string version) =>
        $"{version} is not supported (this module reads schemaVersion {CurrentSchemaVersion})";

    private static AttestationPolicyException Invalid(string field, string message) => new(message, field: field);

    /// <summary>A supported bank, written as this module writes it ("sha256"), so two keys never name one bank.</summary>
    private static TpmAlgId Bank(string name, string field)
    {
        TpmAlgId bank;
        try { bank = PcrBanks.Parse(name); }
        catch (ArgumentException) { throw Invalid(field, $"'{name}' is not a bank (sha1, sha256, sha384, sha512)"); }
        if (!PcrBanks.IsSupported(bank)) throw Invalid(field, $"'{name}' is not a bank (sha1, sha256, sha384, sha512)");
        if (PcrBanks.Name(bank) != name) throw Invalid(field, $"'{name}': write the bank as '{PcrBanks.Name(bank)}'");
        return bank;
    }

    private static void CheckMinimum(TpmAlgId bank, TpmAlgId? minimum, string field)
    {
        if (minimum is { } m && PcrBanks.DigestSize(bank) < PcrBanks.DigestSize(m))
            throw Invalid(field, $"bank {PcrBanks.Name(bank)} is weaker than banks.minimumHash {PcrBanks.Name(m)}");
    }

    private static void Pattern(string pattern, string field)
    {
        try { _ = new Regex(pattern, RegexOptions.None, RegexTimeout); }
        catch (ArgumentException e) { throw Invalid(field, $"'{pattern}' is not a valid regular expression: {e.Message}"); }
    }

    private static void Hex(string text, string field, int? size)
    {
        byte[] bytes;
        try { bytes = Convert.FromHexString(text); }
        catch (FormatException) { throw Invalid(field, $"'{text}' is not hexadecimal"); }
        if (bytes.Length == 0 || size is { } s && bytes.Length != s || size is null && PcrBanks.Supported.All(b => PcrBanks.DigestSize(b) != bytes.Length))
            throw Invalid(field, $"'{text}' is {bytes.Length} bytes, not a digest{(size is null ? "" : $" of {size} bytes")}");
    }

    /// <summary>Every rule the context breaks, as Failure reasons (empty when the policy holds).</summary>
    public IReadOnlyList<AttestationReason> Evaluate(PolicyContext context)
    {
        var reasons = new List<AttestationReason>();
        CheckBanks(context, reasons);
        CheckPcrs(context, reasons);
        if (Events is { } events) new PolicyEventRules(this, events, context, reasons).Check();
        return reasons;
    }

    private void CheckBanks(PolicyContext context, List<AttestationReason> reasons)
    {
        foreach (var name in Banks?.Required ?? [])
        {
            var bank = PcrBanks.Parse(name);
            if (!context.Pcrs.Keys.Any(k => k.Bank == bank))
                reasons.Add(Fail(ReasonIds.PolicyBank, $"The required bank {PcrBanks.Name(bank)} is not in a verified quote") with { Bank = PcrBanks.Name(bank) });
        }
        if (Banks?.MinimumHash is not { } min) return;
        int minimum = PcrBanks.DigestSize(PcrBanks.Parse(min));
        foreach (var h in context.SigningHashes.Distinct().Where(h => PcrBanks.DigestSize(h) < minimum))
            reasons.Add(Fail(ReasonIds.PolicyHash, $"The quote is signed with {PcrBanks.Name(h)}, weaker than the policy's minimum {min}") with
            {
                Expected = min, Actual = PcrBanks.Name(h),
            });
    }

    private void CheckPcrs(PolicyContext context, List<AttestationReason> reasons)
    {
        foreach (var (bankName, values) in Pcrs ?? [])
        {
            var bank = PcrBanks.Parse(bankName);
            var indexes = values.Keys.ToArray();
            Array.Sort(indexes);
            foreach (int index in indexes)
            {
                var allowed = values[index];
                if (!context.Pcrs.TryGetValue((bank, index), out var actual))
                    reasons.Add(Fail(ReasonIds.PolicyPcr, "The policy names a PCR that no verified quote covers") with
                    {
                        Pcr = index, Bank = PcrBanks.Name(bank), Expected = Listed(allowed),
                    });
                else if (!AnyEquals(allowed, actual))
                    reasons.Add(Fail(ReasonIds.PolicyPcr, "The PCR value is not one of the policy's allowed values") with
                    {
                        Pcr = index, Bank = PcrBanks.Name(bank), Expected = Listed(allowed), Actual = HexText.Lower(actual),
                    });
            }
        }
    }

    private static string Listed(List<string> allowed) => string.Join(" | ", allowed.Select(a => a.ToLowerInvariant()));

    private static bool AnyEquals(List<string> allowedHex, byte[] actual)
    {
        foreach (var hex in allowedHex)
            if (HexEquals(hex, actual)) return true;
        return false;
    }

    /// <summary>Hex text (either case) equals the bytes, compared without allocating.</summary>
    private static bool HexEquals(string hex, ReadOnlySpan<byte> bytes)
    {
        if (hex.Length != 2 * bytes.Length) return false;
        for (int i = 0; i < bytes.Length; i++)
            if (Nibble(hex[2 * i]) != bytes[i] >> 4 || Nibble(hex[2 * i + 1]) != (bytes[i] & 0xF)) return false;
        return true;
    }

    private static int Nibble(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    internal static AttestationReason Fail(string id, string message) => new(id, ReasonSeverity.Failure, message);
}

/// <summary>An invalid policy: the message names the field (<see cref="Field"/>) and the YAML line (<see cref="Line"/>) when known.</summary>
public sealed class AttestationPolicyException : FormatException
{
    private readonly string _text;

    public AttestationPolicyException(string message, int? line = null, Exception? inner = null, string? field = null)
        : base((line is null ? "" : $"line {line}: ") + (field is null ? "" : $"{field}: ") + message, inner)
    {
        _text = message;
        Line = line;
        Field = field;
    }

    public int? Line { get; }
    /// <summary>The field to blame, as a path: "pcrs.sha256.7", "banks.required[1]"; null for whole-document errors.</summary>
    public string? Field { get; }

    /// <summary>The same error at another line (null: none, e.g. for YAML the caller never saw).</summary>
    internal AttestationPolicyException AtLine(int? line) => new(_text, line, InnerException, Field);
}
