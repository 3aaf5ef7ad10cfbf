namespace TrustedCompute.Tpm;

/// <summary>PCR values from Linux sysfs (/sys/class/tpm/tpm0/pcr-&lt;bank&gt;/&lt;n&gt;): readable without TPM device rights.</summary>
public static class SysfsPcrReader
{
    public const string Root = "/sys/class/tpm/tpm0";

    public static bool IsAvailable => OperatingSystem.IsLinux() && Directory.EnumerateDirectories(Root, "pcr-*").Any();

    public static IReadOnlyList<TpmPcrValue> Read(IEnumerable<TpmAlgId>? banks, IEnumerable<int>? indexes, string root = Root)
    {
        var bankList = banks?.ToList() is { Count: > 0 } b ? b
            : Directory.EnumerateDirectories(root, "pcr-*").Select(d => TpmHash.ParseBank(Path.GetFileName(d)[4..])).ToList();
        var indexList = indexes?.ToList() is { Count: > 0 } i ? i : Enumerable.Range(0, 24).ToList();
        var values = new List<TpmPcrValue>();
        foreach (var bank in bankList)
        {
            foreach (int index in indexList)
            {
                string path = Path.Combine(root, "pcr-" + TpmHash.BankName(bank), index.ToString());
                if (!File.Exists(path)) continue;
                string text = File.ReadAllText(path).Trim();
                byte[] value = Convert.FromHexString(text);
                if (value.Length != TpmHash.DigestSize(bank)) throw new InvalidDataException($"{path} holds {value.Length} bytes, not a {TpmHash.BankName(bank)} digest");
                values.Add(new TpmPcrValue(index, TpmHash.BankName(bank), value));
            }
        }
        return values;
    }
}
