using System.Globalization;
using System.Text.Json;

namespace TrustedCompute.Service;

/// <summary>
/// What nova's TrustedFilter (and OpenAttestation 1.5 clients) ask: POST PollHosts, GET Version, GET hosts/trust,
/// under both of OpenAttestation's base paths.
/// </summary>
public static class OpenAttestationApi
{
    public static readonly string[] BasePaths = ["/OpenAttestationWebServices/V1.0", "/AttestationService/resources"];
    public const string VersionText = "TrustedCompute OpenAttestation-compatible 1.0";

    public static void Map(IEndpointRouteBuilder app, ServiceState state)
    {
        foreach (string basePath in BasePaths)
        {
            app.MapPost(basePath + "/PollHosts", (Delegate)((HttpContext context) => PollHostsAsync(context, state)));
            app.MapGet(basePath + "/Version", (HttpContext context) =>
            {
                RequestChecks.RequireAuthBlob(context.Request, state.Options.AuthSecret);
                return Results.Text(VersionText, "text/plain");
            });
            app.MapGet(basePath + "/hosts/trust", (HttpContext context) => HostTrust(context, state));
        }
    }

    /// <summary>The level as OpenAttestation writes it.</summary>
    public static string Wire(TrustLevel level) => level switch
    {
        TrustLevel.Trusted => "trusted",
        TrustLevel.Untrusted => "untrusted",
        _ => "unknown",
    };

    /// <summary>OpenAttestation's vtime: UTC with milliseconds and +0000, e.g. 2026-01-14T12:20:50.679+0000.</summary>
    public static string VTime(DateTime time) =>
        DateTime.SpecifyKind(time, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture);

    private static async Task<IResult> PollHostsAsync(HttpContext context, ServiceState state)
    {
        RequestChecks.RequireAuthBlob(context.Request, state.Options.AuthSecret);
        RequestChecks.RequireAcceptsJson(context.Request);
        string[] names;
        using (var body = await RequestChecks.ReadJsonObjectAsync(context.Request, state.Options.MaxRequestBodyBytes,
            context.RequestAborted))
        {
            names = ReadHostNames(body.RootElement, state.Options.MaxHostsPerRequest);
        }
        var answers = state.Reader.GetTrust(names);
        return new JsonBodyResult(writer => WritePollHosts(writer, answers));
    }

    /// <summary>The "hosts" array of names; "count" may be missing or wrong: the list is what is answered.</summary>
    public static string[] ReadHostNames(JsonElement body, int maxHosts)
    {
        if (!body.TryGetProperty("hosts", out var hosts) || hosts.ValueKind != JsonValueKind.Array)
            throw new RequestRejectedException(400, "pollhosts.hosts", "The body needs \"hosts\": an array of host names");
        int count = hosts.GetArrayLength();
        if (count > maxHosts)
            throw new RequestRejectedException(413, "pollhosts.too_many", $"At most {maxHosts} hosts per request");
        var names = new string[count];
        int i = 0;
        foreach (var item in hosts.EnumerateArray())
        {
            string? name = item.ValueKind == JsonValueKind.String ? StringOrNull(item) : null;
            if (!TrustReader.IsValidHostName(name))
            {
                throw new RequestRejectedException(400, "pollhosts.host_name",
                    $"hosts[{i}] is not a host name (a string of 1-{TrustReader.MaxHostNameLength} characters)");
            }
            names[i++] = name!;
        }
        return names;
    }

    // JsonDocument checks a string's UTF-8 only when it is read: invalid bytes are a bad name, not a 500.
    private static string? StringOrNull(JsonElement item)
    {
        try { return item.GetString(); }
        catch (InvalidOperationException) { return null; }
    }

    public static void WritePollHosts(Utf8JsonWriter writer, IReadOnlyList<HostTrust> answers)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("hosts");
        foreach (var answer in answers)
        {
            writer.WriteStartObject();
            writer.WriteString("host_name", answer.HostName);
            writer.WriteString("trust_lvl", Wire(answer.Level));
            writer.WriteString("vtime", VTime(answer.VerifiedAt));
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    // OpenAttestation 1.5: GET hosts/trust?hostName=... answers one host.
    private static IResult HostTrust(HttpContext context, ServiceState state)
    {
        RequestChecks.RequireAuthBlob(context.Request, state.Options.AuthSecret);
        RequestChecks.RequireAcceptsJson(context.Request);
        var values = context.Request.Query["hostName"];
        if (values.Count != 1 || !TrustReader.IsValidHostName(values[0]))
            throw new RequestRejectedException(400, "hosts_trust.host_name", "Give one hostName=<host name>");
        var answer = state.Reader.GetTrust([values[0]!])[0];
        return new JsonBodyResult(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("hostname", answer.HostName);
            writer.WriteString("trust_lvl", Wire(answer.Level));
            writer.WriteString("vtime", VTime(answer.VerifiedAt));
            writer.WriteEndObject();
        });
    }
}
