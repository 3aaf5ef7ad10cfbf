using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;
using TrustedCompute.Tpm.Transport;

namespace TrustedCompute.PowerShell.Commands.Tpm;

/// <summary>Base of the TPM cmdlets: the -Tpm connection string and one place that opens it.</summary>
public abstract class TpmCmdlet : TrustedComputeCmdlet
{
    /// <summary>swtpm:host=H,port=P | device:/dev/tpmrm0 | tbs: ; default $env:TRUSTEDCOMPUTE_TPM, else this machine's TPM.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Transport")]
    public string? Tpm { get; set; }

    /// <summary>Opens the TPM; a failure is terminating, with the shared id TpmUnavailable.</summary>
    protected TpmClient OpenTpm()
    {
        string connection = TpmTransportFactory.Resolve(Tpm);
        WriteVerbose($"Opening TPM {connection}");
        try
        {
            return TpmClient.Open(connection);
        }
        catch (Exception e) when (e is TpmTransportException or ArgumentException or PlatformNotSupportedException)
        {
            ThrowTerminatingError(e, ErrorIds.TpmUnavailable, connection);
            throw; // not reached
        }
    }

    /// <summary>
    /// Runs one TPM task and writes its results after the connection is closed, so the next TPM cmdlet in the
    /// pipeline can connect (a simulator serves one connection at a time). Results that are ErrorRecords are
    /// written as non-terminating errors; a TPM, protocol or transport failure becomes an error with the given id.
    /// </summary>
    protected void RunTpm(string errorId, object? target, Func<TpmClient, IEnumerable<object>> action, bool terminating = true)
    {
        var results = new List<object>();
        Exception? failure = null;
        using (var tpm = OpenTpm())
        {
            try { results.AddRange(action(tpm)); }
            catch (Exception e) when (e is TpmException or TpmProtocolException or TpmTransportException or InvalidOperationException or ArgumentException or InvalidDataException)
            {
                failure = e;
            }
        }
        foreach (var result in results)
        {
            if (result is ErrorRecord error) WriteError(error);
            else WriteObject(result);
        }
        if (failure is null) return;
        if (terminating) ThrowTerminatingError(failure, errorId, target);
        else WriteError(failure, errorId, target);
    }

    /// <summary>Reads each handle; a handle the TPM does not know becomes a non-terminating error with <paramref name="errorId"/>.</summary>
    protected static List<object> ReadEach(IEnumerable<uint> handles, Func<uint, object> read, string errorId)
    {
        var results = new List<object>();
        foreach (uint handle in handles)
        {
            try { results.Add(read(handle)); }
            catch (TpmException e) { results.Add(ErrorMapper.ToErrorRecord(e, errorId, Hex(handle))); }
        }
        return results;
    }

    /// <summary>Runs a step that uses the AK at <paramref name="handle"/>; no key there says how to make one.</summary>
    protected static T UsingAttestationKey<T>(uint handle, Func<T> step)
    {
        try { return step(); }
        catch (TpmException e) when (e.BaseCode == TpmResponseCode.Handle && e.Command is TpmCc.ReadPublic or TpmCc.Quote)
        {
            throw e.WithAdvice($"No attestation key at {Hex(handle)}: create one with New-TpmAttestationKey " +
                               $"-AttestationKeyHandle {Hex(handle)}, or list them with Get-TpmAttestationKey");
        }
    }

    protected static string Hex(uint handle) => $"0x{handle:X8}";
}
