using System.Buffers.Binary;

namespace TrustedCompute.Txt;

/// <summary>PCONF digests from PCR values, as SINIT compares them.</summary>
public static class LcpPcr
{
    /// <summary>
    /// PCONF2 digest: H(values of every selected PCR, concatenated in index order) - the pcrDigest a
    /// TPM2_Quote over the same selection carries. (tboot 1.10.5 drops PCR7 here; this does not.)
    /// </summary>
    public static byte[] Pconf2Digest(LcpHashAlgorithm algorithm, IReadOnlyDictionary<int, byte[]> values)
    {
        int size = LcpHash.DigestSize(algorithm);
        var concatenated = new List<byte>();
        foreach (var (index, value) in values.OrderBy(kv => kv.Key))
        {
            if (value.Length != size) throw new ArgumentException($"PCR {index}: a {algorithm} value has {size} bytes, not {value.Length}.");
            concatenated.AddRange(value);
        }
        return LcpHash.Compute(algorithm, concatenated.ToArray());
    }

    /// <summary>
    /// Legacy (TPM 1.2) digestAtRelease: SHA-1 of TPM_PCR_COMPOSITE = sizeOfSelect | select | valueSize | values
    /// (big-endian). tboot 1.10.5 writes valueSize 0; this writes the real size.
    /// </summary>
    public static byte[] LegacyCompositeDigest(IReadOnlyDictionary<int, byte[]> values, byte[] select)
    {
        var w = new LcpWriter();
        w.U16BE((ushort)select.Length);
        w.Bytes(select);
        var ordered = values.OrderBy(kv => kv.Key).ToList();
        foreach (var (index, value) in ordered)
        {
            if (value.Length != 20) throw new ArgumentException($"PCR {index}: a SHA-1 value has 20 bytes, not {value.Length}.");
        }
        w.U32BE((uint)(20 * ordered.Count));
        foreach (var kv in ordered) w.Bytes(kv.Value);
        return LcpHash.Compute(LcpHashAlgorithm.Sha1, w.ToArray());
    }

    /// <summary>A PCONF2 PCR info for the given PCR values (every key is selected).</summary>
    public static LcpPcrInfo CreatePcrInfo(LcpHashAlgorithm algorithm, IReadOnlyDictionary<int, byte[]> values) => new()
    {
        Bank = algorithm,
        Select = LcpPcrInfo.SelectFor(values.Keys),
        Digest = Pconf2Digest(algorithm, values),
    };

    /// <summary>A legacy PCONF PCR info (TPM_PCR_INFO_SHORT); select is one byte while PCRs stay below 8, as tboot writes it.</summary>
    public static LcpPcrInfo CreateLegacyPcrInfo(IReadOnlyDictionary<int, byte[]> values, byte locality = 0x1F)
    {
        var select = LcpPcrInfo.SelectFor(values.Keys, values.Keys.All(k => k < 8) ? 1 : 3);
        return new LcpPcrInfo { Bank = LcpHashAlgorithm.Sha1, Select = select, Locality = locality, Digest = LegacyCompositeDigest(values, select) };
    }
}

/// <summary>The MLE hash SINIT measures for a tboot-style (ELF32, gzip allowed) kernel image, as lcp2_mlehash computes it.</summary>
public static class MleHash
{
    public const string MleHeaderUuid = "9082ac5a-476f-74a7-5c0f-55a2cb51b642";
    private const int MaxImageSize = 256 << 20;

