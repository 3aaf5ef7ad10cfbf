using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace TrustedCompute.Service;

/// <summary>An answer that refuses the request: its status and a stable error id; never a stack trace.</summary>
public sealed class RequestRejectedException(int status, string errorId, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string ErrorId { get; } = errorId;
}

/// <summary>The checks every request goes through before the store is read: auth, content type, body, JSON shape.</summary>
public static class RequestChecks
{
    public const string AuthBlobHeader = "x-auth-blob";
    public const int MaxJsonDepth = 4;

    /// <summary>Compares a presented secret with the configured one in time that depends on neither.</summary>
    public static bool SecretMatches(string? presented, string expected)
    {
        if (presented is null) return false;
        Span<byte> a = stackalloc byte[32], b = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), a);
        SHA256.HashData(Encoding.UTF8.GetBytes(expected), b);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    public static void RequireAuthBlob(HttpRequest request, string? secret)
    {
        if (secret is null) return;
        var values = request.Headers[AuthBlobHeader];
        if (values.Count != 1 || !SecretMatches(values[0], secret))
            throw new RequestRejectedException(401, "auth.blob", "x-auth-blob is missing or wrong");
    }

    public static void RequireBearer(HttpRequest request, string? secret)
    {
        if (secret is null) return;
        var values = request.Headers.Authorization;
        string? token = values.Count == 1 && values[0] is { } v && v.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? v["Bearer ".Length..].Trim() : null;
        if (!SecretMatches(token, secret))
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            throw new RequestRejectedException(401, "auth.bearer", "A bearer token is missing or wrong");
        }
    }

    /// <summary>The client must accept JSON (a missing Accept accepts anything).</summary>
    public static void RequireAcceptsJson(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0) return;
        if (!accept.Any(a => a.MediaType is { } m && m.Value is "application/json" or "application/*" or "*/*"))
            throw new RequestRejectedException(406, "request.accept", "This answer is application/json");
    }

    /// <summary>
    /// A JSON object body: application/json in UTF-8, within the size limit, at most <see cref="MaxJsonDepth"/> deep.
    /// </summary>
    public static async Task<JsonDocument> ReadJsonObjectAsync(HttpRequest request, long maxBytes, CancellationToken cancel)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) ||
            !type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
            (type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            throw new RequestRejectedException(415, "request.content_type", "The body must be application/json (UTF-8)");
        }
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        var sizeFeature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false }) sizeFeature.MaxRequestBodySize = maxBytes;

        byte[] body = await ReadBoundedAsync(request.Body, maxBytes, cancel);
        return ParseJsonObject(body);
    }

    /// <summary>A body already read: a JSON object at most <see cref="MaxJsonDepth"/> deep, else rejected.</summary>
    public static JsonDocument ParseJsonObject(byte[] body)
    {
        if (body.Length == 0) throw new RequestRejectedException(400, "request.empty", "The body is empty");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (JsonException)
        {
            throw new RequestRejectedException(400, "request.json",
                $"The body is not well-formed JSON (or is nested deeper than {MaxJsonDepth})");
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new RequestRejectedException(400, "request.shape", "The body must be a JSON object");
        }
        return document;
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream body, long maxBytes, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        while (true)
        {
            int read;
            try { read = await body.ReadAsync(chunk, cancel); }
            catch (BadHttpRequestException e) when (e.StatusCode == 413) { throw TooLarge(maxBytes); }
            catch (BadHttpRequestException)
            {
                throw new RequestRejectedException(400, "request.body", "The body could not be read (truncated?)");
            }
            if (read == 0) return buffer.ToArray();
            if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }
    }

    private static RequestRejectedException TooLarge(long maxBytes) =>
        new(413, "request.too_large", $"The body is larger than {maxBytes} bytes");
}
