using System.Globalization;
using System.Text.Json;

namespace TrustedCompute.OpenStack;

/// <summary>An OpenStack microversion such as 2.61 (compute) or 1.18 (placement); compared as numbers, not text.</summary>
public readonly record struct Microversion(int Major, int Minor) : IComparable<Microversion>
{
    public static Microversion Parse(string text) => TryParse(text, out var v) ? v
        : throw new FormatException($"'{text}' is not a microversion (major.minor, such as 2.61).");

    public static bool TryParse(string? text, out Microversion version)
    {
        version = default;
        var parts = text?.Trim().Split('.');
        if (parts is not { Length: 2 }) return false;
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int minor)) return false;
        version = new Microversion(major, minor);
        return true;
    }

    public int CompareTo(Microversion other) => (Major, Minor).CompareTo((other.Major, other.Minor));

    public static bool operator <(Microversion a, Microversion b) => a.CompareTo(b) < 0;
    public static bool operator >(Microversion a, Microversion b) => a.CompareTo(b) > 0;
    public static bool operator <=(Microversion a, Microversion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Microversion a, Microversion b) => a.CompareTo(b) >= 0;

    public static Microversion Min(Microversion a, Microversion b) => a <= b ? a : b;

    public override string ToString() => $"{Major}.{Minor}";
}

/// <summary>The microversions a service's version document says it speaks (no range: a service without microversions).</summary>
public sealed record ServiceVersions(string Service, Microversion? Min, Microversion? Max)
{
    /// <summary>
    /// Reads a version document: the endpoint's own <c>{"version": {...}}</c> (Nova at /v2.1/) or a
    /// <c>{"versions": [...]}</c> list (Placement at /), taking the CURRENT entry. <c>version</c> or <c>max_version</c>
    /// is the highest microversion, <c>min_version</c> the lowest; empty strings mean none.
    /// </summary>
    public static ServiceVersions Read(string service, JsonElement? document)
    {
        if (document is not { ValueKind: JsonValueKind.Object } root)
            throw new OpenStackException($"The {service} version document is not a JSON object.");
        JsonElement entry;
        if (root.TryGetProperty("version", out var single) && single.ValueKind == JsonValueKind.Object) entry = single;
        else if (root.TryGetProperty("versions", out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > 0)
        {
            var entries = list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).ToList();
            entry = entries.FirstOrDefault(e => Json.OptionalString(e, "status") == "CURRENT");
            if (entry.ValueKind != JsonValueKind.Object)
                entry = entries.Count > 0 ? entries[^1] : throw new OpenStackException($"The {service} version list is empty.");
        }
        else throw new OpenStackException($"The {service} endpoint answered without a version document ('version' or 'versions').");
        static Microversion? Take(JsonElement e, params string[] names)
        {
            foreach (var name in names)
                if (Microversion.TryParse(Json.OptionalString(e, name), out var v)) return v;
            return null;
        }
        return new ServiceVersions(service, Take(entry, "min_version"), Take(entry, "max_version", "version"));
    }

    /// <summary>The highest microversion both sides know, up to <paramref name="wanted"/>; null when the service has none.</summary>
    public Microversion? Negotiate(Microversion wanted) => Max is { } max ? Microversion.Min(max, wanted) : null;

    /// <summary>Throws a clear error when the service cannot speak <paramref name="needed"/> for <paramref name="what"/>.</summary>
    public void Require(Microversion needed, string what)
    {
        if (Max is { } max && max >= needed && (Min is null || Min <= needed)) return;
        throw new OpenStackException($"{what} needs {Service} microversion {needed}, but the {Service} service offers " +
                                     (Max is null ? "no microversions." : $"{Min?.ToString() ?? "?"} to {Max}."));
    }
}
