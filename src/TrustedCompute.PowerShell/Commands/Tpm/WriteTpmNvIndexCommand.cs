using System.Management.Automation;
using System.Security;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Tpm;

/// <summary>Writes data to an NV index with owner authorization; -Define creates the index first when absent.</summary>
[Cmdlet(VerbsCommunications.Write, "TpmNvIndex", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(TpmNvPublic))]
public sealed class WriteTpmNvIndexCommand : TpmCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0x01000000u, 0x01FFFFFFu)]
    [TpmHandleTransformation]
    public uint Index { get; set; }

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public byte[] Data { get; set; } = [];

    [Parameter]
    [ValidateRange(0, 65535)]
    public int Offset { get; set; }

    /// <summary>Define the index (owner read/write, auth read, no DA, size of the data) if it does not exist.</summary>
    [Parameter]
    public SwitchParameter Define { get; set; }

    /// <summary>The owner hierarchy's authorization value.</summary>
    [Parameter]
    public SecureString? OwnerAuthorization { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Hex(Index), $"Write {Data.Length} byte(s) at offset {Offset}")) return;
        RunTpm(ErrorIds.WriteTpmNvIndexFailed, Hex(Index), tpm =>
        {
            var auth = TpmAuth.Password(SecretBytes(OwnerAuthorization));
            if (Define && !Exists(tpm))
            {
                var attributes = TpmNvAttributes.OwnerWrite | TpmNvAttributes.OwnerRead | TpmNvAttributes.AuthRead | TpmNvAttributes.NoDA;
                tpm.NvDefineSpace(new TpmNvPublic(Index, TpmAlgId.Sha256, attributes, [], (ushort)(Offset + Data.Length)), [], TpmHandles.Owner, auth, CancellationToken);
            }
            tpm.NvWrite(Index, Offset, Data, TpmHandles.Owner, auth, CancellationToken);
            return [tpm.NvReadPublic(Index, CancellationToken).Public];
        }, terminating: false);
    }

    private bool Exists(TpmClient tpm)
    {
        try { tpm.NvReadPublic(Index, CancellationToken); return true; }
        catch (TpmException e) when (TpmResponseCode.BaseCode(e.ResponseCode) == 0x8B) { return false; }
    }
}
