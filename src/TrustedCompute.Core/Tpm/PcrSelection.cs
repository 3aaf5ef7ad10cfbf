namespace TrustedCompute.Tpm;

/// <summary>One bank and the PCR indexes selected in it (TPMS_PCR_SELECTION).</summary>
public sealed record PcrSelection(TpmAlgId Bank, IReadOnlyList<int> Indexes)
{
    public const int MaxPcrs = 32;
    public const int MaxBanks = 16;

    public static PcrSelection Create(TpmAlgId bank, IEnumerable<int> indexes)
    {
        var sorted = indexes.Distinct().OrderBy(i => i).ToArray();
        if (sorted.Any(i => i is < 0 or >= MaxPcrs)) throw new ArgumentOutOfRangeException(nameof(indexes), "PCR indexes are 0 to 31");
        return new PcrSelection(bank, sorted);
    }

    public static void WriteList(TpmWriter w, IReadOnlyList<PcrSelection> selections, int sizeOfSelect = 3)
    {
        w.UInt32((uint)selections.Count);
        foreach (var s in selections)
        {
            int size = Math.Max(sizeOfSelect, s.Indexes.Count == 0 ? 0 : s.Indexes.Max() / 8 + 1);
            var bitmap = new byte[size];
            foreach (int i in s.Indexes) bitmap[i / 8] |= (byte)(1 << (i % 8));
            w.Alg(s.Bank).Byte((byte)size).Bytes(bitmap);
        }
    }

    public static IReadOnlyList<PcrSelection> ReadList(TpmReader r)
    {
        int count = r.ReadCount("TPML_PCR_SELECTION.count", MaxBanks);
        var list = new List<PcrSelection>(count);
        for (int n = 0; n < count; n++)
        {
            var bank = r.ReadAlg("TPMS_PCR_SELECTION.hash");
            int size = r.ReadByte("TPMS_PCR_SELECTION.sizeofSelect");
            if (size > MaxPcrs / 8) throw new TpmProtocolException($"TPMS_PCR_SELECTION.sizeofSelect {size} exceeds {MaxPcrs / 8}");
            var bitmap = r.ReadBytes(size, "TPMS_PCR_SELECTION.pcrSelect");
            var indexes = new List<int>();
            for (int i = 0; i < size * 8; i++) if ((bitmap[i / 8] & (1 << (i % 8))) != 0) indexes.Add(i);
            list.Add(new PcrSelection(bank, indexes));
        }
        return list;
    }

    public override string ToString() => $"{TpmHash.BankName(Bank)}:{string.Join(',', Indexes)}";
}
