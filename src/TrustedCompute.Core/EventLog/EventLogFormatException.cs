namespace TrustedCompute.EventLog;

/// <summary>A malformed, truncated or oversized event log: names the field, the byte offset and the event.</summary>
public sealed class EventLogFormatException : FormatException
{
    public EventLogFormatException(string problem, string field, long offset, int eventIndex)
        : base($"Event log: {problem} ({field} at byte offset {offset}, event {eventIndex})")
    {
        Problem = problem;
        Field = field;
        Offset = offset;
        EventIndex = eventIndex;
    }

    public string Problem { get; }
    public string Field { get; }
    public long Offset { get; }
    public int EventIndex { get; }
}
