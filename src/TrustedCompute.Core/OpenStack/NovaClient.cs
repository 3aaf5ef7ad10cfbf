using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TrustedCompute.OpenStack;

/// <summary>A flavor; <see cref="ExtraSpecs"/> is set when Nova embedded them in the answer (microversion 2.61+).</summary>
public sealed record Flavor(string Id, string Name, int Vcpus, int RamMB, int DiskGB, bool IsPublic,
    IReadOnlyDictionary<string, string>? ExtraSpecs = null);

/// <summary>A hypervisor as the compute API lists it; HypervisorHostName is the Placement provider's name.</summary>
public sealed record Hypervisor(string Id, string HypervisorHostName, string? State, string? Status);

/// <summary>
/// Nova: flavors, their extra specs and hypervisors. The microversion is the one given (the cloud's
/// compute_api_version, or a caller's), else negotiated from Nova's version document: the highest both sides know up
/// to <see cref="PreferredMicroversion"/> (2.61 embeds extra specs in flavor lists; 2.86 validates extra specs).
/// </summary>
public sealed class NovaClient(OpenStackSession session, string? microversion = null)
{
    private const string Service = "compute";

    /// <summary>The highest compute microversion this module knows the answers of.</summary>
    public static readonly Microversion PreferredMicroversion = new(2, 86);

    /// <summary>From this microversion flavor lists and flavor reads carry <c>extra_specs</c>.</summary>
    public static readonly Microversion EmbeddedExtraSpecs = new(2, 61);

    /// <summary>Largest number of flavor pages followed (a guard against a server whose links never end).</summary>
    public const int MaxPages = 10_000;

    private string? _microversion = microversion ?? session.Cloud.ComputeApiVersion;

    /// <summary>The microversion in use, once known (given, or negotiated by the first call).</summary>
    public string? Microversion => _microversion;

    /// <summary>The microversion for calls: the given one, else negotiated once from the version document.</summary>
    public async Task<string> GetMicroversionAsync(CancellationToken cancellationToken = default)
    {
        if (_microversion is not null) return _microversion;
        var versions = await session.GetServiceVersionsAsync(Service, cancellationToken).ConfigureAwait(false);
        return _microversion = versions.Negotiate(PreferredMicroversion)?.ToString() ?? "2.1";
    }

    /// <summary>True when flavor answers at the microversion in use embed the extra specs.</summary>
    public async Task<bool> EmbedsExtraSpecsAsync(CancellationToken cancellationToken = default)
    {
        string version = await GetMicroversionAsync(cancellationToken).ConfigureAwait(false);
        return version == "latest" || (OpenStack.Microversion.TryParse(version, out var v) && v >= EmbeddedExtraSpecs);
    }

