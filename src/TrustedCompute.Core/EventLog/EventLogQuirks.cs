using System.Text;

namespace TrustedCompute.EventLog;

/// <summary>
/// Known firmware deviations, each applied only when the caller (or a policy) names it. A replay reports the
/// quirks that actually changed something.
/// </summary>
[Flags]
public enum EventLogQuirks
{
    None = 0,
    /// <summary>Parse: the firmware's log buffer ends in 0x00 or 0xFF padding; stop there instead of failing.</summary>
    TrailingPadding = 1,
    /// <summary>Replay: the firmware logged a PCR's EV_SEPARATOR more than once but extended it once; extend only the first.</summary>
    DuplicateSeparator = 2,
    /// <summary>
    /// Replay: the firmware extended PCR 5 with the two ExitBootServices EV_EFI_ACTION events but the log was copied
    /// before them (older Linux kernels without the final-events table); extend them when the log lacks them.
    /// </summary>
    MissingExitBootServices = 4,
    /// <summary>
    /// Parse: the Spec ID Event03 header's EventSize ends at vendorInfoSize and leaves out the vendorInfo bytes that
    /// follow (tpm2-tools reads the header by its structure, so such logs exist); read them as part of the header.
    /// </summary>
    SpecIdVendorInfoOutsideEvent = 8,
}

/// <summary>The one place where quirks are implemented.</summary>
public static class EventLogQuirkRules
{
    public const string ExitBootServicesInvocation = "Exit Boot Services Invocation";
    public const string ExitBootServicesReturned = "Exit Boot Services Returned with Success";

    /// <summary>The quirks that change a replay, in the order a comparison tries them.</summary>
    public static IReadOnlyList<EventLogQuirks> ReplayQuirks { get; } = [EventLogQuirks.DuplicateSeparator, EventLogQuirks.MissingExitBootServices];

    public static IReadOnlyList<EventLogQuirks> All { get; } = [EventLogQuirks.TrailingPadding, EventLogQuirks.SpecIdVendorInfoOutsideEvent, .. ReplayQuirks];

    internal readonly record struct Extension(int PcrIndex, TcgEvent? Event, byte[]? Data);

    /// <summary>What a replay extends, in order: the log's extended events, changed by the requested quirks.</summary>
    internal static List<Extension> Plan(IReadOnlyList<TcgEvent> events, EventLogQuirks quirks, out EventLogQuirks applied)
    {
        applied = EventLogQuirks.None;
        var plan = new List<Extension>(events.Count);
        var separated = new HashSet<int>();
        foreach (var e in events)
        {
            if (!e.IsExtended) continue;
            if (e.EventType == TcgEventType.EV_SEPARATOR && !separated.Add(e.PcrIndex) && quirks.HasFlag(EventLogQuirks.DuplicateSeparator))
            {
                applied |= EventLogQuirks.DuplicateSeparator;
                continue;
            }
            plan.Add(new Extension(e.PcrIndex, e, null));
        }
        if (quirks.HasFlag(EventLogQuirks.MissingExitBootServices) && !events.Any(IsExitBootServices))
        {
            applied |= EventLogQuirks.MissingExitBootServices;
            plan.Add(new Extension(5, null, Encoding.ASCII.GetBytes(ExitBootServicesInvocation)));
            plan.Add(new Extension(5, null, Encoding.ASCII.GetBytes(ExitBootServicesReturned)));
        }
        return plan;
    }

    private static bool IsExitBootServices(TcgEvent e) =>
        e.EventType == TcgEventType.EV_EFI_ACTION && e.PcrIndex == 5 &&
        e.Decoded is StringEventData { Text: ExitBootServicesInvocation or ExitBootServicesReturned };
}
