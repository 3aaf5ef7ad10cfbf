using System.Globalization;
using System.Text;
using TrustedCompute.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace TrustedCompute.Attestation;

/// <summary>
/// Reads and writes policies as YAML. Reading is strict: size-capped, no tags, anchors, aliases or directives (so no
/// alias bombs and no type tricks), no null values, PCR keys written one way only, unknown keys rejected with their
/// line, then <see cref="AttestationPolicy.Validate"/>, whose errors get the line of the field they name.
/// </summary>
public static class PolicyYaml
{
    public const int MaxSize = 1 << 20;
    private const int MaxEvents = 100_000;
    private const int MaxDepth = 16;
    private static readonly string CurrentVersionText = AttestationPolicy.CurrentSchemaVersion.ToString(CultureInfo.InvariantCulture);
    private static readonly string FirstLine = "schemaVersion: " + CurrentVersionText;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .Build();

    /// <summary>What each PCR holds on a PC (after the TCG PC Client Platform Firmware Profile, Linux and systemd).</summary>
    private static readonly Dictionary<int, string> PcrPurposes = new()
    {
        [0] = "core firmware code (SRTM, BIOS/UEFI, host platform extensions)",
        [1] = "platform and firmware configuration",
        [2] = "option ROM and UEFI driver code",
        [3] = "option ROM and UEFI driver configuration",
        [4] = "boot manager code (IPL) and boot attempts",
        [5] = "boot manager configuration, GPT partition table",
        [6] = "power state transitions and wake events",
        [7] = "Secure Boot policy (SecureBoot, PK, KEK, db, dbx)",
        [8] = "OS loader: GRUB commands and kernel command line",
        [9] = "OS loader: files GRUB loaded (kernel, initrd)",
        [10] = "IMA (Linux integrity measurement architecture)",
        [11] = "unified kernel image sections (systemd-stub)",
        [12] = "kernel command line and credentials (systemd-boot, systemd-stub)",
        [13] = "system extension images (systemd-stub)",
        [14] = "MOK, machine owner keys (shim)",
        [15] = "system identity (systemd: machine ID, root volume key)",
        [16] = "debug (resettable, for tests)",
        [17] = "Intel TXT dynamic launch: SINIT ACM and launch control policy",
        [18] = "Intel TXT dynamic launch: measured launch environment (e.g. tboot)",
        [19] = "Intel TXT dynamic launch: OS-defined (trusted OS)",
        [20] = "Intel TXT dynamic launch: OS-defined (trusted OS)",
        [21] = "Intel TXT dynamic launch: OS-defined (trusted OS)",
        [22] = "Intel TXT dynamic launch: OS-defined (trusted OS)",
        [23] = "application support (resettable)",
    };

    public static AttestationPolicy Parse(string yaml)
    {
        if (yaml.Length > MaxSize) throw new AttestationPolicyException($"The policy is {yaml.Length} characters, more than the limit of {MaxSize}");
        CheckCharacters(yaml);
        var lines = Screen(yaml);
        var policy = Deserialize(yaml);
        try { policy.Validate(); }
        catch (AttestationPolicyException e) when (e.Line is null && e.Field is not null) { throw e.AtLine(LineOf(lines, e.Field)); }
        return policy;
    }

    /// <summary>Reads a policy file (UTF-8, a BOM allowed) within <see cref="MaxSize"/> and <see cref="BoundedFile.DefaultTimeout"/>.</summary>
    public static AttestationPolicy ReadFile(string path, CancellationToken cancellationToken = default)
    {
        byte[] bytes;
        try { bytes = BoundedFile.ReadAllBytes(path, MaxSize, BoundedFile.DefaultTimeout, cancellationToken); }
        catch (InvalidDataException e) { throw new AttestationPolicyException(e.Message, inner: e); }
        var text = bytes.AsSpan();
        if (text.StartsWith("\uFEFF"u8)) text = text[3..];
        try { return Parse(StrictUtf8.GetString(text)); }
        catch (DecoderFallbackException e)
        {
            int line = 1 + text[..Math.Clamp(e.Index, 0, text.Length)].Count((byte)'\n');
            throw new AttestationPolicyException($"{path} is not UTF-8 text", line, e);
        }
    }

