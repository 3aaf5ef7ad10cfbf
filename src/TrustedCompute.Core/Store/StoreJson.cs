using System.Text.Json;
using System.Text.Json.Serialization;
using TrustedCompute.Attestation;

namespace TrustedCompute.Store;

/// <summary>The JSON columns: a result's reasons and claimed name, a host's chain, EK reasons and tags.</summary>
internal static class StoreJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        MaxDepth = 8,
    };

    /// <summary>What a result row keeps as JSON: the host-supplied texts, which may hold any character, and the policy
    /// that judged (absent from rows written before it was recorded).</summary>
    internal sealed record ResultDetail(string ClaimedHostName, AttestationReason[] Reasons, string? Policy = null, string? PolicyDigest = null);

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json, string what) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new StoreException(StoreErrorKind.Schema, $"The stored {what} is not readable: {e.Message}", e);
        }
    }

    public static AttestationReason[] ReadReasons(string json, string what)
    {
        var reasons = Read<AttestationReason[]>(json, what);
        if (reasons.Any(r => r is null || r.Id is null || r.Message is null || !Enum.IsDefined(r.Severity)))
            throw new StoreException(StoreErrorKind.Schema, $"The stored {what} holds an incomplete reason");
        return reasons;
    }
}
