using System.Formats.Asn1;

namespace TrustedCompute.Enrollment;

/// <summary>
/// The EK certificate's SubjectAltName: a directoryName with the TCG attributes TPM manufacturer (2.23.133.2.1),
/// model (2.23.133.2.2) and version (2.23.133.2.3). Read with BER rules: some vendors encode the SET out of order.
/// </summary>
internal static class EkSubjectAltName
{
    public const string Oid = "2.5.29.17";
    private const string ManufacturerOid = "2.23.133.2.1";
    private const string ModelOid = "2.23.133.2.2";
    private const string VersionOid = "2.23.133.2.3";
    private static readonly Asn1Tag DirectoryName = new(TagClass.ContextSpecific, 4, isConstructed: true);

    /// <summary>The TPM attributes; null when the names hold none of them. Malformed or repeated: an exception.</summary>
    public static TpmDeviceInfo? Decode(byte[] extensionValue)
    {
        var found = new Dictionary<string, string>();
        try
        {
            var reader = new AsnReader(extensionValue, AsnEncodingRules.BER);
            var names = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            while (names.HasData)
            {
                if (names.PeekTag() != DirectoryName)
                {
                    names.ReadEncodedValue();
                    continue;
                }
                var name = names.ReadSequence(DirectoryName);
                ReadName(name.ReadSequence(), found);
                name.ThrowIfNotEmpty();
            }
        }
        catch (AsnContentException e)
        {
            throw new InvalidDataException($"cannot be decoded: {e.Message}", e);
        }
        if (found.Count == 0) return null;
        foreach (string oid in new[] { ManufacturerOid, ModelOid, VersionOid })
        {
            if (!found.ContainsKey(oid)) throw new InvalidDataException($"has TPM attributes but lacks {oid}");
        }
        return new TpmDeviceInfo(found[ManufacturerOid], found[ModelOid], found[VersionOid]);
    }

    private static void ReadName(AsnReader rdnSequence, Dictionary<string, string> found)
    {
        while (rdnSequence.HasData)
        {
            var rdn = rdnSequence.ReadSetOf(skipSortOrderValidation: true);
            while (rdn.HasData)
            {
                var attribute = rdn.ReadSequence();
                string oid = attribute.ReadObjectIdentifier();
                if (oid is ManufacturerOid or ModelOid or VersionOid)
                {
                    string value = ReadText(attribute, oid);
                    if (!found.TryAdd(oid, value)) throw new InvalidDataException($"repeats {oid}");
                }
                else
                {
                    attribute.ReadEncodedValue();
                }
                attribute.ThrowIfNotEmpty();
            }
        }
    }

    private static string ReadText(AsnReader attribute, string oid)
    {
        var tag = attribute.PeekTag();
        if (tag.TagClass != TagClass.Universal)
            throw new InvalidDataException($"{oid} is not a string");
        var type = (UniversalTagNumber)tag.TagValue;
        if (type is not (UniversalTagNumber.UTF8String or UniversalTagNumber.PrintableString
            or UniversalTagNumber.IA5String))
            throw new InvalidDataException($"{oid} is a {type}, not a UTF8/Printable/IA5 string");
        string text = attribute.ReadCharacterString(type);
        if (text.Length == 0 || text.Length > 256 || text.Any(char.IsControl))
            throw new InvalidDataException($"{oid} is empty, too long or has control characters");
        return text;
    }
}
