using System.Text.Json;

namespace TrustedCompute.OpenStack;

/// <summary>Typed reads from untrusted JSON that fail with a clear message instead of a bare JSON exception.</summary>
internal static class Json
{
    public static JsonElement Property(JsonElement? element, string name, string what, JsonValueKind kind)
    {
        if (element is not { ValueKind: JsonValueKind.Object } e || !e.TryGetProperty(name, out var value) || value.ValueKind != kind)
            throw new OpenStackException($"Unexpected {what}: '{name}' is missing or not a{(kind == JsonValueKind.Array ? "n" : "")} {kind.ToString().ToLowerInvariant()}.");
        return value;
    }

    public static JsonElement Object(JsonElement? element, string name, string what) => Property(element, name, what, JsonValueKind.Object);

    public static JsonElement Array(JsonElement? element, string name, string what) => Property(element, name, what, JsonValueKind.Array);

    public static string String(JsonElement? element, string name, string what) => Property(element, name, what, JsonValueKind.String).GetString()!;

    public static long Int64(JsonElement? element, string name, string what)
    {
        var value = Property(element, name, what, JsonValueKind.Number);
        return value.TryGetInt64(out long n) ? n : throw new OpenStackException($"Unexpected {what}: '{name}' is not an integer.");
    }

    public static string? OptionalString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static Guid Guid(JsonElement? element, string name, string what) =>
        System.Guid.TryParse(String(element, name, what), out var g) ? g : throw new OpenStackException($"Unexpected {what}: '{name}' is not a UUID.");

    public static Guid? OptionalGuid(JsonElement element, string name) =>
        OptionalString(element, name) is { } s && System.Guid.TryParse(s, out var g) ? g : null;
}
