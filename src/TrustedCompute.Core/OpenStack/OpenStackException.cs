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
        string? requestId, string? errorCode = null, string? microversion = null)
        : base(Describe(service, method, path, statusCode, serviceMessage, requestId, microversion))
    {
        Microversion = microversion;
        Service = service;
        StatusCode = statusCode;
        ServiceMessage = serviceMessage;
        RequestId = requestId;
        ErrorCode = errorCode;
    }

    /// <summary>Service type that answered (identity, compute, placement).</summary>
    public string? Service { get; }

    public HttpStatusCode? StatusCode { get; protected init; }

    /// <summary>The error text from the service's JSON body (trimmed), if any.</summary>
    public string? ServiceMessage { get; }

    /// <summary>x-openstack-request-id / x-compute-request-id of the failed call.</summary>
    public string? RequestId { get; }

    /// <summary>The OpenStack-API-Version the failed call was sent with ("compute 2.86"), if any.</summary>
    public string? Microversion { get; }

    /// <summary>Machine-readable error code where the service gives one (placement: placement.concurrent_update).</summary>
    public string? ErrorCode { get; }

    private static string Describe(string service, string method, string path, HttpStatusCode status, string? text, string? requestId,
        string? microversion)
    {
        string message = $"{service} {method} {path}{(microversion is null ? "" : $" (at {microversion})")} failed: {(int)status} {status}";
        if (!string.IsNullOrWhiteSpace(text)) message += ": " + text;
        if (!string.IsNullOrEmpty(requestId)) message += $" (request id {requestId})";
        return message;
    }
}

/// <summary>Keystone refused the credentials, or a service refused the token even after a fresh authentication.</summary>
public class OpenStackAuthenticationException : OpenStackException
{
    public OpenStackAuthenticationException(string message, Exception? innerException = null) : base(message, innerException) { }

    public OpenStackAuthenticationException(string service, string method, string path, HttpStatusCode statusCode,
        string? serviceMessage, string? requestId)
        : base(service, method, path, statusCode, serviceMessage, requestId) { }
}

/// <summary>
/// The credentials are good but Keystone refused the scope: no such project, the project is in another domain, or
/// the user has no role on it (the message says which, as far as the user's rights allow to tell).
/// </summary>
public sealed class OpenStackScopeException(string message, Exception? innerException = null)
    : OpenStackAuthenticationException(message, innerException);

/// <summary>A provider's traits could not be written before the deadline: other writers kept changing its generation.</summary>
public sealed class TraitConflictException : OpenStackException
{
    public TraitConflictException(Guid provider, int attempts, TimeSpan elapsed, OpenStackException last)
        : base($"Placement kept answering 409 (generation changed) for provider {provider}: gave up after {attempts} " +
               $"attempts in {elapsed.TotalSeconds:0.0} s. Last answer: {last.ServiceMessage ?? last.Message}", last)
    {
        (ProviderUuid, Attempts, Elapsed, StatusCode) = (provider, attempts, elapsed, HttpStatusCode.Conflict);
    }

    public Guid ProviderUuid { get; }

    public int Attempts { get; }

    public TimeSpan Elapsed { get; }
}
