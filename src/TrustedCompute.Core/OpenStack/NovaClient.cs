using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TrustedCompute.OpenStack;

public sealed record Flavor(string Id, string Name, int Vcpus, int RamMB, int DiskGB, bool IsPublic);

/// <summary>A hypervisor as the compute API lists it; HypervisorHostName is the Placement provider's name.</summary>
public sealed record Hypervisor(string Id, string HypervisorHostName, string? State, string? Status);

/// <summary>
/// Nova: flavors, their extra specs and hypervisors, at one compute microversion (from the cloud settings, default
/// 2.1). From 2.86 Nova validates extra specs, and its error text is passed on.
/// </summary>
public sealed class NovaClient(OpenStackSession session, string? microversion = null)
{
    private const string Service = "compute";

    public string Microversion { get; } = microversion ?? session.Cloud.ComputeApiVersion ?? "2.1";

    private string Header => "compute " + Microversion;

    public async Task<IReadOnlyList<Flavor>> ListFlavorsAsync(CancellationToken cancellationToken = default)
    {
        // is_public=None: an admin sees private flavors too
        var response = await session.SendAsync(Service, HttpMethod.Get, "flavors/detail?is_public=None", null, Header, cancellationToken).ConfigureAwait(false);
        return Json.Array(response.Body, "flavors", "flavor list").EnumerateArray().Select(ReadFlavor).ToList();
    }

    /// <summary>A flavor by id, else by exact name (ambiguous names are an error, as in openstackclient).</summary>
    public async Task<Flavor> FindFlavorAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        var byId = await session.SendAsync(Service, HttpMethod.Get, "flavors/" + Uri.EscapeDataString(idOrName), null, Header,
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
        var response = await session.SendAsync(Service, HttpMethod.Post, "flavors", body, Header, cancellationToken).ConfigureAwait(false);
        return ReadFlavor(Json.Object(response.Body, "flavor", "flavor"));
    }

    public async Task<bool> DeleteFlavorAsync(string id, CancellationToken cancellationToken = default)
    {
        var response = await session.SendAsync(Service, HttpMethod.Delete, "flavors/" + Uri.EscapeDataString(id), null, Header,
            cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    public async Task<IReadOnlyDictionary<string, string>> GetExtraSpecsAsync(string flavorId, CancellationToken cancellationToken = default)
    {
        var response = await session.SendAsync(Service, HttpMethod.Get, $"flavors/{Uri.EscapeDataString(flavorId)}/os-extra_specs", null,
            Header, cancellationToken).ConfigureAwait(false);
        return ReadSpecs(response.Body);
    }

    /// <summary>Adds or overwrites extra specs (other keys stay); returns what Nova answered.</summary>
    public async Task<IReadOnlyDictionary<string, string>> SetExtraSpecsAsync(string flavorId, IReadOnlyDictionary<string, string> specs,
        CancellationToken cancellationToken = default)
    {
        var map = new JsonObject();
        foreach (var (key, value) in specs) map[key] = value;
        var response = await session.SendAsync(Service, HttpMethod.Post, $"flavors/{Uri.EscapeDataString(flavorId)}/os-extra_specs",
            new JsonObject { ["extra_specs"] = map }, Header, cancellationToken).ConfigureAwait(false);
        return ReadSpecs(response.Body);
    }

    /// <summary>Deletes one extra spec; false when the flavor did not have it.</summary>
    public async Task<bool> DeleteExtraSpecAsync(string flavorId, string key, CancellationToken cancellationToken = default)
    {
        var response = await session.SendAsync(Service, HttpMethod.Delete,
            $"flavors/{Uri.EscapeDataString(flavorId)}/os-extra_specs/{Uri.EscapeDataString(key)}", null, Header,
            cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    public async Task<IReadOnlyList<Hypervisor>> ListHypervisorsAsync(CancellationToken cancellationToken = default)
    {
        var response = await session.SendAsync(Service, HttpMethod.Get, "os-hypervisors/detail", null, Header, cancellationToken).ConfigureAwait(false);
        return Json.Array(response.Body, "hypervisors", "hypervisor list").EnumerateArray()
            .Select(h => new Hypervisor(h.TryGetProperty("id", out var id) ? id.ToString() : "", Json.String(h, "hypervisor_hostname", "hypervisor"),
                Json.OptionalString(h, "state"), Json.OptionalString(h, "status")))
            .ToList();
    }

    private static IReadOnlyDictionary<string, string> ReadSpecs(JsonElement? body) =>
        Json.Object(body, "extra_specs", "extra specs").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(), StringComparer.Ordinal);

    private static Flavor ReadFlavor(JsonElement f)
    {
        // the id is a string (usually a UUID); older flavors may carry numbers in places
        string id = f.TryGetProperty("id", out var idValue) ? idValue.ToString() : throw new OpenStackException("Unexpected flavor: no id.");
        static int Int(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) ? n : 0;
        bool isPublic = !f.TryGetProperty("os-flavor-access:is_public", out var p) || p.ValueKind != JsonValueKind.False;
        return new Flavor(id, Json.String(f, "name", "flavor"), Int(f, "vcpus"), Int(f, "ram"), Int(f, "disk"), isPublic);
    }
}
