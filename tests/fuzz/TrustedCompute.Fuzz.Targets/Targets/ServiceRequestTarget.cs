using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using TrustedCompute.Service;

namespace TrustedCompute.Fuzz.Targets;

/// <summary>
/// What the attestation service reads of a request (documented: RequestRejectedException). First byte even: a
/// PollHosts body through <see cref="RequestChecks.ParseJsonObject"/> and <see cref="OpenAttestationApi.ReadHostNames"/>
/// (the /v1 endpoints take no body). Odd: a /v1/hosts/{name}/results request, "name?query", through
/// <see cref="TrustReader.IsValidHostName"/> and the since/limit query of <see cref="JsonApi"/>.
/// </summary>
public sealed class ServiceRequestTarget : FuzzTarget
{
    private const byte PollHostsBody = 0, ResultsQuery = 1;
    private static readonly ServiceOptions Defaults = new();

    public override string Name => "service-request";
    public override string Description =>
        "PollHosts JSON body (ParseJsonObject, ReadHostNames); /v1 results name and query";

    public override bool IsDocumented(Exception exception) => exception is RequestRejectedException;

    public override IEnumerable<(string Name, byte[] Bytes)> GeneratedSeeds()
    {
        yield return ("pollhosts.json", Input(PollHostsBody, "{\"count\":2,\"hosts\":[\"compute-1\",\"compute-2.example\"]}"));
        yield return ("pollhosts-no-count.json", Input(PollHostsBody, "{\"hosts\":[\"h\"]}"));
        yield return ("pollhosts-unicode.json", Input(PollHostsBody, "{\"hosts\":[\"h\\u00e9\",\"\\ud83d\\ude00\"]}"));
        yield return ("results-query.txt", Input(ResultsQuery, "compute-1?since=2026-01-01T00:00:00Z&limit=10"));
        yield return ("results-offset.txt",
            Input(ResultsQuery, "compute%2F1?since=2026-01-01T00%3A00%3A00%2B02%3A00&limit=1000"));
    }

    private static byte[] Input(byte mode, string text) => [mode, .. Encoding.UTF8.GetBytes(text)];

    public override void Run(byte[] input)
    {
        if (input.Length == 0) return;
        byte[] rest = input[1..];
        if ((input[0] & 1) == PollHostsBody) ReadPollHosts(rest);
        else ReadResultsRequest(rest);
    }

    private static void ReadPollHosts(byte[] body)
    {
        // A larger body never reaches the parser: RequestChecks.ReadJsonObjectAsync answers 413 first.
        if (body.Length > Defaults.MaxRequestBodyBytes) return;
        using var document = RequestChecks.ParseJsonObject(body);
        string[] names = OpenAttestationApi.ReadHostNames(document.RootElement, Defaults.MaxHostsPerRequest);
        if (names.Length > Defaults.MaxHostsPerRequest || !names.All(TrustReader.IsValidHostName))
            throw new InvalidOperationException("ReadHostNames let through a name the store must never be asked for");
    }

    private static void ReadResultsRequest(byte[] request)
    {
        string text = Encoding.UTF8.GetString(request);
        int question = text.IndexOf('?', StringComparison.Ordinal);
        string name = Uri.UnescapeDataString(question < 0 ? text : text[..question]);
        // The endpoint answers 400 host.name without reading the query.
        if (!TrustReader.IsValidHostName(name)) return;
        var query = new QueryCollection(QueryHelpers.ParseQuery(question < 0 ? "" : text[question..]));
        var (since, limit) = JsonApi.ReadResultQuery(query);
        if (limit is < 1 or > JsonApi.MaxResultLimit)
            throw new InvalidOperationException($"ReadResultQuery let through limit {limit}");
        if (since is { Kind: not DateTimeKind.Utc })
            throw new InvalidOperationException($"ReadResultQuery gave a since of kind {since.Value.Kind}, not UTC");
    }
}
