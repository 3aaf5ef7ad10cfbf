using System.Management.Automation;
using TrustedCompute.EventLog;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.EventLog;

/// <summary>What the event-log cmdlets share: the local log by default, or files by -Path / -LiteralPath.</summary>
public abstract class EventLogCommandBase : TrustedComputeCmdlet
{
    protected const string LocalSet = "Local";
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    // Quirk names are strings: a field of a Core enum would make PowerShell load Core while it scans this
    // assembly, before ModuleInitializer has hooked the dependency load context.
    [Parameter]
    [ValidateSet("TrailingPadding", "SpecIdVendorInfoOutsideEvent", "DuplicateSeparator", "MissingExitBootServices", IgnoreCase = true)]
    public string[]? Quirk { get; set; }

    protected EventLogQuirks Quirks => ParseQuirks(Quirk);

    protected static EventLogQuirks ParseQuirks(string[]? names) =>
        (names ?? []).Aggregate(EventLogQuirks.None, (all, name) => all | Enum.Parse<EventLogQuirks>(name, ignoreCase: true));

    /// <summary>This cmdlet's ids (from ErrorIds) for a log that does not parse, cannot be read or is absent.</summary>
    protected abstract LogErrorIds LogErrors { get; }

    protected sealed record LogErrorIds(string ParseFailed, string ReadFailed, string PathNotFound);

    /// <summary>Each log named by the parameters, parsed; a log that cannot be read or parsed is a non-terminating error.</summary>
    protected IEnumerable<(string Source, TcgEventLog Log)> ReadLogs()
    {
        var options = new EventLogParseOptions { Quirks = Quirks };
        foreach (var source in Sources())
        {
            TcgEventLog? log = null;
            try
            {
                log = source is null
                    ? EventLogSource.ReadLocal(options, CancellationToken)
                    : EventLogSource.ReadFile(source, options, CancellationToken);
            }
            catch (EventLogFormatException ex)
            {
                WriteError(ex, LogErrors.ParseFailed, source ?? "local");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or PlatformNotSupportedException or NotSupportedException or ArgumentException)
            {
                WriteError(ex, LogErrors.ReadFailed, source ?? "local");
            }
            if (log is not null) yield return (source ?? EventLogSource.LocalName, log);
        }
    }

    private IEnumerable<string?> Sources()
    {
        if (ParameterSetName == LocalSet)
        {
            yield return null;
            yield break;
        }
        foreach (var path in ParameterSetName == PathSet ? Path : LiteralPath)
        {
            List<string> resolved = [];
            try
            {
                if (ParameterSetName == PathSet)
                    resolved.AddRange(GetResolvedProviderPathFromPSPath(path, out _));
                else
                    resolved.Add(GetUnresolvedProviderPathFromPSPath(path));
            }
            catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException)
            {
                WriteError(new FileNotFoundException(ex.Message, path), LogErrors.PathNotFound, path);
                continue;
            }
            if (resolved.Count == 0)
                WriteError(new FileNotFoundException($"No file matches '{path}'", path), LogErrors.PathNotFound, path);
            foreach (var file in resolved)
            {
                if (Directory.Exists(file))
                    WriteError(new IOException($"{file} is a directory, not an event log"), LogErrors.ReadFailed, file);
                else
                    yield return file;
            }
        }
    }
}
