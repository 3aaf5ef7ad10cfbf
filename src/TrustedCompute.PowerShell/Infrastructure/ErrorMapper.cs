using TrustedCompute.Enrollment;
using TrustedCompute.Store;
using System.Management.Automation;
using System.Security;
using TrustedCompute.OpenStack;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Infrastructure;

/// <summary>The one table from Core exception types to PowerShell error categories.</summary>
public static class ErrorMapper
{
    public static ErrorCategory CategoryOf(Exception exception) => exception switch
    {
        OperationCanceledException => ErrorCategory.OperationStopped,
        StoreException { Kind: StoreErrorKind.Conflict } => ErrorCategory.ResourceExists,
        StoreException { Kind: StoreErrorKind.NotFound } => ErrorCategory.ObjectNotFound,
        StoreException { Kind: StoreErrorKind.Invalid } => ErrorCategory.InvalidArgument,
        StoreException => ErrorCategory.ResourceUnavailable,
        EnrollmentException => ErrorCategory.SecurityError,
        OpenStackAuthenticationException => ErrorCategory.AuthenticationError,
        OpenStackException { StatusCode: System.Net.HttpStatusCode.NotFound } => ErrorCategory.ObjectNotFound,
        OpenStackException { StatusCode: System.Net.HttpStatusCode.Forbidden } => ErrorCategory.PermissionDenied,
        OpenStackException { StatusCode: System.Net.HttpStatusCode.Conflict } => ErrorCategory.ResourceBusy,
        OpenStackException { StatusCode: System.Net.HttpStatusCode.BadRequest } => ErrorCategory.InvalidArgument,
        OpenStackException => ErrorCategory.ConnectionError,
        TpmProtocolException or InvalidDataException or FormatException => ErrorCategory.InvalidData,
        TpmException => ErrorCategory.DeviceError,
        TpmTransportException or TimeoutException or IOException and not FileNotFoundException and not DirectoryNotFoundException
            => ErrorCategory.ResourceUnavailable,
        FileNotFoundException or DirectoryNotFoundException or KeyNotFoundException => ErrorCategory.ObjectNotFound,
        UnauthorizedAccessException or SecurityException => ErrorCategory.PermissionDenied,
        ArgumentException => ErrorCategory.InvalidArgument,
        HttpRequestException => ErrorCategory.ConnectionError,
        NotSupportedException or PlatformNotSupportedException => ErrorCategory.NotImplemented,
        InvalidOperationException => ErrorCategory.InvalidOperation,
        _ => ErrorCategory.NotSpecified,
    };

    public static ErrorRecord ToErrorRecord(Exception exception, string errorId, object? target) =>
        new(exception, errorId, CategoryOf(exception), target);
}
