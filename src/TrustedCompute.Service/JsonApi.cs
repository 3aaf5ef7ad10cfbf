using System.Globalization;
using System.Text.Json;
using TrustedCompute.Attestation;

namespace TrustedCompute.Service;

/// <summary>/v1 (bearer token when a secret is set), /healthz (open) and /metrics (bearer token when a secret is set).</summary>
public static class JsonApi
{
    public const int DefaultResultLimit = 100;
    public const int MaxResultLimit = 1000;

    public static void Map(IEndpointRouteBuilder app, ServiceState state)
    {
        string? secret = state.Options.AuthSecret;
        app.MapGet("/v1/hosts", (HttpContext context) =>
        {
            RequestChecks.RequireBearer(context.Request, secret);
            var hosts = state.Reader.GetAllTrust();
            return new JsonBodyResult(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("hosts");
                foreach (var host in hosts) WriteHost(writer, host);
                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        });
        app.MapGet("/v1/hosts/{name}", (HttpContext context, string name) =>
        {
            RequestChecks.RequireBearer(context.Request, secret);
            var answer = Enrolled(state, name);
            var host = state.Reader.GetHost(name);
            return new JsonBodyResult(writer =>
            {
                writer.WriteStartObject();
                WriteHostFields(writer, answer);
                if (host is not null)
                {
                    writer.WriteString("enrolled_at", Iso(host.EnrolledAt));
                    writer.WriteString("attestation_key_name", host.AttestationKeyName);
                    writer.WriteString("policy_name", host.PolicyName);
                    writer.WriteStartArray("tags");
                    foreach (string tag in host.Tags) writer.WriteStringValue(tag);
                    writer.WriteEndArray();
                }
                writer.WriteEndObject();
            });
        });
        app.MapGet("/v1/hosts/{name}/results", (HttpContext context, string name) =>
        {
            RequestChecks.RequireBearer(context.Request, secret);
            var answer = Enrolled(state, name);
            var (since, limit) = ReadResultQuery(context.Request.Query);
            var results = state.Reader.GetResults(answer.HostName, since, limit);
            return new JsonBodyResult(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("host_name", answer.HostName);
                writer.WriteStartArray("results");
                foreach (var result in results) { writer.WriteStartObject(); WriteResult(writer, result); writer.WriteEndObject(); }
                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        });
        app.MapGet("/healthz", () => Results.Text("ok\n", "text/plain"));
        app.MapGet("/metrics", (HttpContext context) =>
        {
            RequestChecks.RequireBearer(context.Request, secret);
            string text = state.Metrics.Write(state.Reader.GetAllTrust(), state.Reader.UtcNow);
            return Results.Text(text, "text/plain; version=0.0.4; charset=utf-8");
        });
    }

    private static HostTrust Enrolled(ServiceState state, string name)
    {
        if (!TrustReader.IsValidHostName(name))
            throw new RequestRejectedException(400, "host.name", "The host name is not valid");
        var answer = state.Reader.GetTrust([name])[0];
        return answer.Enrolled ? answer : throw new RequestRejectedException(404, "host.not_enrolled", "No such enrolled host");
    }

    internal static (DateTime? Since, int Limit) ReadResultQuery(IQueryCollection query)
    {
        DateTime? since = null;
        if (query.TryGetValue("since", out var sinceText))
        {
            if (sinceText.Count != 1 || !DateTimeOffset.TryParse(sinceText[0], CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal, out var parsed))
                throw new RequestRejectedException(400, "results.since", "since must be one ISO 8601 time");
            since = parsed.UtcDateTime;
        }
        int limit = DefaultResultLimit;
        if (query.TryGetValue("limit", out var limitText))
        {
            if (limitText.Count != 1 || !int.TryParse(limitText[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) ||
                limit is < 1 or > MaxResultLimit)
                throw new RequestRejectedException(400, "results.limit", $"limit must be 1-{MaxResultLimit}");
        }
        return (since, limit);
    }

    private static void WriteHost(Utf8JsonWriter writer, HostTrust host)
    {
        writer.WriteStartObject();
        WriteHostFields(writer, host);
        writer.WriteEndObject();
    }

    private static void WriteHostFields(Utf8JsonWriter writer, HostTrust host)
    {
        writer.WriteString("host_name", host.HostName);
        writer.WriteString("trust_lvl", OpenAttestationApi.Wire(host.Level));
        writer.WriteString("vtime", OpenAttestationApi.VTime(host.VerifiedAt));
        if (host.Result is null) { writer.WriteNull("latest"); return; }
        writer.WriteStartObject("latest");
        WriteResult(writer, host.Result);
        writer.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter writer, AttestationResult result)
    {
        writer.WriteString("verdict", result.Verdict.ToString());
        writer.WriteString("time", Iso(result.Time));
        writer.WriteString("attestation_key_name", result.AttestationKeyName);
        writer.WriteString("claimed_host_name", result.ClaimedHostName);
        writer.WriteString("evidence_digest", result.EvidenceDigest);
        writer.WriteString("policy", result.Policy);
        writer.WriteString("policy_digest", result.PolicyDigest);
        writer.WriteStartArray("reasons");
        foreach (var reason in result.Reasons)
        {
            writer.WriteStartObject();
            writer.WriteString("id", reason.Id);
            writer.WriteString("severity", reason.Severity.ToString());
            writer.WriteString("message", reason.Message);
            if (reason.Pcr is { } pcr) writer.WriteNumber("pcr", pcr);
            if (reason.Bank is { } bank) writer.WriteString("bank", bank);
            if (reason.Expected is { } expected) writer.WriteString("expected", expected);
            if (reason.Actual is { } actual) writer.WriteString("actual", actual);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static string Iso(DateTime time) =>
        DateTime.SpecifyKind(time, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
