using System.Text.Encodings.Web;
using System.Text.Json;

namespace TrustedCompute.Service;

/// <summary>A JSON answer written straight to the response, without an intermediate object graph.</summary>
public sealed class JsonBodyResult(Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK) : IResult
{
    // Only JSON's own escapes: the answer is never HTML, and vtime's '+' reads as OpenAttestation writes it.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            write(writer);
        }
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    public static JsonBodyResult Error(int status, string errorId, string message) => new(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("error", errorId);
        writer.WriteString("message", message);
        writer.WriteEndObject();
    }, status);
}