    private async Task<OpenStackResponse> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken,
        params HttpStatusCode[] accept)
    {
        string header = "compute " + await GetMicroversionAsync(cancellationToken).ConfigureAwait(false);
        return await session.SendAsync(Service, method, path, body, header, cancellationToken, accept).ConfigureAwait(false);
    }

    /// <summary>
    /// Every flavor (an admin sees private ones too), page by page: Nova returns at most its max_limit (1,000 by
    /// default) and a <c>flavors_links</c> "next" link; the next page starts after the last flavor read (the marker).
    /// </summary>
    public async Task<IReadOnlyList<Flavor>> ListFlavorsAsync(CancellationToken cancellationToken = default)
    {
        var flavors = new List<Flavor>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? marker = null;
        for (int page = 0; page < MaxPages; page++)
        {
            string path = "flavors/detail?is_public=None" + (marker is null ? "" : "&marker=" + Uri.EscapeDataString(marker));
            var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
            var batch = Json.Array(response.Body, "flavors", "flavor list").EnumerateArray().Select(ReadFlavor).ToList();
            foreach (var flavor in batch)
            {
                if (!seen.Add(flavor.Id))
                    throw new OpenStackException($"Nova listed flavor {flavor.Id} twice while paging: the flavor list is not consistent.");
                flavors.Add(flavor);
            }
            if (batch.Count == 0 || !HasNextLink(response.Body!.Value)) return flavors;
            marker = batch[^1].Id;
        }
        throw new OpenStackException($"Nova's flavor list did not end after {MaxPages} pages.");
    }

    private static bool HasNextLink(JsonElement body) =>
        body.TryGetProperty("flavors_links", out var links) && links.ValueKind == JsonValueKind.Array
        && links.EnumerateArray().Any(l => Json.OptionalString(l, "rel") == "next");

    /// <summary>A flavor by id, else by exact name (ambiguous names are an error, as in openstackclient).</summary>
    public async Task<Flavor> FindFlavorAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        var byId = await SendAsync(HttpMethod.Get, "flavors/" + Uri.EscapeDataString(idOrName), null,
            cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
        if (byId.StatusCode != HttpStatusCode.NotFound) return ReadFlavor(Json.Object(byId.Body, "flavor", "flavor"));
        var matches = (await ListFlavorsAsync(cancellationToken).ConfigureAwait(false)).Where(f => f.Name == idOrName).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new KeyNotFoundException($"No flavor with id or name '{idOrName}'."),
            _ => throw new ArgumentException($"{matches.Count} flavors are named '{idOrName}'; give the id."),
        };
    }

    public async Task<Flavor> CreateFlavorAsync(string name, int ramMB, int vcpus, int diskGB, bool isPublic = true,
        CancellationToken cancellationToken = default)
    {
        var body = new JsonObject
        {
            ["flavor"] = new JsonObject { ["name"] = name, ["ram"] = ramMB, ["vcpus"] = vcpus, ["disk"] = diskGB, ["os-flavor-access:is_public"] = isPublic },
        };
        var response = await SendAsync(HttpMethod.Post, "flavors", body, cancellationToken).ConfigureAwait(false);
        return ReadFlavor(Json.Object(response.Body, "flavor", "flavor"));
    }

    public async Task<bool> DeleteFlavorAsync(string id, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(HttpMethod.Delete, "flavors/" + Uri.EscapeDataString(id), null,
            cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    public async Task<IReadOnlyDictionary<string, string>> GetExtraSpecsAsync(string flavorId, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(HttpMethod.Get, $"flavors/{Uri.EscapeDataString(flavorId)}/os-extra_specs", null,
            cancellationToken).ConfigureAwait(false);
        return ReadSpecs(response.Body);
    }

    /// <summary>Adds or overwrites extra specs (other keys stay); returns what Nova answered.</summary>
    public async Task<IReadOnlyDictionary<string, string>> SetExtraSpecsAsync(string flavorId, IReadOnlyDictionary<string, string> specs,
        CancellationToken cancellationToken = default)
    {
        var map = new JsonObject();
        foreach (var (key, value) in specs) map[key] = value;
        var response = await SendAsync(HttpMethod.Post, $"flavors/{Uri.EscapeDataString(flavorId)}/os-extra_specs",
            new JsonObject { ["extra_specs"] = map }, cancellationToken).ConfigureAwait(false);
        return ReadSpecs(response.Body);
    }

    /// <summary>Deletes one extra spec; false when the flavor did not have it.</summary>
    public async Task<bool> DeleteExtraSpecAsync(string flavorId, string key, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(HttpMethod.Delete,
            $"flavors/{Uri.EscapeDataString(flavorId)}/os-extra_specs/{Uri.EscapeDataString(key)}", null,
            cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    public async Task<IReadOnlyList<Hypervisor>> ListHypervisorsAsync(CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(HttpMethod.Get, "os-hypervisors/detail", null, cancellationToken).ConfigureAwait(false);
        return Json.Array(response.Body, "hypervisors", "hypervisor list").EnumerateArray()
            .Select(h => new Hypervisor(h.TryGetProperty("id", out var id) ? id.ToString() : "", Json.String(h, "hypervisor_hostname", "hypervisor"),
                Json.OptionalString(h, "state"), Json.OptionalString(h, "status")))
            .ToList();
    }

    private static IReadOnlyDictionary<string, string> ReadSpecs(JsonElement? body) => SpecsOf(Json.Object(body, "extra_specs", "extra specs"));

    private static Dictionary<string, string> SpecsOf(JsonElement specs) => specs.EnumerateObject()
        .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(), StringComparer.Ordinal);

    private static Flavor ReadFlavor(JsonElement f)
    {
        // the id is a string (usually a UUID); older flavors may carry numbers in places
        string id = f.TryGetProperty("id", out var idValue) ? idValue.ToString() : throw new OpenStackException("Unexpected flavor: no id.");
        static int Int(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) ? n : 0;
        bool isPublic = !f.TryGetProperty("os-flavor-access:is_public", out var p) || p.ValueKind != JsonValueKind.False;
        var specs = f.TryGetProperty("extra_specs", out var embedded) && embedded.ValueKind == JsonValueKind.Object ? SpecsOf(embedded) : null;
        return new Flavor(id, Json.String(f, "name", "flavor"), Int(f, "vcpus"), Int(f, "ram"), Int(f, "disk"), isPublic, specs);
    }
}