    public static byte[] Compute(byte[] image, string? commandLine, LcpHashAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(image);
        var elf = image.Length >= 2 && image[0] == 0x1F && image[1] == 0x8B ? Gunzip(image) : image;
        var expanded = Expand(elf);
        var r = new LcpReader(expanded, "Mle");
        int header = FindHeader(expanded);
        uint start = BinaryPrimitives.ReadUInt32LittleEndian(expanded.AsSpan(header + 32));
        uint end = BinaryPrimitives.ReadUInt32LittleEndian(expanded.AsSpan(header + 36));
        uint cmdStart = BinaryPrimitives.ReadUInt32LittleEndian(expanded.AsSpan(header + 44));
        uint cmdEnd = BinaryPrimitives.ReadUInt32LittleEndian(expanded.AsSpan(header + 48));
        r.Expect(start <= end && end <= expanded.Length, "MleHeader.MleEndOff", $"MLE range {start}..{end} is outside the {expanded.Length}-byte image");
        if (commandLine is not null && cmdEnd > cmdStart)
        {
            r.Expect(cmdEnd <= expanded.Length, "MleHeader.CmdlineEndOff", "is past the end of the image");
            var text = System.Text.Encoding.UTF8.GetBytes(commandLine);
            if (text.Length + 1 > cmdEnd - cmdStart) throw new ArgumentException($"The command line has {text.Length} bytes; the MLE reserves {cmdEnd - cmdStart - 1}.");
            Array.Clear(expanded, (int)cmdStart, (int)(cmdEnd - cmdStart));
            text.CopyTo(expanded, (int)cmdStart);
        }
        return LcpHash.Compute(algorithm, expanded.AsSpan((int)start, (int)(end - start)));
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new System.IO.Compression.GZipStream(new MemoryStream(data), System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        try
        {
            while ((n = input.Read(buffer)) > 0)
            {
                if (output.Length + n > MaxImageSize) throw new LcpFormatException("Mle", "the decompressed image is larger than 256 MiB");
                output.Write(buffer, 0, n);
            }
        }
        catch (InvalidDataException e)
        {
            throw new LcpFormatException("Mle", "the gzip stream is corrupt: " + e.Message);
        }
        return output.ToArray();
    }

    /// <summary>Loads the PT_LOAD segments back to back (as lcp2_mlehash does) into a buffer as large as the highest load address.</summary>
    private static byte[] Expand(byte[] elf)
    {
        var r = new LcpReader(elf, "Elf");
        var ident = r.Span(16, "Ident");
        r.Expect(ident[0] == 0x7F && ident[1] == (byte)'E' && ident[2] == (byte)'L' && ident[3] == (byte)'F', "Ident", "not an ELF image");
        r.Expect(ident[5] == 1, "Ident.Data", "not little-endian");
        r.Expect(r.U16("Type") == 2, "Type", "not an executable (ET_EXEC)");
        r.Expect(r.U16("Machine") == 3, "Machine", "not an IA-32 image (EM_386)");
        r.Expect(r.U32("Version") == 1, "Version", "not EV_CURRENT");
        r.U32("Entry");
        uint phoff = r.U32("PhOff");
        r.U32("ShOff");
        r.U32("Flags");
        r.U16("EhSize");
        int phentsize = r.U16("PhEntSize");
        int phnum = r.U16("PhNum");
        r.Expect(phentsize >= 32, "PhEntSize", $"{phentsize} is smaller than an ELF32 program header");
        r.Expect(phoff + (long)phentsize * phnum <= elf.Length, "PhOff", "program headers run past the end of the file");

        var segments = new List<(uint Offset, uint FileSize, uint MemSize)>();
        long top = 0;
        for (int i = 0; i < phnum; i++)
        {
            int at = (int)(phoff + i * phentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(at)) != 1) continue;
            uint offset = BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(at + 4));
            uint paddr = BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(at + 12));
            uint filesz = BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(at + 16));
            uint memsz = BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(at + 20));
            r.Expect((long)offset + filesz <= elf.Length && filesz <= memsz, $"ProgramHeader[{i}]", "segment lies outside the file");
            top = Math.Max(top, (long)paddr + memsz);
            segments.Add((offset, filesz, memsz));
        }
        r.Expect(top is > 0 and <= MaxImageSize, "ProgramHeaders", $"load range of {top} bytes is empty or larger than 256 MiB");
        var expanded = new byte[top];
        long position = 0;
        foreach (var (offset, filesz, memsz) in segments)
        {
            r.Expect(position + memsz <= top, "ProgramHeaders", "segments do not fit in the load range");
            Array.Copy(elf, offset, expanded, position, filesz);
            position += memsz;
        }
        return expanded;
    }

    private static int FindHeader(byte[] expanded)
    {
        var uuid = LcpUuid.ToBytes(MleHeaderUuid);
        for (int at = 0; at + 52 <= expanded.Length; at += 16)
        {
            if (expanded.AsSpan(at, 16).SequenceEqual(uuid)) return at;
        }
        throw new LcpFormatException("Mle.MleHeader", "no MLE header (UUID " + MleHeaderUuid + ") in the image");
    }
}
