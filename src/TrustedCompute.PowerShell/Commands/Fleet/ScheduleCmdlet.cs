using System.Management.Automation;
using TrustedCompute.Fleet;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.Fleet;

/// <summary>Base of the schedule cmdlets: which platform's schedules, in which folder.</summary>
public abstract class ScheduleCmdlet : TrustedComputeCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SchedulePlatform Platform { get; set; } = ScheduleFolder.CurrentPlatform;

    /// <summary>A folder for the files instead of /etc/systemd/system or Task Scheduler.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>The schedule folder of -Platform and -Path; PlatformNotSupportedException when it cannot be used here.</summary>
    protected ScheduleFolder Folder() =>
        ScheduleFolder.For(Platform, Path is null ? null : GetUnresolvedProviderPathFromPSPath(Path));
}
