using System.Globalization;
using System.Management.Automation;

namespace TrustedCompute.PowerShell.Infrastructure;

/// <summary>
/// Lets users type TPM handles as PowerShell reads them: 0x81010002 is a negative Int32 in PowerShell, so it is
/// reinterpreted as the uint it spells; "0x81010002" and "81010002h" strings work too.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TpmHandleTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject ps ? ps.BaseObject : inputData;
        return value switch
        {
            object[] many => many.Select(v => Transform(engineIntrinsics, v)).ToArray(),
            int i => unchecked((uint)i),
            long l when l is >= int.MinValue and <= uint.MaxValue => unchecked((uint)l),
            string s => ParseHandle(s),
            _ => value,
        };
    }

    private static object ParseHandle(string text)
    {
        string t = text.Trim();
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) t = t[2..];
        else if (t.EndsWith('h') || t.EndsWith('H')) t = t[..^1];
        else if (uint.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out uint dec)) return dec;
        return uint.TryParse(t, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint hex) ? hex
            : throw new ArgumentTransformationMetadataException($"'{text}' is not a TPM handle such as 0x81010002");
    }
}