    /// <summary>The SHA-256 (lower-case hex) of a policy's YAML text, as results record it (PolicyDigest).</summary>
    public static string Digest(string yaml) =>
        TrustedCompute.EventLog.HexText.Lower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(yaml)));

    /// <summary>The policy as YAML, each golden PCR value under a comment saying what that PCR measures.</summary>
    public static string Serialize(AttestationPolicy policy)
    {
        policy.Validate();
        try
        {
            var text = new StringWriter { NewLine = "\n" };
            Serializer.Serialize(new PolicyEmitter(new Emitter(text)), policy);
            return text.ToString();
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException or ArgumentException)
        {
            throw new AttestationPolicyException($"The policy cannot be written as YAML: {e.Message}", inner: e);
        }
    }

    private static AttestationPolicy Deserialize(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        try { return Deserializer.Deserialize<AttestationPolicy>(parser) ?? throw new AttestationPolicyException("The policy is empty", 1); }
        catch (YamlException e)
        {
            bool wrapped = e.Message.Contains("Exception during deserialization", StringComparison.Ordinal);
            string message = wrapped && e.InnerException is { } inner ? inner.Message : e.Message;
            throw new AttestationPolicyException(Clean(message), Line(e.Start), e);
        }
        catch (Exception e) when (IsConverterFailure(e))
        {
            throw new AttestationPolicyException(Clean(e.Message), parser.Current is { } at ? Line(at.Start) : 1, e);
        }
    }

    /// <summary>What YamlDotNet's scanner and type converters throw besides YamlException on hostile text.</summary>
    private static bool IsConverterFailure(Exception e) => e is not AttestationPolicyException and (InvalidOperationException or ArgumentException or FormatException
        or OverflowException or InvalidCastException or NotSupportedException or KeyNotFoundException or IndexOutOfRangeException);

    /// <summary>Control characters other than tab and line ends have no business in a policy.</summary>
    private static void CheckCharacters(string yaml)
    {
        for (int i = 0; i < yaml.Length; i++)
        {
            char c = yaml[i];
            if (c >= ' ' && c != '\x7F' || c is '\t' or '\n' or '\r') continue;
            int line = 1 + yaml.AsSpan(0, i).Count('\n');
            throw new AttestationPolicyException($"The policy holds the control character U+{(int)c:X4}", line);
        }
    }

    private sealed class Frame(bool isMapping, string path, bool pcrIndexes)
    {
        public bool IsMapping { get; } = isMapping;
        public string Path { get; } = path;
        /// <summary>True for the mapping under pcrs.&lt;bank&gt;, whose keys are PCR indexes.</summary>
        public bool PcrIndexes { get; } = pcrIndexes;
        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
        /// <summary>The key whose value comes next, in a mapping; null when a key comes next.</summary>
        public string? Key { get; set; }
        public int Items { get; set; }
    }

    /// <summary>
    /// Rejects, before any object is built: tags, anchors, aliases, directives, deep nesting, huge documents, a root that
    /// is not a mapping, a missing or unsupported schemaVersion, null values (which would drop a rule silently),
    /// duplicate keys and PCR keys not written as plain decimal numbers. Returns the line of every key and list item.
    /// </summary>
    private static Dictionary<string, int> Screen(string yaml)
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var parser = new Parser(new StringReader(yaml));
        var frames = new Stack<Frame>();
        int events = 0, line = 1;
        bool rooted = false;
        try
        {
            while (parser.MoveNext())
            {
                var e = parser.Current!;
                line = Line(e.Start);
                if (++events > MaxEvents) throw new AttestationPolicyException($"The policy has more than {MaxEvents} YAML nodes", line);
                if (e is AnchorAlias) throw new AttestationPolicyException("YAML aliases are not allowed in a policy", line);
                if (e is DocumentStart start)
                {
                    if (rooted) throw new AttestationPolicyException("A policy file holds one YAML document", line);
                    if (start.Version is not null || (start.Tags ?? []).Any(t => !IsDefaultTag(t)))
                        throw new AttestationPolicyException("YAML directives (%YAML, %TAG) are not allowed in a policy", line);
                }
                if (e is MappingEnd or SequenceEnd)
                {
                    var done = frames.Pop();
                    if (frames.Count == 0 && !done.Keys.Contains("schemaVersion"))
                        throw new AttestationPolicyException($"missing: a policy starts with {FirstLine}", 1, field: "schemaVersion");
                }
                if (e is not NodeEvent node) continue;
                if (!node.Anchor.IsEmpty) throw new AttestationPolicyException($"YAML anchors are not allowed in a policy (&{node.Anchor})", line);
                if (!node.Tag.IsEmpty && !node.Tag.IsNonSpecific) throw new AttestationPolicyException($"YAML tags are not allowed in a policy ({node.Tag})", line);
                string path;
                if (!frames.TryPeek(out var parent))
                {
                    if (e is not MappingStart)
                        throw new AttestationPolicyException($"A policy is a YAML mapping of settings, starting with {FirstLine}", line);
                    rooted = true;
                    path = "";
                }
                else if (parent.IsMapping && parent.Key is null)
                {
                    Key(parent, e as Scalar, line, lines);
                    continue;
                }
                else if (parent.IsMapping)
                {
                    path = Join(parent.Path, parent.Key!);
                    parent.Key = null;
                }
                else
                {
                    path = $"{parent.Path}[{parent.Items++}]";
                    lines.TryAdd(path, line);
                }
                if (e is Scalar value) Value(value, path, line);
                else if (path == "schemaVersion") throw new AttestationPolicyException("must be a number", line, field: path);
                if (e is MappingStart or SequenceStart)
                {
                    if (frames.Count >= MaxDepth) throw new AttestationPolicyException($"The policy nests deeper than {MaxDepth} levels", line);
                    bool pcrIndexes = e is MappingStart && frames.Count == 2 && parent?.Path == "pcrs";
                    frames.Push(new Frame(e is MappingStart, path, pcrIndexes));
                }
            }
        }
        catch (YamlException e)
        {
            throw new AttestationPolicyException(Clean(e.Message), Line(e.Start), e);
        }
        catch (Exception e) when (IsConverterFailure(e))
        {
            throw new AttestationPolicyException($"The YAML is malformed after this line ({e.Message})", line, e);
        }
        if (!rooted) throw new AttestationPolicyException("The policy is empty", 1);
        return lines;
    }

    private static bool IsDefaultTag(YamlDotNet.Core.Tokens.TagDirective tag) =>
        tag is { Handle: "!", Prefix: "!" } or { Handle: "!!", Prefix: "tag:yaml.org,2002:" };

    private static void Key(Frame mapping, Scalar? key, int line, Dictionary<string, int> lines)
    {
        string? field = mapping.Path.Length == 0 ? null : mapping.Path;
        if (key is null) throw new AttestationPolicyException("A policy's keys are plain names", line, field: field);
        CheckText(key.Value, Join(mapping.Path, key.Value), line);
        if (!mapping.Keys.Add(key.Value)) throw new AttestationPolicyException($"Duplicate key '{key.Value}'", line, field: field);
        if (mapping.PcrIndexes && !IsPcrIndex(key.Value))
            throw new AttestationPolicyException($"'{key.Value}' is not a PCR index: write each as a plain decimal number 0-23",
                line, field: field);
        lines.TryAdd(Join(mapping.Path, key.Value), line);
        mapping.Key = key.Value;
    }

    private static void Value(Scalar value, string path, int line)
    {
        if (value.Style == ScalarStyle.Plain && value.Value is "" or "~" or "null" or "Null" or "NULL")
            throw new AttestationPolicyException(AttestationPolicy.NoValue, line, field: path);
        CheckText(value.Value, path, line);
        if (path == "schemaVersion" && value.Value != CurrentVersionText)
            throw new AttestationPolicyException(AttestationPolicy.UnsupportedVersion(value.Value), line, field: path);
    }

    /// <summary>Escapes can put what the raw-text check forbids into a quoted scalar.</summary>
    private static void CheckText(string text, string path, int line)
    {
        for (var rest = text.AsSpan(); !rest.IsEmpty;)
        {
            var status = Rune.DecodeFromUtf16(rest, out var rune, out int used);
            if (status != System.Buffers.OperationStatus.Done || Rune.IsControl(rune) && rune.Value is not ('\n' or '\t'))
                throw new AttestationPolicyException($"holds a control character or a broken surrogate (U+{(int)rest[0]:X4})", line,
                    field: path.Length == 0 ? null : path);
            rest = rest[used..];
        }
    }

    /// <summary>"0" to "99" written plainly; Validate then checks the range, so "7", "07", "+7" and "0x7" are never two entries.</summary>
    private static bool IsPcrIndex(string key) =>
        key is [>= '0' and <= '9'] || key is [>= '1' and <= '9', >= '0' and <= '9'];

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>The line of a field, or of the nearest enclosing field the YAML has.</summary>
    private static int? LineOf(Dictionary<string, int> lines, string field)
    {
        for (string f = field; f.Length > 0; f = f[..Math.Max(0, Math.Max(f.LastIndexOf('.'), f.LastIndexOf('[')))])
            if (lines.TryGetValue(f, out int line)) return line;
        return null;
    }

    private static int Line(Mark mark) => (int)Math.Clamp(mark.Line, 1, int.MaxValue);

    private static string Clean(string message) => message.Replace("TrustedCompute.Attestation.", "", StringComparison.Ordinal);

    /// <summary>
    /// Writes a comment naming the PCR above each key of pcrs.&lt;bank&gt;, and double-quotes every text that is not
    /// plainly safe: YamlDotNet writes some (a leading tab, "null") plain, and they would read back changed or as null.
    /// </summary>
    private sealed class PolicyEmitter(IEmitter inner) : IEmitter
    {
        private readonly Stack<(bool IsMapping, string Name)> _frames = new();
        private readonly Stack<bool> _keyNext = new();
        private string _pendingKey = "";

        public void Emit(ParsingEvent @event)
        {
            if (@event is NodeEvent && _frames.TryPeek(out var top) && top.IsMapping)
            {
                bool isKey = _keyNext.Pop();
                _keyNext.Push(!isKey);
                if (isKey && @event is Scalar key)
                {
                    _pendingKey = key.Value;
                    if (_frames.Count == 3 && _frames.ElementAt(1).Name == "pcrs" && int.TryParse(key.Value, out int pcr)
                        && PcrPurposes.TryGetValue(pcr, out var purpose))
                        inner.Emit(new Comment($"PCR {pcr}: {purpose}", false));
                }
            }
            if (@event is Scalar { Style: ScalarStyle.Any or ScalarStyle.Plain } s && !IsPlainlySafe(s.Value))
                @event = new Scalar(s.Anchor, s.Tag, s.Value, ScalarStyle.DoubleQuoted, false, true);
            if (@event is MappingStart or SequenceStart)
            {
                _frames.Push((@event is MappingStart, _pendingKey));
                _keyNext.Push(true);
            }
            else if (@event is MappingEnd or SequenceEnd)
            {
                _frames.Pop();
                _keyNext.Pop();
            }
            inner.Emit(@event);
        }

        private static bool IsPlainlySafe(string text) =>
            text.Length > 0 && text is not ("null" or "Null" or "NULL" or "~")
            && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-') && text[0] != '-';
    }
}
