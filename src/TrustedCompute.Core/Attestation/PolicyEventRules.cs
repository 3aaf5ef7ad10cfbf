using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;

namespace TrustedCompute.Attestation;

/// <summary>
/// The event rules of a policy. A rule judges only bound facts: an event's data counts only when its digest was
/// verified in every quoted bank of its PCR, an event's type counts for nothing (a rule about a PCR considers every
/// extend into it), and only digests of quoted banks the policy accepts (minimumHash, required banks) count.
/// </summary>
internal sealed class PolicyEventRules(AttestationPolicy policy, PolicyEvents events, PolicyContext context, List<AttestationReason> reasons)
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(250);
    private static readonly string[] CommandLinePrefixes = ["kernel_cmdline: ", "grub_kernel_cmdline "];
    private static readonly int[] CommandLinePcrs = [8, 9, 12];

    public void Check()
    {
        if (events.TxtLaunch is { } txt) CheckTxt(txt);
        if (events.SecureBoot is null && events.BootApplications is null && events.KernelCommandLine is null
            && events.TxtSinit is null && events.TxtMle is null) return;
        if (context.Log is null)
        {
            reasons.Add(Fail("The policy has event rules but the evidence has no event log"));
            return;
        }
        if (!context.LogReplayed)
        {
            reasons.Add(Fail("The policy has event rules but the event log did not replay to the quoted PCRs"));
            return;
        }
        if (events.SecureBoot is { } secureBoot) CheckSecureBoot(secureBoot);
        if (events.BootApplications is { } apps) CheckBootApplications(apps);
        if (events.KernelCommandLine is { } cmdline) CheckCommandLines(cmdline);
        if (events.TxtSinit is { } sinit) CheckTxtMeasurement(TcgEventType.EV_TXT_SINIT_PUBKEY_HASH, sinit, "txtSinit");
        if (events.TxtMle is { } mle) CheckTxtMeasurement(TcgEventType.EV_TXT_MLE_HASH, mle, "txtMle");
    }

    private static AttestationReason Fail(string message) => new(ReasonIds.PolicyEvent, ReasonSeverity.Failure, message);

    private IEnumerable<TpmAlgId> QuotedBanks(int pcr) => context.Pcrs.Keys.Where(k => k.Index == pcr).Select(k => k.Bank);

    private readonly Dictionary<int, List<TpmAlgId>> _ruleBanks = [];

    /// <summary>Quoted banks of a PCR whose digests a rule may use (supported, at least minimumHash, required if listed), strongest first.</summary>
    private List<TpmAlgId> RuleBanks(int pcr)
    {
        if (!_ruleBanks.TryGetValue(pcr, out var banks)) _ruleBanks[pcr] = banks = AcceptedBanks(pcr);
        return banks;
    }

    private List<TpmAlgId> AcceptedBanks(int pcr)
    {
        int minimum = policy.Banks?.MinimumHash is { } m ? PcrBanks.DigestSize(PcrBanks.Parse(m)) : 0;
        var required = policy.Banks?.Required?.Select(PcrBanks.Parse).ToHashSet();
        return QuotedBanks(pcr).Where(b => PcrBanks.IsSupported(b) && PcrBanks.DigestSize(b) >= minimum
            && (required is null || required.Contains(b))).OrderByDescending(PcrBanks.DigestSize).ToList();
    }

    private bool RequirePcr(int pcr, string rule)
    {
        if (RuleBanks(pcr).Count > 0) return true;
        reasons.Add(Fail($"{rule}: PCR {pcr} is not in a verified quote of a bank the policy accepts") with { Pcr = pcr });
        return false;
    }

    /// <summary>The event's data is what was measured: its digest was checked against the data in every quoted bank.</summary>
    private bool DataBound(TcgEvent e) =>
        e.DigestCheck == DigestCheckStatus.Verified && RuleBanks(e.PcrIndex).Count > 0
        && QuotedBanks(e.PcrIndex).All(b => e.GetDigest(b) is not null);

    private IEnumerable<TcgEvent> Extends(int pcr) => context.Log!.Events.Where(e => e.IsExtended && e.PcrIndex == pcr);

    /// <summary>The digest in the strongest bank a rule may use (the replay bound it); null when the event has none.</summary>
    private string? StrongDigest(TcgEvent e) =>
        RuleBanks(e.PcrIndex).Select(e.GetDigest).FirstOrDefault(d => d is not null) is { } d ? HexText.Lower(d) : null;

    private void CheckSecureBoot(bool wanted)
    {
        if (!RequirePcr(7, "secureBoot")) return;
        var states = new List<bool>();
        foreach (var e in Extends(7))
        {
            if (SecureBootValue(e.Data) is not { } value) continue;
            if (!DataBound(e))
                reasons.Add(Fail($"secureBoot: event #{e.Index} carries the SecureBoot variable but its digest does not bind its data")
                    with { Pcr = 7 });
            else states.Add(value.Length == 1 && value[0] == 1);
        }
        if (states.Count == 0)
            reasons.Add(Fail("secureBoot: the log has no verified SecureBoot variable event") with { Pcr = 7 });
        else if (states.Any(s => s != wanted))
            reasons.Add(Fail($"secureBoot: Secure Boot is {(wanted ? "not enabled" : "enabled")}") with
            {
                Pcr = 7, Expected = wanted ? "Enabled" : "Disabled",
                Actual = string.Join(",", states.Select(s => s ? "Enabled" : "Disabled")),
            });
    }

    /// <summary>The value of a UEFI_VARIABLE_DATA naming the global SecureBoot variable, whatever the event's type says.</summary>
    internal static byte[]? SecureBootValue(byte[] data)
    {
        if (data.Length < 32 || new Guid(data.AsSpan(0, 16)) != EfiGuids.GlobalVariable) return null;
        ulong nameChars = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(16));
        ulong valueLength = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(24));
        if (nameChars != 10 || valueLength > (ulong)data.Length || 52 + valueLength != (ulong)data.Length) return null;
        if (Encoding.Unicode.GetString(data, 32, 20) != "SecureBoot") return null;
        return data[52..];
    }

    private void CheckBootApplications(PolicyDigestRule rule)
    {
        if (!RequirePcr(4, "bootApplications")) return;
        var allowed = (rule.Allowed ?? []).Select(d => d.ToLowerInvariant()).ToHashSet();
        var forbidden = (rule.Forbidden ?? []).Select(d => d.ToLowerInvariant()).ToHashSet();
        var extends = Extends(4).ToList();
        if (extends.Count == 0)
            reasons.Add(Fail("bootApplications: PCR 4 has no events, so nothing shows which boot applications ran") with { Pcr = 4 });
        foreach (var e in extends)
        {
            var digests = RuleBanks(4).Select(e.GetDigest).OfType<byte[]>().Select(d => HexText.Lower(d)).ToList();
            if (digests.FirstOrDefault(forbidden.Contains) is { } bad)
                reasons.Add(Fail($"bootApplications: a forbidden boot application was loaded (event #{e.Index}, {e.Summary})")
                    with { Pcr = 4, Actual = bad });
            // An event whose digest is the hash of its data measured that data, not code; every other extend into
            // PCR 4 is judged as a boot application, whatever type the log gives it.
            if (rule.Allowed is null || DataBound(e)) continue;
            string? digest = StrongDigest(e);
            if (digest is null || !allowed.Contains(digest))
                reasons.Add(Fail($"bootApplications: a boot application not on the allowed list was loaded (event #{e.Index}, {e.EventTypeName}, {e.Summary})") with
                {
                    Pcr = 4, Bank = PcrBanks.Name(RuleBanks(4)[0]), Actual = digest,
                });
        }
    }

    private void CheckCommandLines(PolicyPatternRule rule)
    {
        bool quoted = true;
        foreach (int pcr in new[] { 8, 12 }) quoted &= RequirePcr(pcr, "kernelCommandLine");
        if (!quoted) return;
        var lines = new List<(int Pcr, string Line)>();
        foreach (var e in CommandLinePcrs.SelectMany(Extends))
        {
            string? line = CommandLine(e);
            if (line is not null && DataBound(e)) lines.Add((e.PcrIndex, line));
            else if (line is not null)
                reasons.Add(Fail($"kernelCommandLine: the command line of event #{e.Index} is not bound by its digest") with { Pcr = e.PcrIndex, Actual = line });
            else if (e.PcrIndex == 8 && !DataBound(e))
                reasons.Add(Fail($"kernelCommandLine: event #{e.Index} in PCR 8 has data its digest does not bind; it may hide a command line")
                    with { Pcr = 8 });
        }
        if (lines.Count == 0)
            reasons.Add(Fail("kernelCommandLine: the log has no verified kernel command line"));
        foreach (var (pcr, line) in lines)
        {
            foreach (var p in rule.Forbidden ?? [])
                if (Matches(p, line, pcr))
                    reasons.Add(Fail($"kernelCommandLine: the command line matches the forbidden pattern '{p}'") with { Pcr = pcr, Actual = line });
            if (rule.Allowed is { } allowed && !allowed.Any(p => Matches(p, line, pcr)))
                reasons.Add(Fail("kernelCommandLine: the command line matches no allowed pattern") with
                {
                    Pcr = pcr, Expected = string.Join(" | ", allowed), Actual = line,
                });
        }
    }

    private bool Matches(string pattern, string text, int pcr)
    {
        try { return Regex.IsMatch(text, pattern, RegexOptions.None, RegexTimeout); }
        catch (RegexMatchTimeoutException)
        {
            reasons.Add(Fail($"kernelCommandLine: pattern '{pattern}' timed out on the command line") with { Pcr = pcr });
            return false;
        }
    }

    /// <summary>
    /// The kernel command line an event's data carries, whatever its type: GRUB's prefixed ASCII text, or (PCR 12,
    /// systemd-boot) a UTF-16 string. Null when the data is neither.
    /// </summary>
    internal static string? CommandLine(TcgEvent e)
    {
        string ascii = Encoding.UTF8.GetString(e.Data);
        foreach (var prefix in CommandLinePrefixes)
            if (ascii.StartsWith(prefix, StringComparison.Ordinal)) return ascii[prefix.Length..].TrimEnd('\0');
        if (e.PcrIndex != 12 || e.Data.Length < 2 || e.Data.Length % 2 != 0) return null;
        string text = Encoding.Unicode.GetString(e.Data).TrimEnd('\0');
        return text.Length > 0 && text.All(c => !char.IsControl(c) && !char.IsSurrogate(c)) ? text : null;
    }

    private void CheckTxtMeasurement(TcgEventType type, List<string> allowedList, string rule)
    {
        if (!RequirePcr(17, rule) || !RequirePcr(18, rule)) return;
        var allowed = allowedList.Select(d => d.ToLowerInvariant()).ToHashSet();
        var found = Extends(17).Concat(Extends(18)).Where(e => e.EventType == type).ToList();
        if (found.Count == 0)
            reasons.Add(Fail($"{rule}: the log has no verified {type} event"));
        else if (found.Count > 1)
            reasons.Add(Fail($"{rule}: the log has {found.Count} {type} events; a measured launch makes one"));
        foreach (var e in found.Where(e => StrongDigest(e) is not { } d || !allowed.Contains(d)))
            reasons.Add(Fail($"{rule}: the {type} measurement is not an allowed one") with
            {
                Pcr = e.PcrIndex, Expected = string.Join(" | ", allowed), Actual = StrongDigest(e),
            });
    }

    private void CheckTxt(bool wanted)
    {
        foreach (int pcr in new[] { 17, 18 })
        {
            var values = RuleBanks(pcr).Select(b => context.Pcrs[(b, pcr)]).ToList();
            if (values.Count == 0)
            {
                reasons.Add(Fail($"txtLaunch: PCR {pcr} is not in a verified quote of a bank the policy accepts") with { Pcr = pcr });
                continue;
            }
            bool launched = values.All(v => v.Any(b => b != 0xFF));
            if (launched != wanted)
                reasons.Add(Fail(wanted ? $"txtLaunch: PCR {pcr} is all-FF: no Intel TXT measured launch" : $"txtLaunch: PCR {pcr} shows a measured launch") with
                {
                    Pcr = pcr, Actual = HexText.Lower(values[0]),
                });
        }
    }
}
