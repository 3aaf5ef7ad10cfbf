using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace TrustedCompute.Attestation;

/// <summary>
/// Reads and writes policies as YAML. Reading is strict: size-capped, no tags, anchors or aliases (so no alias
/// bombs and no type tricks), unknown keys rejected with their line, then <see cref="AttestationPolicy.Validate"/>.
/// </summary>
public static class PolicyYaml
{
    public const int MaxSize = 1 << 20;
    private const int MaxEvents = 100_000;
    private const int MaxDepth = 16;

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .Build();

    public static AttestationPolicy Parse(string yaml)
    {
        if (yaml.Length > MaxSize) throw new AttestationPolicyException($"The policy is {yaml.Length} characters, more than the limit of {MaxSize}");
        Screen(yaml);
        AttestationPolicy? policy;
        try { policy = Deserializer.Deserialize<AttestationPolicy>(yaml); }
        catch (YamlException e)
        {
            string message = e.InnerException is { } inner && e.Message.Contains("Exception during deserialization", StringComparison.Ordinal) ? inner.Message : e.Message;
            throw new AttestationPolicyException(Clean(message), (int)e.Start.Line, e);
        }
        if (policy is null) throw new AttestationPolicyException("The policy is empty");
        policy.Validate();
        return policy;
    }

    public static AttestationPolicy ReadFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"No policy file {path}", path);
        if (info.Length > MaxSize) throw new AttestationPolicyException($"{path} is {info.Length} bytes, more than the limit of {MaxSize}");
        return Parse(File.ReadAllText(path));
    }

    public static string Serialize(AttestationPolicy policy)
    {
        policy.Validate();
        return Serializer.Serialize(policy);
    }

    /// <summary>Rejects tags, anchors, aliases, deep nesting and huge documents before any object is built.</summary>
    private static void Screen(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        int events = 0;
        var frames = new Stack<(bool IsMapping, HashSet<string> Keys)>();
        var keyNext = new Stack<bool>();
        try
        {
            while (parser.MoveNext())
            {
                var e = parser.Current!;
                int line = (int)e.Start.Line;
                if (++events > MaxEvents) throw new AttestationPolicyException($"The policy has more than {MaxEvents} YAML nodes", line);
                if (e is AnchorAlias) throw new AttestationPolicyException("YAML aliases are not allowed in a policy", line);
                if (e is NodeEvent node)
                {
                    if (!node.Anchor.IsEmpty) throw new AttestationPolicyException($"YAML anchors are not allowed in a policy (&{node.Anchor})", line);
                    if (!node.Tag.IsEmpty && !node.Tag.IsNonSpecific) throw new AttestationPolicyException($"YAML tags are not allowed in a policy ({node.Tag})", line);
                }
                if (e is DocumentStart { IsImplicit: false } && events > 2) throw new AttestationPolicyException("A policy file holds one YAML document", line);
                if (e is NodeEvent && frames.TryPeek(out var parent) && parent.IsMapping)
                {
                    bool isKey = keyNext.Pop();
                    keyNext.Push(!isKey);
                    if (isKey && e is not Scalar) throw new AttestationPolicyException("A policy's keys are plain names", line);
                    if (isKey && !parent.Keys.Add(((Scalar)e).Value)) throw new AttestationPolicyException($"Duplicate key '{((Scalar)e).Value}'", line);
                }
                if (e is MappingStart or SequenceStart)
                {
                    if (frames.Count >= MaxDepth) throw new AttestationPolicyException($"The policy nests deeper than {MaxDepth} levels", line);
                    frames.Push((e is MappingStart, new HashSet<string>(StringComparer.Ordinal)));
                    keyNext.Push(true);
                }
                if (e is MappingEnd or SequenceEnd)
                {
                    frames.Pop();
                    keyNext.Pop();
                }
            }
        }
        catch (YamlException e)
        {
            throw new AttestationPolicyException(Clean(e.Message), (int)e.Start.Line, e);
        }
    }

    private static string Clean(string message) => message.Replace("TrustedCompute.Attestation.", "", StringComparison.Ordinal);
}
