using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TrustedCompute.OpenStack;

/// <summary>A Glance image and its trust property trait:&lt;TRAIT&gt; (required, forbidden or absent).</summary>
public sealed record TrustedImage(Guid Id, string Name, string Trait, string? TraitValue)
{
    public bool RequiresTrustedHost => TraitValue == "required";
}

/// <summary>
/// Glance v2: images and their <c>trait:&lt;TRAIT&gt;</c> property, which Nova reads like a flavor's extra spec
/// (a server booted from the image lands only on providers with the trait). Other properties are never touched:
/// changes are JSON patches of that one property.
/// </summary>
public sealed class TrustedImageManager(OpenStackSession session)
{
    private const string Service = "image";
    private const string PatchType = "application/openstack-images-v2.1-json-patch";

    public async Task<JsonElement> GetImageAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        if (Guid.TryParse(idOrName, out var id))
        {
            var byId = await session.SendAsync(Service, HttpMethod.Get, $"v2/images/{id}", null, null, cancellationToken,
                HttpStatusCode.NotFound).ConfigureAwait(false);
            if (byId.StatusCode != HttpStatusCode.NotFound) return byId.Body!.Value;
        }
        var list = await session.SendAsync(Service, HttpMethod.Get, "v2/images?name=" + Uri.EscapeDataString(idOrName), null, null,
            cancellationToken).ConfigureAwait(false);
        var matches = Json.Array(list.Body, "images", "image list").EnumerateArray().ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new KeyNotFoundException($"No image with id or name '{idOrName}'."),
            _ => throw new ArgumentException($"{matches.Count} images are named '{idOrName}'; give the id."),
        };
    }

    public async Task<TrustedImage> GetAsync(string idOrName, string trait, CancellationToken cancellationToken = default) =>
        Read(await GetImageAsync(idOrName, cancellationToken).ConfigureAwait(false), trait);

    /// <summary>Sets the property to required or forbidden, or removes it; returns the image as Glance answered.</summary>
    public async Task<TrustedImage> SetAsync(string idOrName, string trait, TrustRequirement requirement,
        CancellationToken cancellationToken = default)
    {
        if (!PlacementClient.IsValidTrait(trait)) throw new ArgumentException($"'{trait}' is not a valid trait name.", nameof(trait));
        var image = await GetImageAsync(idOrName, cancellationToken).ConfigureAwait(false);
        var current = Read(image, trait);
        string path = "/" + TrustedFlavorManager.TraitKey(trait);
        JsonObject op = requirement == TrustRequirement.Remove
            ? new JsonObject { ["op"] = "remove", ["path"] = path }
            : new JsonObject { ["op"] = current.TraitValue is null ? "add" : "replace", ["path"] = path,
                               ["value"] = requirement == TrustRequirement.Forbidden ? "forbidden" : "required" };
        if (requirement == TrustRequirement.Remove && current.TraitValue is null) return current;
        var answer = await session.SendAsync(Service, HttpMethod.Patch, $"v2/images/{current.Id}", new JsonArray(op), null,
            cancellationToken, PatchType).ConfigureAwait(false);
        return Read(answer.Body ?? throw new OpenStackException("Glance changed the image but returned no body."), trait);
    }

    /// <summary>Creates an image record without data (for tests and examples).</summary>
    public async Task<TrustedImage> CreateAsync(string name, string trait, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["name"] = name, ["container_format"] = "bare", ["disk_format"] = "raw", ["visibility"] = "private" };
        var answer = await session.SendAsync(Service, HttpMethod.Post, "v2/images", body, null, cancellationToken).ConfigureAwait(false);
        return Read(answer.Body!.Value, trait);
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var answer = await session.SendAsync(Service, HttpMethod.Delete, $"v2/images/{id}", null, null, cancellationToken,
            HttpStatusCode.NotFound).ConfigureAwait(false);
        return answer.StatusCode != HttpStatusCode.NotFound;
    }

    private static TrustedImage Read(JsonElement image, string trait) => new(Json.Guid(image, "id", "image"),
        Json.OptionalString(image, "name") ?? "", trait, Json.OptionalString(image, TrustedFlavorManager.TraitKey(trait)));
}
