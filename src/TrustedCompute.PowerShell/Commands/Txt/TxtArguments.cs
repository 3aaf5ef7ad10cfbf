using System.Collections;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using TrustedCompute.Txt;

namespace TrustedCompute.PowerShell.Commands.Txt;

/// <summary>Turns PowerShell input (hex strings, byte arrays, PCR objects, hashtables) into LCP values.</summary>
internal static class TxtArguments
{
    public static byte[] Bytes(object? value, string what)
    {
        value = value is PSObject ps ? ps.BaseObject : value;
        return value switch
        {
            byte[] bytes => bytes,
            string text => LcpHash.ParseHex(text),
            object[] items when items.All(i => (i is PSObject p ? p.BaseObject : i) is byte) => items.Select(i => (byte)(i is PSObject p ? p.BaseObject : i)).ToArray(),
            _ => throw new ArgumentException($"{what}: expected a hex string or a byte array, not {value?.GetType().Name ?? "null"}."),
        };
    }

    public static LcpHashAlgorithm Hash(string name) => Enum.Parse<LcpHashAlgorithm>(name, true);

    public static LcpHashAlgorithm? Algorithm(object? value)
    {
        value = value is PSObject ps ? ps.BaseObject : value;
        if (value is null) return null;
        if (value is LcpHashAlgorithm alg) return alg;
        string name = value.ToString()!.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        if (name.Equals("sm3256", StringComparison.OrdinalIgnoreCase) || name.Equals("sm3", StringComparison.OrdinalIgnoreCase)) return LcpHashAlgorithm.Sm3_256;
        return Enum.TryParse<LcpHashAlgorithm>(name, true, out var parsed) ? parsed : null;
    }

    /// <summary>PCR values from a hashtable (index → hex or bytes).</summary>
    public static void AddPcrValues(IDictionary? table, IDictionary<int, byte[]> into)
    {
        if (table is null) return;
        foreach (DictionaryEntry entry in table)
        {
            var key = entry.Key is PSObject pk ? pk.BaseObject : entry.Key;
            int index = Convert.ToInt32(key, System.Globalization.CultureInfo.InvariantCulture);
            into[index] = Bytes(entry.Value, $"PCR {index}");
        }
    }

    /// <summary>Reads Index/Value/Algorithm (or Pcr/Digest/Bank) from a PCR object such as Get-TpmPcr writes.</summary>
    public static bool TryPcr(PSObject item, out int index, out byte[] value, out LcpHashAlgorithm? bank)
    {
        index = -1;
        value = [];
        bank = null;
        var indexProperty = Property(item, "Index", "Pcr", "PcrIndex");
        var valueProperty = Property(item, "Value", "Digest");
        if (indexProperty is null || valueProperty is null) return false;
        index = Convert.ToInt32(indexProperty, System.Globalization.CultureInfo.InvariantCulture);
        value = Bytes(valueProperty, $"PCR {index}");
        bank = Algorithm(Property(item, "Algorithm", "Bank", "HashAlgorithm"));
        return true;
    }

    private static object? Property(PSObject item, params string[] names) =>
        names.Select(n => item.Properties[n]?.Value is PSObject p ? p.BaseObject : item.Properties[n]?.Value).FirstOrDefault(v => v is not null);

    /// <summary>Runs <paramref name="use"/> with the password's characters, wiped afterwards.</summary>
    public static T WithPassword<T>(SecureString? password, Func<char[], T> use)
    {
        if (password is null) return use([]);
        IntPtr raw = Marshal.SecureStringToGlobalAllocUnicode(password);
        var chars = new char[password.Length];
        try
        {
            Marshal.Copy(raw, chars, 0, chars.Length);
            return use(chars);
        }
        finally
        {
            Array.Clear(chars);
            Marshal.ZeroFreeGlobalAllocUnicode(raw);
        }
    }
}
