using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;

namespace TrustedCompute.PowerShell.Infrastructure;

/// <summary>
/// Base of every cmdlet: a CancellationToken that Ctrl+C (StopProcessing) cancels, and one way to turn Core
/// exceptions into ErrorRecords with stable ids.
/// </summary>
public abstract class TrustedComputeCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken CancellationToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>The UTF-8 bytes of a secret (empty for none); the caller clears them when done.</summary>
    protected static byte[] SecretBytes(SecureString? secret)
    {
        if (secret is null || secret.Length == 0) return [];
        IntPtr ptr = Marshal.SecureStringToGlobalAllocUnicode(secret);
        var chars = new char[secret.Length]; // not a string: a string cannot be cleared
        try
        {
            Marshal.Copy(ptr, chars, 0, chars.Length);
            return Encoding.UTF8.GetBytes(chars);
        }
        finally
        {
            Array.Clear(chars);
            Marshal.ZeroFreeGlobalAllocUnicode(ptr);
        }
    }

    /// <summary>A non-terminating error for one target: the pipeline goes on with the next.</summary>
    protected void WriteError(Exception exception, string errorId, object? target) =>
        WriteError(ErrorMapper.ToErrorRecord(exception, errorId, target));

    /// <summary>A terminating error.</summary>
    protected void ThrowTerminatingError(Exception exception, string errorId, object? target) =>
        ThrowTerminatingError(ErrorMapper.ToErrorRecord(exception, errorId, target));

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
