using System.Diagnostics;
using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.Service;

/// <summary>Stops attestation service processes: SIGTERM, then a kill after the grace time. Refuses any other process.</summary>
[Cmdlet(VerbsLifecycle.Stop, "AttestationService", SupportsShouldProcess = true, DefaultParameterSetName = ById)]
[OutputType(typeof(void))]
public sealed class StopAttestationServiceCommand : TrustedComputeCmdlet
{
    private const string ById = "ProcessId";
    private const string ByObject = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ById, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public int[] ProcessId { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = ByObject, ValueFromPipeline = true)]
    public AttestationServiceInfo[] InputObject { get; set; } = [];

    [Parameter]
    [ValidateRange(1, 300)]
    public int TimeoutSec { get; set; } = 10;

    protected override void ProcessRecord()
    {
        var ids = ParameterSetName == ByObject ? InputObject.Select(i => i.ProcessId) : ProcessId;
        foreach (int id in ids) StopOne(id);
    }

    private void StopOne(int id)
    {
        Process process;
        try { process = Process.GetProcessById(id); }
        catch (ArgumentException)
        {
            WriteError(new ItemNotFoundException($"No process has the id {id}"), ErrorIds.StopAttestationServiceNotFound, id);
            return;
        }
        using (process)
        {
            if (!AttestationServiceProcess.IsService(process))
            {
                WriteError(new InvalidOperationException($"Process {id} is not an attestation service"),
                    ErrorIds.StopAttestationServiceNotService, id);
                return;
            }
            if (!ShouldProcess($"PID {id}", "Stop the attestation service")) return;
            try { AttestationServiceProcess.Stop(process, TimeSpan.FromSeconds(TimeoutSec)); }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                WriteError(new InvalidOperationException($"Could not stop process {id}: {e.Message}"),
                    ErrorIds.StopAttestationServiceFailed, id);
                return;
            }
            AttestationServiceProcess.StartedHere.TryRemove(id, out _);
        }
    }
}
