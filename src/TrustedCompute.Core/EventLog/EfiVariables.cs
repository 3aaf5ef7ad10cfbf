using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace TrustedCompute.EventLog;

/// <summary>Values of the UEFI variables measured into PCR 1 and 7: Secure Boot state, boot order, load options, signature databases.</summary>
internal static class EfiVariables
{
    private static readonly HashSet<string> Flags =
        ["SecureBoot", "SetupMode", "AuditMode", "DeployedMode", "MokSBState", "MokListTrusted", "MokListTrustedRT"];
    private static readonly HashSet<string> Databases =
        ["PK", "KEK", "db", "dbx", "dbt", "dbr", "MokList", "MokListX", "MokListRT", "MokListXRT"];
    private static readonly HashSet<string> TextVariables = ["SbatLevel", "SbatLevelRT"];

    public static EfiVariableEventData Describe(Guid guid, string name, byte[] value, bool authority)
    {
        try
        {
            return DescribeValue(guid, name, value, authority);
        }
        catch (InvalidDataException ex)
        {
            return new EfiVariableEventData { VariableGuid = guid, VariableName = name, VariableData = value, Value = $"undecodable: {ex.Message}" };
        }
    }

    private static EfiVariableEventData DescribeValue(Guid guid, string name, byte[] value, bool authority)
    {
        EfiVariableEventData Make(string? text, bool? enabled = null, IReadOnlyList<ushort>? order = null, EfiLoadOption? option = null,
            IReadOnlyList<EfiSignatureList>? lists = null) => new()
        {
            VariableGuid = guid, VariableName = name, VariableData = value, Value = text, Enabled = enabled, BootOrder = order,
            LoadOption = option, SignatureLists = lists,
        };
        if (Flags.Contains(name))
        {
            // Only the one byte 0x01 is enabled; a variable measured empty is absent, so not enabled.
            bool? on = value switch { [1] => true, [0] or [] => false, _ => null };
            string text = value switch
            {
                [1] => "Enabled", [0] => "Disabled", [] => "(empty: not enabled)",
                _ => $"malformed ({value.Length} byte(s), not a one-byte 0x00 or 0x01)",
            };
            return Make(text, enabled: on);
        }
        if (TextVariables.Contains(name))
        {
            var text = EventDataDecoder.Text(value);
            return Make(text is null || text.Encoding != "ASCII" ? $"{value.Length} bytes, not text" : OneLine(text.Text));
        }
        if (authority)
        {
            string? subject = value.Length > 16 ? Subject(value.AsSpan(16)) ?? Subject(value) : Subject(value);
            return Make(subject ?? $"{value.Length} bytes");
        }
        if (name is "BootOrder" or "DriverOrder")
        {
            if (value.Length % 2 != 0) throw new InvalidDataException($"{name} has an odd length {value.Length}");
            var order = new ushort[value.Length / 2];
            for (int i = 0; i < order.Length; i++) order[i] = BinaryPrimitives.ReadUInt16LittleEndian(value.AsSpan(2 * i));
            return Make(string.Join(",", order.Select(o => o.ToString("X4"))), order: order);
        }
        if (name is "BootCurrent" or "BootNext" && value.Length == 2)
            return Make(BinaryPrimitives.ReadUInt16LittleEndian(value).ToString("X4"));
        if (IsLoadOption(name))
        {
            var option = LoadOption(value);
            return Make(option.ToString(), option: option);
        }
        if (Databases.Contains(name))
        {
            var lists = SignatureLists(value);
            int count = lists.Sum(l => l.Signatures.Count);
            var subjects = lists.SelectMany(l => l.Signatures).Select(s => s.CertificateSubject).OfType<string>().ToList();
            string text = value.Length == 0 ? "(empty)" : $"{count} signature(s) in {lists.Count} list(s)" + (subjects.Count > 0 ? ": " + string.Join("; ", subjects) : "");
            return Make(text, lists: lists);
        }
        return Make(null);
    }

    /// <summary>Lines joined with "; " (SbatLevel is one "component,generation[,date]" per line).</summary>
    private static string OneLine(string text) =>
        string.Join("; ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static bool IsLoadOption(string name)
    {
        foreach (var prefix in (ReadOnlySpan<string>)["Boot", "Driver", "SysPrep", "PlatformRecovery"])
            if (name.Length == prefix.Length + 4 && name.StartsWith(prefix, StringComparison.Ordinal) && name[prefix.Length..].All(Uri.IsHexDigit))
                return true;
        return false;
    }

    private static EfiLoadOption LoadOption(byte[] value)
    {
        var r = new DataReader(value, 0);
        uint attributes = r.U32("Attributes");
        int pathLength = r.U16("FilePathListLength");
        var description = new StringBuilder();
        while (true)
        {
            char c = (char)r.U16("Description");
            if (c == '\0') break;
            description.Append(c);
        }
        var path = r.Bytes(pathLength, "FilePathList");
        var optional = r.Bytes(r.Remaining, "OptionalData");
        return new EfiLoadOption(attributes, description.ToString(), DevicePath.ToText(path), optional);
    }

    internal static List<EfiSignatureList> SignatureLists(byte[] value)
    {
        var lists = new List<EfiSignatureList>();
        var r = new DataReader(value, 0);
        while (r.Remaining > 0)
        {
            int at = r.Position;
            var type = r.Guid("SignatureType");
            uint listSize = r.U32("SignatureListSize"), headerSize = r.U32("SignatureHeaderSize"), size = r.U32("SignatureSize");
            if (listSize < 28 || listSize - 28 > (uint)r.Remaining || headerSize > listSize - 28 || size < 16 || (listSize - 28 - headerSize) % size != 0)
                throw new InvalidDataException($"EFI_SIGNATURE_LIST at data offset {at} has inconsistent sizes ({listSize}, {headerSize}, {size})");
            r.Bytes((int)headerSize, "SignatureHeader");
            int count = (int)((listSize - 28 - headerSize) / size);
            var signatures = new List<EfiSignature>(count);
            for (int i = 0; i < count; i++)
            {
                var owner = r.Guid("SignatureOwner");
                var data = r.Bytes((int)size - 16, "SignatureData");
                signatures.Add(new EfiSignature(owner, data, type == EfiGuids.CertX509 ? Subject(data) : null));
            }
            lists.Add(new EfiSignatureList(type, signatures));
        }
        return lists;
    }

    private static string? Subject(ReadOnlySpan<byte> der)
    {
        if (der.Length < 4 || der[0] != 0x30) return null;
        try
        {
#pragma warning disable SYSLIB0057 // net8.0 has no X509CertificateLoader
            using var certificate = new X509Certificate2(der.ToArray());
#pragma warning restore SYSLIB0057
            return certificate.GetNameInfo(X509NameType.SimpleName, false);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            return null;
        }
    }
}
