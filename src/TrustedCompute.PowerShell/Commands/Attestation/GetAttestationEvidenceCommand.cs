using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security.Cryptography;
using TrustedCompute.Attestation;
using TrustedCompute.Fleet;
using TrustedCompute.PowerShell.Commands.Fleet;
using TrustedCompute.PowerShell.Commands.Tpm;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Attestation;

/// <summary>Collects attestation evidence from the local TPM, or on remote hosts through PSSessions.</summary>
[Cmdlet(VerbsCommon.Get, "AttestationEvidence", DefaultParameterSetName = LocalSet)]
[OutputType(typeof(AttestationEvidence))]
public sealed class GetAttestationEvidenceCommand : RemoteHostCmdlet
{
    private const string LocalSet = "Local";
    private const string SessionSet = "Session";

    [Parameter(Mandatory = true, ParameterSetName = SessionSet, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public PSSession[] Session { get; set; } = [];

    /// <summary>SSH targets: a session is opened to each, used and closed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SshSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] HostName { get; set; } = [];


    /// <summary>Qualifying data; 32 random bytes when not given.</summary>
    [Parameter]
    [ValidateCount(1, 64)]
    public byte[]? Nonce { get; set; }

    [Parameter(Position = 0)]
    [PcrIndexTransformation]
    [ValidateRange(0, 23)]
    public int[] PcrIndex { get; set; } = [0, 1, 2, 3, 4, 5, 6, 7];

    [Parameter]
    [ValidateSet("sha1", "sha256", "sha384", "sha512", IgnoreCase = true)]
    public string[] Bank { get; set; } = ["sha256"];

    /// <summary>Binds from the Handle of Get-/New-TpmAttestationKey output.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Handle")]
    [ValidateRange(0x81000000u, 0x81FFFFFFu)]
    [TpmHandleTransformation]
    public uint AttestationKeyHandle { get; set; } = TpmHandles.DefaultAttestationKey;

    /// <summary>A TCG event log file; default: the platform's own log, or none when it has none.</summary>
    [Parameter(ParameterSetName = LocalSet)]
    [ValidateNotNullOrEmpty]
    public string? EventLogPath { get; set; }

    [Parameter]
    public SwitchParameter NoEventLog { get; set; }

    protected override void ProcessRecord()
    {
        byte[] nonce = Nonce ?? RandomNumberGenerator.GetBytes(32);
        if (ParameterSetName == SessionSet)
        {
            foreach (var session in Session)
            {
                var parameters = AttestationInput.RemoteParameters(
                    nonce, PcrIndex, Bank, AttestationKeyHandle, NoEventLog, Tpm);
                try { WriteObject(AttestationInput.CollectRemote(this, session, parameters)); }
                catch (Exception e) when (e is RuntimeException or InvalidDataException)
                {
                    WriteError(e, ErrorIds.GetAttestationEvidenceRemoteFailed, session.ComputerName);
                }
            }
            return;
        }
        if (IsRemoteHostSet)
        {
            CollectOverNewSessions(nonce);
            return;
        }
        byte[]? log;
        try { log = NoEventLog ? null : EvidenceCollector.ReadLocalEventLog(EventLogPath is null ? null : GetUnresolvedProviderPathFromPSPath(EventLogPath)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            ThrowTerminatingError(e, ErrorIds.GetAttestationEvidenceEventLogUnreadable, EventLogPath);
            return;
        }
        var selections = Bank.Select(b => PcrSelection.Create(TpmHash.ParseBank(b), PcrIndex)).ToList();
        RunTpm(ErrorIds.GetAttestationEvidenceFailed, Hex(AttestationKeyHandle), tpm =>
            [UsingAttestationKey(AttestationKeyHandle, () => EvidenceCollector.Collect(
                tpm, AttestationKeyHandle, nonce, selections, log, Environment.MachineName, CancellationToken))],
            terminating: false);
    }

    protected override string[]? SshHostNames => HostName;

    private void CollectOverNewSessions(byte[] nonce) => ForEachNewSession(ErrorIds.GetAttestationEvidenceRemoteFailed, _ => true,
        (target, session) =>
        {
            var parameters = AttestationInput.RemoteParameters(nonce, PcrIndex, Bank, AttestationKeyHandle, NoEventLog, Tpm);
            try { WriteObject(AttestationInput.CollectRemote(this, session, parameters)); }
            catch (Exception e) when (e is RuntimeException or InvalidDataException)
            {
                WriteError(e, ErrorIds.GetAttestationEvidenceRemoteFailed, target.Name);
            }
        });
}
