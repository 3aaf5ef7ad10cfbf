using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace TrustedCompute.PowerShell.Infrastructure;

/// <summary>
/// Lets users give PCR indexes as admins type them: ints and arrays (0..7), and strings such as "0-7,16"
/// (tpm2-tools style) or "0..7". Every index must be 0-23; reversed ranges, words and empty input are errors.
/// A single index stays a single int, so the attribute also serves parameters that take one PCR.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class PcrIndexTransformationAttribute : ArgumentTransformationAttribute
{
    public const int MaxPcr = 23;

    /// <summary>For parameters that take one PCR: a list is an error, not a failed type conversion.</summary>
    public bool Single { get; set; }

    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object? value = inputData is PSObject ps ? ps.BaseObject : inputData;
        if (value is null) return null!;
        var indexes = new List<int>();
        bool single = Collect(value, indexes);
        if (indexes.Count == 0) throw Error("no PCR index given");
        if (Single && indexes.Count > 1) throw Error($"this command takes one PCR, not {indexes.Count}");
        return single && indexes.Count == 1 ? indexes[0] : indexes.ToArray();
    }

    /// <summary>Adds the indexes <paramref name="value"/> names; true when it was one scalar.</summary>
    private static bool Collect(object value, List<int> into)
    {
        switch (value)
        {
            case string text:
                ParseText(text, into);
                return !text.Contains(',') && !text.Contains('-') && !text.Contains("..", StringComparison.Ordinal);
            case IEnumerable many:
                foreach (object? item in many)
                {
                    object? v = item is PSObject p ? p.BaseObject : item;
                    if (v is null or IEnumerable and not string) throw Error($"'{v}' is not a PCR index");
                    Collect(v, into);
                }
                return false;
            case byte or sbyte or short or ushort or int or uint or long or ulong:
                into.Add(Check(Convert.ToDecimal(value, CultureInfo.InvariantCulture), value));
                return true;
            case double or float or decimal:
                decimal d = Convert.ToDecimal(value, CultureInfo.InvariantCulture);
                if (decimal.Truncate(d) != d) throw Error($"{value} is not a whole number");
                into.Add(Check(d, value));
                return true;
            default:
                throw Error($"'{value}' ({value.GetType().Name}) is not a PCR index");
        }
    }

    private static void ParseText(string text, List<int> into)
    {
        if (text.Trim().Length == 0) throw Error("the PCR list is empty");
        foreach (string raw in text.Split(','))
        {
            string part = raw.Trim();
            if (part.Length == 0) throw Error($"'{text}' has an empty item");
            int dots = part.IndexOf("..", StringComparison.Ordinal);
            int dash = part.IndexOf('-');
            (int at, int width) = dots > 0 ? (dots, 2) : dash > 0 ? (dash, 1) : (-1, 0);
            if (at < 0)
            {
                into.Add(Number(part, text));
                continue;
            }
            int first = Number(part[..at], text), last = Number(part[(at + width)..], text);
            if (first > last) throw Error($"the range '{part}' runs backwards; write {last}-{first}");
            for (int i = first; i <= last; i++) into.Add(i);
        }
    }

    private static int Number(string digits, string text)
    {
        string t = digits.Trim();
        if (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            throw Error($"'{t}' in '{text}' is not a PCR index");
        return Check(n, t);
    }

    private static int Check(decimal n, object shown) =>
        n is >= 0 and <= MaxPcr ? (int)n : throw Error($"PCR {shown} does not exist");

    private static ArgumentTransformationMetadataException Error(string problem) =>
        new($"{char.ToUpperInvariant(problem[0])}{problem[1..]}. Give PCR indexes 0-{MaxPcr}: 7, 0,1,7, 0..7, " +
            "or strings such as '0-7,16' or '0..7'.");
}
