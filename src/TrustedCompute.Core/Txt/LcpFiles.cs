namespace TrustedCompute.Txt;

/// <summary>Reads and writes LCP files as tboot names them: .pol (+ .data), .lst, .elt.</summary>
public static class LcpFiles
{
    /// <summary>
    /// Reads <paramref name="path"/> by its extension: .pol gives a <see cref="LaunchControlPolicy"/> (with the .data
    /// beside it, or <paramref name="dataPath"/>), .data a <see cref="LcpPolicyData"/>, .lst a list, .elt an element.
    /// </summary>
    public static object Read(string path, string? dataPath = null)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        switch (extension)
        {
            case ".lst":
                return LcpPolicyList.Parse(LaunchControlPolicy.ReadBounded(path));
            case ".elt":
                return LcpElement.Parse(LaunchControlPolicy.ReadBounded(path));
            case ".data":
                return LcpPolicyData.Parse(LaunchControlPolicy.ReadBounded(path));
            default:
                var bytes = LaunchControlPolicy.ReadBounded(path);
                if (extension != ".pol" && bytes.Length >= 32 && System.Text.Encoding.ASCII.GetString(bytes, 0, 28) == LcpPolicyData.FileSignature)
                {
                    return LcpPolicyData.Parse(bytes);
                }
                var policy = LcpPolicy.Parse(bytes);
                string beside = Path.ChangeExtension(path, ".data");
                dataPath ??= policy.PolicyType == LcpPolicyType.List && File.Exists(beside) ? beside : null;
                var data = dataPath is null ? null : LcpPolicyData.Parse(LaunchControlPolicy.ReadBounded(dataPath));
                return new LaunchControlPolicy(policy, data) { Path = path, DataPath = dataPath };
        }
    }

    /// <summary>The files <see cref="Write"/> would write for <paramref name="item"/> at <paramref name="path"/>.</summary>
    public static IReadOnlyList<string> TargetsOf(object item, string path, string? dataPath = null) => item switch
    {
        LaunchControlPolicy { Data: not null } => [PolicyPath(path), dataPath ?? Path.ChangeExtension(PolicyPath(path), ".data")],
        LaunchControlPolicy or LcpPolicy => [PolicyPath(path)],
        _ => [path],
    };

    /// <summary>Writes an LCP object; a policy goes to .pol and, for type List, its data to .data.</summary>
    public static IReadOnlyList<string> Write(object item, string path, string? dataPath = null)
    {
        var targets = TargetsOf(item, path, dataPath);
        switch (item)
        {
            case LaunchControlPolicy lcp:
                File.WriteAllBytes(targets[0], lcp.Policy.ToBytes());
                if (lcp.Data is not null) File.WriteAllBytes(targets[1], lcp.Data.ToBytes());
                lcp.Path = targets[0];
                lcp.DataPath = lcp.Data is null ? null : targets[1];
                break;
            case LcpPolicy policy:
                File.WriteAllBytes(targets[0], policy.ToBytes());
                break;
            case LcpPolicyData data:
                File.WriteAllBytes(targets[0], data.ToBytes());
                break;
            case LcpPolicyList list:
                File.WriteAllBytes(targets[0], list.ToBytes());
                break;
            case LcpElement element:
                File.WriteAllBytes(targets[0], element.ToBytes());
                break;
            default:
                throw new ArgumentException($"{item.GetType().Name} is not a launch control policy, data, list or element.");
        }
        return targets;
    }

    private static string PolicyPath(string path) => Path.HasExtension(path) ? path : path + ".pol";
}
