using System.Text.RegularExpressions;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;

namespace TrustedCompute.Attestation;

/// <summary>Required PCR banks and the weakest hash accepted.</summary>
public sealed class PolicyBanks
{
    /// <summary>Banks that must be quoted and verified (sha1, sha256, sha384, sha512).</summary>
    public List<string>? Required { get; set; }
    /// <summary>The weakest hash accepted for the quote signature and for any bank a rule reads.</summary>
    public string? MinimumHash { get; set; }
}

/// <summary>Digest lists (hex, any bank).</summary>
public sealed class PolicyDigestRule
{
    public List<string>? Allowed { get; set; }
    public List<string>? Forbidden { get; set; }
}

/// <summary>Regular expressions (.NET syntax) a text must or must not match.</summary>
public sealed class PolicyPatternRule
{
    public List<string>? Allowed { get; set; }
    public List<string>? Forbidden { get; set; }
}

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
    /// <summary>Allowed digests of the SINIT ACM's signing key (EV_TXT_SINIT_PUBKEY_HASH in a DRTM log); the log must give one.</summary>
    public List<string>? TxtSinit { get; set; }
    /// <summary>Allowed digests of the measured launch environment (EV_TXT_MLE_HASH, e.g. tboot); the log must give one.</summary>
    public List<string>? TxtMle { get; set; }
}

/// <summary>Verified inputs a policy judges: PCR values covered by a valid quote, the log (if any) and whether it replayed.</summary>
public sealed record PolicyContext(
    IReadOnlyDictionary<(TpmAlgId Bank, int Index), byte[]> Pcrs, TcgEventLog? Log, bool LogReplayed, IReadOnlyList<TpmAlgId> SigningHashes);

/// <summary>
/// An attestation policy: what a host must show to be Trusted. Read from YAML with <see cref="PolicyYaml"/>; every
/// property is optional except <see cref="SchemaVersion"/>.
/// </summary>
public sealed class AttestationPolicy
{
    public const int CurrentSchemaVersion = 1;
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

