using System.Net;

namespace TrustedCompute.OpenStack;

/// <summary>
/// A failed OpenStack call: which service, method and path, the HTTP status, the service's own error text and its
/// request id. Never carries a request body, a token or a password.
/// </summary>
public class OpenStackException : Exception
{
    public OpenStackException(string message, Exception? innerException = null) : base(message, innerException) { }

    public OpenStackException(string service, string method, string path, HttpStatusCode statusCode, string? serviceMessage,
        string? requestId, string? errorCode = null)
        : base(Describe(service, method, path, statusCode, serviceMessage, requestId))
    {
        Service = service;
        StatusCode = statusCode;
        ServiceMessage = serviceMessage;
        RequestId = requestId;
        ErrorCode = errorCode;
    }

    /// <summary>Service type that answered (identity, compute, placement).</summary>
    public string? Service { get; }

    public HttpStatusCode? StatusCode { get; }

    /// <summary>The error text from the service's JSON body (trimmed), if any.</summary>
    public string? ServiceMessage { get; }

    /// <summary>x-openstack-request-id / x-compute-request-id of the failed call.</summary>
    public string? RequestId { get; }

    /// <summary>Machine-readable error code where the service gives one (placement: placement.concurrent_update).</summary>
    public string? ErrorCode { get; }

    private static string Describe(string service, string method, string path, HttpStatusCode status, string? text, string? requestId)
    {
        string message = $"{service} {method} {path} failed: {(int)status} {status}";
        if (!string.IsNullOrWhiteSpace(text)) message += ": " + text;
        if (!string.IsNullOrEmpty(requestId)) message += $" (request id {requestId})";
        return message;
    }
}

/// <summary>Keystone refused the credentials, or a service refused the token even after a fresh authentication.</summary>
public sealed class OpenStackAuthenticationException : OpenStackException
{
    public OpenStackAuthenticationException(string message, Exception? innerException = null) : base(message, innerException) { }

    public OpenStackAuthenticationException(string service, string method, string path, HttpStatusCode statusCode,
        string? serviceMessage, string? requestId)
        : base(service, method, path, statusCode, serviceMessage, requestId) { }
}
