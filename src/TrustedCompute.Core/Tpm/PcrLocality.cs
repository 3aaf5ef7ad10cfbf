namespace TrustedCompute.Tpm;

/// <summary>
/// The localities that may extend each PCR on a PC Client TPM (TCG PC Client Platform TPM Profile, PCR attributes):
/// 0-15, 16 and 23 from any locality; 17-19 and 21-22 only from the dynamic (DRTM) localities.
/// </summary>
public static class PcrLocality
{
    public static IReadOnlyList<int> CanExtend(int pcr) => pcr switch
    {
        >= 0 and <= 16 or 23 => [0, 1, 2, 3, 4],
        17 or 18 => [2, 3, 4],
        19 => [2, 3],
        20 => [1, 2, 3],
        21 or 22 => [2],
        _ => throw new ArgumentOutOfRangeException(nameof(pcr), pcr, "PCRs are 0-23"),
    };
}