    /// <summary>A policy whose golden values are a known-good host's PCRs (the given banks and indexes; all when null).</summary>
    public static AttestationPolicy FromEvidence(AttestationEvidence evidence, IEnumerable<string>? banks = null, IEnumerable<int>? indexes = null, string? name = null)
    {
        var bankSet = banks?.Select(b => PcrBanks.Name(PcrBanks.Parse(b))).ToHashSet();
        var indexSet = indexes?.ToHashSet();
        var pcrs = new Dictionary<string, Dictionary<int, List<string>>>();
        foreach (var p in evidence.PcrValues.OrderBy(p => p.Index))
        {
            string bank = PcrBanks.Name(PcrBanks.Parse(p.Bank));
            if (bankSet is not null && !bankSet.Contains(bank) || indexSet is not null && !indexSet.Contains(p.Index)) continue;
            if (!pcrs.TryGetValue(bank, out var values)) pcrs[bank] = values = [];
            values[p.Index] = [HexText.Lower(p.Value)];
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
        policy.Validate();
        return policy;
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

    /// <summary>Checks the policy itself (versions, names, hex, patterns); throws <see cref="AttestationPolicyException"/> naming the field.</summary>
    public void Validate()
    {
        if (SchemaVersion != CurrentSchemaVersion)
            throw new AttestationPolicyException($"schemaVersion {SchemaVersion} is not supported (this module reads schemaVersion {CurrentSchemaVersion})");
        TpmAlgId? minimum = Banks?.MinimumHash is { } m ? Bank(m, "banks.minimumHash") : null;
        foreach (var b in Banks?.Required ?? []) CheckMinimum(Bank(b, "banks.required"), minimum, "banks.required");
        foreach (var (bankName, values) in Pcrs ?? [])
        {
            var bank = Bank(bankName, $"pcrs.{bankName}");
            CheckMinimum(bank, minimum, $"pcrs.{bankName}");
            foreach (var (index, allowed) in values ?? [])
            {
                string field = $"pcrs.{bankName}.{index}";
                if (index is < 0 or >= PcrReplay.PcrCount) throw new AttestationPolicyException($"{field}: PCR index must be 0-23");
                if (allowed is null || allowed.Count == 0) throw new AttestationPolicyException($"{field}: give at least one allowed value");
                foreach (var v in allowed) Hex(v, field, PcrBanks.DigestSize(bank));
            }
        }
        foreach (var d in Events?.BootApplications?.Allowed ?? []) Hex(d, "events.bootApplications.allowed", null);
        foreach (var d in Events?.BootApplications?.Forbidden ?? []) Hex(d, "events.bootApplications.forbidden", null);
        foreach (var d in Events?.TxtSinit ?? []) Hex(d, "events.txtSinit", null);
        foreach (var d in Events?.TxtMle ?? []) Hex(d, "events.txtMle", null);
        foreach (var p in (Events?.KernelCommandLine?.Allowed ?? []).Concat(Events?.KernelCommandLine?.Forbidden ?? []))
        {
            try { _ = new Regex(p ?? throw new ArgumentException("empty pattern"), RegexOptions.None, RegexTimeout); }
            catch (ArgumentException e) { throw new AttestationPolicyException($"events.kernelCommandLine: '{p}' is not a valid regular expression: {e.Message}"); }
        }
        foreach (var q in Quirks ?? [])
            if (!Enum.TryParse<EventLogQuirks>(q, ignoreCase: true, out var flag) || flag == EventLogQuirks.None || !Enum.IsDefined(flag) || int.TryParse(q, out _))
                throw new AttestationPolicyException($"quirks: '{q}' is not a known quirk ({string.Join(", ", EventLogQuirkRules.All)})");
    }

    private static TpmAlgId Bank(string name, string field)
    {
        try
        {
            var bank = PcrBanks.Parse(name ?? "");
            if (!PcrBanks.IsSupported(bank)) throw new ArgumentException(name);
            return bank;
        }
        catch (ArgumentException) { throw new AttestationPolicyException($"{field}: '{name}' is not a bank (sha1, sha256, sha384, sha512)"); }
    }

    private static void CheckMinimum(TpmAlgId bank, TpmAlgId? minimum, string field)
    {
        if (minimum is { } m && PcrBanks.DigestSize(bank) < PcrBanks.DigestSize(m))
            throw new AttestationPolicyException($"{field}: bank {PcrBanks.Name(bank)} is weaker than banks.minimumHash {PcrBanks.Name(m)}");
    }

    private static byte[] Hex(string? text, string field, int? size)
    {
        byte[] bytes;
        try { bytes = Convert.FromHexString(text ?? ""); }
        catch (FormatException) { throw new AttestationPolicyException($"{field}: '{text}' is not hexadecimal"); }
        if (bytes.Length == 0 || size is { } s && bytes.Length != s || size is null && PcrBanks.Supported.All(b => PcrBanks.DigestSize(b) != bytes.Length))
            throw new AttestationPolicyException($"{field}: '{text}' is {bytes.Length} bytes, not a digest{(size is null ? "" : $" of {size} bytes")}");
        return bytes;
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
            foreach (var (index, allowed) in values.OrderBy(kv => kv.Key))
            {
                string Expected() => string.Join(" | ", allowed.Select(a => a.ToLowerInvariant()));
                if (!context.Pcrs.TryGetValue((bank, index), out var actual))
                    reasons.Add(Fail(ReasonIds.PolicyPcr, "The policy names a PCR that no verified quote covers") with { Pcr = index, Bank = PcrBanks.Name(bank), Expected = Expected() });
                else if (HexText.Lower(actual) is var hex && !allowed.Any(a => string.Equals(a, hex, StringComparison.OrdinalIgnoreCase)))
                    reasons.Add(Fail(ReasonIds.PolicyPcr, "The PCR value is not one of the policy's allowed values") with
                    {
                        Pcr = index, Bank = PcrBanks.Name(bank), Expected = Expected(), Actual = hex,
                    });
            }
        }
    }

    internal static AttestationReason Fail(string id, string message) => new(id, ReasonSeverity.Failure, message);
}

/// <summary>An invalid policy: the message names the field or the YAML line.</summary>
public sealed class AttestationPolicyException(string message, int? line = null, Exception? inner = null)
    : FormatException(line is null ? message : $"line {line}: {message}", inner)
{
    public int? Line { get; } = line;
}
