namespace TrustedCompute.Txt;

/// <summary>How a policy goes into the TPM: the NV index, its attributes and size, and the bytes to write.</summary>
public sealed record LcpNvDefinition(uint Index, uint Attributes, ushort Size, byte[] Data)
{
    /// <summary>The PO index (0x01C10106, or the legacy 0x01400001) for <paramref name="policy"/>.</summary>
    public static LcpNvDefinition ForPlatformOwner(LcpPolicy policy, bool legacyIndex = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var bytes = policy.ToBytes();
        return new LcpNvDefinition(legacyIndex ? LcpNvIndex.LegacyPlatformOwner : LcpNvIndex.PlatformOwner,
            LcpNvIndex.PlatformOwnerAttributes, (ushort)bytes.Length, bytes);
    }
}
