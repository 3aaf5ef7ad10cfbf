using System.Management.Automation;
using System.Security.Cryptography;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Tpm;

/// <summary>Quotes PCRs with an attestation key over a nonce; writes the signed TPMS_ATTEST, signature and PCR values.</summary>
[Cmdlet(VerbsCommon.Get, "TpmQuote")]
[OutputType(typeof(TpmQuote))]
public sealed class GetTpmQuoteCommand : TpmCmdlet
{
    [Parameter(Position = 0)]
    [PcrIndexTransformation]
    [ValidateRange(0, 23)]
    public int[] PcrIndex { get; set; } = [0, 1, 2, 3, 4, 5, 6, 7];

    [Parameter]
    [ValidateSet("sha1", "sha256", "sha384", "sha512", IgnoreCase = true)]
    public string[] Bank { get; set; } = ["sha256"];

    /// <summary>Qualifying data; 32 random bytes when not given.</summary>
    [Parameter]
    [ValidateCount(1, 64)]
    public byte[]? Nonce { get; set; }

    /// <summary>Binds from the Handle of Get-/New-TpmAttestationKey output.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Handle")]
    [ValidateRange(0x81000000u, 0x81FFFFFFu)]
    [TpmHandleTransformation]
    public uint AttestationKeyHandle { get; set; } = TpmHandles.DefaultAttestationKey;

    protected override void ProcessRecord()
    {
        byte[] nonce = Nonce ?? RandomNumberGenerator.GetBytes(32);
        var selections = Bank.Select(b => PcrSelection.Create(TpmHash.ParseBank(b), PcrIndex)).ToList();
        RunTpm(ErrorIds.GetTpmQuoteFailed, Hex(AttestationKeyHandle), tpm =>
            [UsingAttestationKey(AttestationKeyHandle,
                () => TpmOperations.Quote(tpm, AttestationKeyHandle, nonce, selections, CancellationToken))],
            terminating: false);
    }
}
