using TrustedCompute.Tpm;

namespace TrustedCompute.Txt;

/// <summary>What <see cref="LcpNvStore.Write"/> did.</summary>
public sealed record LcpNvWriteResult(uint Index, bool Defined, uint Attributes, ushort Size);

/// <summary>Reads and writes launch control policies in a TPM's NV indexes.</summary>
public static class LcpNvStore
{
    /// <summary>Reads the policy in <paramref name="index"/> (with the index's own empty auth, as SINIT's AuthRead allows).</summary>
    public static LaunchControlPolicy Read(TpmClient tpm, uint index, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tpm);
        var pub = ReadPublic(tpm, index, ct) ?? throw new KeyNotFoundException($"NV index 0x{index:X8} is not defined.");
        if ((pub.Attributes & TpmNvAttributes.Written) == 0) throw new InvalidOperationException($"NV index 0x{index:X8} is defined but has never been written.");
        var bytes = tpm.NvRead(index, 0, pub.DataSize, index, TpmAuth.Empty, ct);
        return new LaunchControlPolicy(LcpPolicy.ParseNv(bytes), null) { Path = $"nv:0x{index:X8}" };
    }

    /// <summary>
    /// Writes <paramref name="nv"/>: defines the index (owner hierarchy, no auth value, no policy) when it is missing,
    /// then writes the policy, zero-filling a larger index. An index smaller than the policy is refused unless
    /// <paramref name="redefine"/>, which undefines and defines it again.
    /// </summary>
    public static LcpNvWriteResult Write(TpmClient tpm, LcpNvDefinition nv, byte[] ownerAuth, bool redefine = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tpm);
        ArgumentNullException.ThrowIfNull(nv);
        var auth = TpmAuth.Password(ownerAuth);
        var existing = ReadPublic(tpm, nv.Index, ct);
        if (existing is not null && existing.DataSize < nv.Size)
        {
            if (!redefine) throw new InvalidOperationException($"NV index 0x{nv.Index:X8} holds {existing.DataSize} bytes; the policy needs {nv.Size}. Undefine it first (or redefine).");
            tpm.NvUndefineSpace(nv.Index, TpmHandles.Owner, auth, ct);
            existing = null;
        }
        bool defined = existing is null;
        if (defined) Define(tpm, nv, ownerAuth, ct);
        int size = existing?.DataSize ?? nv.Size;
        var data = new byte[size];
        nv.Data.CopyTo(data, 0);
        tpm.NvWrite(nv.Index, 0, data, TpmHandles.Owner, auth, ct);
        var after = ReadPublic(tpm, nv.Index, ct)!;
        return new LcpNvWriteResult(nv.Index, defined, (uint)after.Attributes, after.DataSize);
    }

    /// <summary>Defines the index in the owner hierarchy: the definition's attributes and size, no auth value, no policy.</summary>
    public static void Define(TpmClient tpm, LcpNvDefinition nv, byte[] ownerAuth, CancellationToken ct = default) =>
        tpm.NvDefineSpace(new TpmNvPublic(nv.Index, TpmAlgId.Sha256, (TpmNvAttributes)nv.Attributes, [], nv.Size), [], TpmHandles.Owner, TpmAuth.Password(ownerAuth), ct);

    private static TpmNvPublic? ReadPublic(TpmClient tpm, uint index, CancellationToken ct)
    {
        try
        {
            return tpm.NvReadPublic(index, ct).Public;
        }
        catch (TpmException e) when (TpmResponseCode.BaseCode(e.ResponseCode) == 0x8B)
        {
            return null;
        }
    }
}
