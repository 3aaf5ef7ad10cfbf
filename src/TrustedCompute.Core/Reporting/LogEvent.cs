using System.Text;
using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;

namespace TrustedCompute.Reporting;

/// <summary>What an event measured, in plain words.</summary>
public enum EventComponent
{
    BootApplication,
    Driver,
    EfiVariable,
    KernelCommandLine,
    BootLoader,
    FirmwareBlob,
    TxtSinit,
    TxtMle,
    Txt,
    Separator,
    Action,
    Other,
}

/// <summary>
/// One extended event as a diff sees it, from a parsed log or a policy's reference log: PCR, type, digests per bank,
/// the component and its name (path, variable, command line) and a one-line description. Every text is the host's.
/// </summary>
public sealed record LogEvent
{
    private const int MaxText = 512;

    public required int Pcr { get; init; }
    public required string EventType { get; init; }
    public required EventComponent Component { get; init; }
    /// <summary>What identifies the component across boots: a boot application's path, a variable's name; empty for
    /// a component a PCR holds once (a command line), whose text is then its <see cref="Description"/>.</summary>
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    /// <summary>Bank name -> digest (hex, lower case).</summary>
    public required IReadOnlyDictionary<string, string> Digests { get; init; }
    /// <summary>Position in its log (-1 when it came from a policy).</summary>
    public int Index { get; init; } = -1;

    /// <summary>The extended events of a log (of the PCRs given, all when null), digests of the banks given (all when null).</summary>
    public static IReadOnlyList<LogEvent> FromLog(TcgEventLog log, IEnumerable<int>? pcrs = null, IEnumerable<TpmAlgId>? banks = null)
    {
        var pcrSet = pcrs?.ToHashSet();
        var bankSet = banks?.ToHashSet();
        return log.Events.Where(e => e.IsExtended && (pcrSet is null || pcrSet.Contains(e.PcrIndex)))
            .Select(e => From(e, bankSet)).ToList();
    }

    public static LogEvent From(TcgEvent e, IReadOnlySet<TpmAlgId>? banks = null)
    {
        var (component, name, description) = Classify(e);
        var digests = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in e.Digests)
            if (PcrBanks.IsSupported(d.Algorithm) && (banks is null || banks.Contains(d.Algorithm))) digests[d.Bank] = d.Hex;
        return new LogEvent
        {
            Pcr = e.PcrIndex, EventType = e.EventTypeName, Component = component, Name = Clean(name),
            Description = Clean(description), Digests = digests, Index = e.Index,
        };
    }

    /// <summary>An event of a policy's reference log (validated with the policy).</summary>
    public static LogEvent From(PolicyReferenceEvent e) => new()
    {
        Pcr = e.Pcr, EventType = e.Type ?? "", Name = e.Name ?? "", Description = e.Description ?? "",
        Component = Enum.TryParse<EventComponent>(e.Component, out var c) ? c : EventComponent.Other,
        Digests = new SortedDictionary<string, string>(
            (e.Digests ?? []).ToDictionary(kv => kv.Key, kv => kv.Value.ToLowerInvariant()), StringComparer.Ordinal),
    };

    /// <summary>This event as a policy keeps it.</summary>
    public PolicyReferenceEvent ToPolicy() => new()
    {
        Pcr = Pcr, Type = EventType, Component = Component.ToString(), Name = Name.Length == 0 ? null : Name,
        Description = Description.Length == 0 ? null : Description, Digests = Digests.ToDictionary(kv => kv.Key, kv => kv.Value),
    };

    /// <summary>The digest of the strongest bank both events have; null when they share none.</summary>
    internal static string? CommonBank(LogEvent a, LogEvent b) =>
        a.Digests.Keys.Where(b.Digests.ContainsKey).OrderByDescending(k => PcrBanks.DigestSize(PcrBanks.Parse(k))).FirstOrDefault();

    /// <summary>Same measurement: same type and equal digests in every bank both have (and at least one shared).</summary>
    internal bool SameMeasurement(LogEvent other)
    {
        if (EventType != other.EventType) return false;
        bool shared = false;
        foreach (var (bank, digest) in Digests)
        {
            if (!other.Digests.TryGetValue(bank, out var theirs)) continue;
            if (!string.Equals(digest, theirs, StringComparison.OrdinalIgnoreCase)) return false;
            shared = true;
        }
        return shared || Digests.Count == 0 && other.Digests.Count == 0 && Description == other.Description;
    }

    private static (EventComponent, string Name, string Description) Classify(TcgEvent e)
    {
        string summary = e.Summary;
        if (PolicyEventRules.CommandLine(e) is { } cmdline) return (EventComponent.KernelCommandLine, "", cmdline);
        switch (e.EventType)
        {
            case TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION:
                return (EventComponent.BootApplication, ImagePath(e), summary);
            case TcgEventType.EV_EFI_BOOT_SERVICES_DRIVER or TcgEventType.EV_EFI_RUNTIME_SERVICES_DRIVER:
                return (EventComponent.Driver, ImagePath(e), summary);
            case TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG or TcgEventType.EV_EFI_VARIABLE_BOOT
                or TcgEventType.EV_EFI_VARIABLE_BOOT2 or TcgEventType.EV_EFI_VARIABLE_AUTHORITY:
                return (EventComponent.EfiVariable, e.Decoded is EfiVariableEventData v ? v.VariableName : "", summary);
            case TcgEventType.EV_EFI_PLATFORM_FIRMWARE_BLOB or TcgEventType.EV_EFI_PLATFORM_FIRMWARE_BLOB2
                or TcgEventType.EV_EFI_SPDM_FIRMWARE_BLOB or TcgEventType.EV_POST_CODE or TcgEventType.EV_POST_CODE2:
                return (EventComponent.FirmwareBlob, e.Decoded is FirmwareBlobEventData { Description: { } d } ? d : "", summary);
            case TcgEventType.EV_TXT_SINIT_PUBKEY_HASH:
                return (EventComponent.TxtSinit, "SINIT ACM signing key", summary);
            case TcgEventType.EV_TXT_MLE_HASH:
                return (EventComponent.TxtMle, "measured launch environment", summary);
            case TcgEventType.EV_SEPARATOR:
                return (EventComponent.Separator, "", summary);
            case TcgEventType.EV_IPL:
                return (EventComponent.BootLoader, "", summary);
            case TcgEventType.EV_ACTION or TcgEventType.EV_EFI_ACTION:
                return (EventComponent.Action, "", summary);
        }
        if (e.RawEventType is >= 0x400 and <= 0x4FF) return (EventComponent.Txt, e.EventTypeName, summary);
        return (EventComponent.Other, "", summary);
    }

    private static string ImagePath(TcgEvent e) =>
        e.Decoded is EfiImageLoadEventData image ? LastFilePath(image.DevicePath) : "";

    /// <summary>The file part of a device path (\EFI\BOOT\BOOTX64.EFI), else the whole path.</summary>
    private static string LastFilePath(string devicePath)
    {
        int file = devicePath.LastIndexOf("/\\", StringComparison.Ordinal);
        return file >= 0 ? devicePath[(file + 1)..] : devicePath;
    }

    /// <summary>Host text made safe to keep and show: no control characters or broken surrogates, at most 512 chars.</summary>
    internal static string Clean(string text)
    {
        var sb = new StringBuilder(Math.Min(text.Length, MaxText));
        foreach (char c in text)
        {
            if (sb.Length >= MaxText) { sb.Append('…'); break; }
            sb.Append(char.IsControl(c) || char.IsSurrogate(c) ? '\uFFFD' : c);
        }
        return sb.ToString();
    }
}
