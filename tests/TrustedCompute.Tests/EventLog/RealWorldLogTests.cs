using System.Buffers.Binary;
using System.Text;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.EventLog;

/// <summary>What real firmware, shim and Windows write: no-PCR tail events and the variables shim measures.</summary>
public class RealWorldLogTests
{
    private const uint NoPcr = 0xFFFFFFFF;

    /// <summary>One TCG_PCR_EVENT2 for the banks of <paramref name="log"/>: zero digests, or the hashes of the data.</summary>
    private static byte[] AgileEvent(TcgEventLog log, uint pcr, TcgEventType type, byte[] data)
    {
        var bytes = new List<byte>();
        void U32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); bytes.AddRange(b); }
        U32(pcr);
        U32((uint)type);
        U32((uint)log.SpecId!.Algorithms.Count);
        foreach (var a in log.SpecId.Algorithms)
        {
            bytes.AddRange([(byte)a.Algorithm, (byte)((ushort)a.Algorithm >> 8)]);
            bytes.AddRange(type == TcgEventType.EV_NO_ACTION ? new byte[a.DigestSize] : PcrBanks.Hash(a.Algorithm, data));
        }
        U32((uint)data.Length);
        bytes.AddRange(data);
        return [.. bytes];
    }

    private static byte[] WindowsTail => [.. "WBCL-tail-event\0"u8, 1, 2, 3, 4];

    [SkippableFact]
    public void A_log_ending_in_no_pcr_no_action_events_parses_shows_them_and_replays_to_the_oracle()
    {
        const string name = "tpm2-tools/event-gce-ubuntu-2104-log.bin";
        var real = File.ReadAllBytes(Oracle.LogPath(name));
        var original = TcgEventLog.Parse(real);
        byte[] bytes = [.. real, .. AgileEvent(original, NoPcr, TcgEventType.EV_NO_ACTION, WindowsTail),
            .. AgileEvent(original, NoPcr, TcgEventType.EV_NO_ACTION, [.. "second tail\0\0\0\0\0"u8, 9])];

        var log = TcgEventLog.Parse(bytes);

        Assert.Equal(original.Events.Count + 2, log.Events.Count);
        var tail = log.Events[^2];
        Assert.Equal(-1, tail.PcrIndex);
        Assert.False(tail.IsExtended);
        Assert.Equal("WBCL-tail-event", Assert.IsType<NoActionEventData>(tail.Decoded).Signature);
        Assert.Contains("no PCR", tail.ToString());
        Assert.Equal(Oracle.ReplayPy(name)!.Value.Pcrs.OrderBy(kv => kv.Key), Oracle.Touched(log.Replay()).OrderBy(kv => kv.Key));
        Assert.All(log.Replay().Pcrs, p => Assert.InRange(p.Index, 0, 23));
    }

    [SkippableTheory]
    [InlineData(NoPcr, TcgEventType.EV_SEPARATOR)]
    [InlineData(NoPcr, TcgEventType.EV_EFI_ACTION)]
    [InlineData(24u, TcgEventType.EV_SEPARATOR)]
    [InlineData(0xFFFFFFFEu, TcgEventType.EV_NO_ACTION)]
    [InlineData(24u, TcgEventType.EV_NO_ACTION)]
    [InlineData(0x80000000u, TcgEventType.EV_EFI_ACTION)]
    public void Any_other_pcr_index_above_23_stays_a_format_error(uint pcr, TcgEventType type)
    {
        var real = File.ReadAllBytes(Oracle.LogPath("tpm2-tools/event-gce-ubuntu-2104-log.bin"));
        var original = TcgEventLog.Parse(real);
        byte[] bytes = [.. real, .. AgileEvent(original, pcr, type, [0, 0, 0, 0])];
        var ex = Assert.Throws<EventLogFormatException>(() => TcgEventLog.Parse(bytes));
        Assert.Equal(("pcrIndex", (long)real.Length, original.Events.Count), (ex.Field, ex.Offset, ex.EventIndex));
    }

    [Fact]
    public void A_legacy_sha1_log_may_end_in_a_no_pcr_no_action_event_too_but_not_in_a_no_pcr_extend()
    {
        static byte[] Legacy(uint pcr, TcgEventType type, byte[] data)
        {
            var b = new byte[32 + data.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(b, pcr);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)type);
            if (type != TcgEventType.EV_NO_ACTION) PcrBanks.Hash(TpmAlgId.Sha1, data).CopyTo(b, 8);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(28), (uint)data.Length);
            data.CopyTo(b, 32);
            return b;
        }
        byte[] head = [.. Legacy(0, TcgEventType.EV_S_CRTM_VERSION, "1.0\0"u8.ToArray()), .. Legacy(4, TcgEventType.EV_SEPARATOR, new byte[4])];
        var log = TcgEventLog.Parse([.. head, .. Legacy(NoPcr, TcgEventType.EV_NO_ACTION, WindowsTail)]);
        Assert.Equal([0, 4, -1], log.Events.Select(e => e.PcrIndex));
        Assert.Equal(2, log.Replay().Pcrs.Count);
        Assert.Throws<EventLogFormatException>(() => TcgEventLog.Parse([.. head, .. Legacy(NoPcr, TcgEventType.EV_SEPARATOR, new byte[4])]));
    }

    private static byte[] Variable(Guid guid, string name, byte[] value)
    {
        var b = new byte[32];
        guid.TryWriteBytes(b);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16), (ulong)name.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(24), (ulong)value.Length);
        return [.. b, .. Encoding.Unicode.GetBytes(name), .. value];
    }

    private static EfiVariableEventData DecodeVariable(TcgEventType type, Guid guid, string name, byte[] value) =>
        Assert.IsType<EfiVariableEventData>(TcgEventLog.Parse(new SyntheticLog().Add(7, type, Variable(guid, name, value)).ToArray())
            .Events[1].Decoded);

    [Theory]
    [InlineData(new byte[] { 1 }, true, "Enabled")]
    [InlineData(new byte[] { 0 }, false, "Disabled")]
    [InlineData(new byte[0], false, "(empty: not enabled)")]
    [InlineData(new byte[] { 2 }, null, "malformed")]
    [InlineData(new byte[] { 1, 0 }, null, "malformed")]
    [InlineData(new byte[] { 0xFF }, null, "malformed")]
    public void Secure_boot_is_enabled_only_for_the_one_byte_value_1_and_empty_is_not_enabled(byte[] value, bool? enabled, string text)
    {
        var v = DecodeVariable(TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG, EfiGuids.GlobalVariable, "SecureBoot", value);
        Assert.Equal(enabled, v.Enabled);
        Assert.StartsWith(text, v.Value);
    }

    [SkippableFact]
    public void Sbat_level_and_mok_list_trusted_authority_variables_of_shim_decode_their_values()
    {
        var log = Oracle.Load("tpm2-tools/event-moklisttrusted.bin");
        var sbat = Assert.IsType<EfiVariableEventData>(log.Events[28].Decoded);
        Assert.Equal(("SbatLevel", "sbat,1,2021030218"), (sbat.VariableName, sbat.Value));
        var trusted = Assert.IsType<EfiVariableEventData>(log.Events[29].Decoded);
        Assert.Equal(("MokListTrusted", true, "Enabled"), (trusted.VariableName, trusted.Enabled, trusted.Value));
        Assert.Equal(TcgEventType.EV_EFI_VARIABLE_AUTHORITY, log.Events[29].EventType);

        var gce = Oracle.Load("tpm2-tools/event-gce-ubuntu-2104-log.bin").Events.Select(e => e.Decoded).OfType<EfiVariableEventData>();
        Assert.Equal("sbat,1,2021030218", gce.Single(v => v.VariableName == "SbatLevel").Value);
    }

    [Fact]
    public void Sbat_level_as_driver_config_is_text_and_a_binary_one_says_so()
    {
        var text = DecodeVariable(TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG, EfiGuids.ShimLock, "SbatLevel", "sbat,1,2022052400\ngrub,2\n"u8.ToArray());
        Assert.Equal("sbat,1,2022052400; grub,2", text.Value);
        var binary = DecodeVariable(TcgEventType.EV_EFI_VARIABLE_AUTHORITY, EfiGuids.ShimLock, "SbatLevel", [0x30, 0x82, 1, 0, 0xFE]);
        Assert.Equal("5 bytes, not text", binary.Value);
    }

    [SkippableFact]
    public void Mok_list_trusted_in_pcr_14_decodes_its_value_from_the_digest()
    {
        var log = Oracle.Load("tpm2-tools/event-moklisttrusted.bin");
        var e = log.Events[30];
        var shim = Assert.IsType<ShimVariableEventData>(e.Decoded);
        Assert.Equal(("MokListTrusted", true), (shim.VariableName, shim.Enabled));
        Assert.Equal(new byte[] { 1 }, shim.Value);
        Assert.Equal(DigestCheckStatus.Verified, e.DigestCheck);
        Assert.Equal("MokListTrusted: Enabled", e.Summary);
    }

    [Theory]
    [InlineData(new byte[] { 1 }, true)]
    [InlineData(new byte[] { 0 }, false)]
    [InlineData(new byte[] { 2 }, null)]
    public void Mok_list_trusted_in_pcr_14_is_known_only_when_every_bank_digest_agrees(byte[] value, bool? enabled)
    {
        var name = "MokListTrusted\0"u8.ToArray();
        var log = TcgEventLog.Parse(new SyntheticLog()
            .Add(14, TcgEventType.EV_IPL, name, b => PcrBanks.Hash(b, value))
            .Add(14, TcgEventType.EV_IPL, name, b => PcrBanks.Hash(b, b == TpmAlgId.Sha1 ? [1] : [0])).ToArray());
        var shim = Assert.IsType<ShimVariableEventData>(log.Events[1].Decoded);
        Assert.Equal(enabled, shim.Enabled);
        Assert.Equal(enabled is null ? DigestCheckStatus.NotChecked : DigestCheckStatus.Verified, log.Events[1].DigestCheck);
        var mixed = Assert.IsType<ShimVariableEventData>(log.Events[2].Decoded);
        Assert.Null(mixed.Enabled);
        Assert.Null(mixed.Value);
        Assert.NotEqual(DigestCheckStatus.Verified, log.Events[2].DigestCheck);
    }

    [SkippableFact]
    public void Image_load_event_with_device_path_length_0_and_extra_bytes_decodes_and_shows_their_length()
    {
        var log = Oracle.Load("tpm2-tools/event-bootorder.bin");
        var image = Assert.IsType<EfiImageLoadEventData>(log.Events[26].Decoded);
        Assert.Empty(image.DevicePathBytes);
        Assert.Equal(Convert.FromHexString("0090150000a01500af"), image.ExtraBytes);
        Assert.Contains("9 extra byte(s)", image.ToString());
    }

    [Fact]
    public void Image_load_event_extra_bytes_after_a_device_path_are_shown_and_a_short_one_stays_raw()
    {
        byte[] end = [0x7F, 0xFF, 4, 0];
        byte[] head = new byte[24];
        BinaryPrimitives.WriteUInt64LittleEndian(head.AsSpan(8), 4096);
        byte[] data = [.. head, .. BitConverter.GetBytes((ulong)end.Length), .. end, 0xAA, 0xBB];
        var log = TcgEventLog.Parse(new SyntheticLog().Add(2, TcgEventType.EV_EFI_BOOT_SERVICES_DRIVER, data)
            .Add(2, TcgEventType.EV_EFI_BOOT_SERVICES_DRIVER, data[..35]).ToArray());
        var image = Assert.IsType<EfiImageLoadEventData>(log.Events[1].Decoded);
        Assert.Equal((4096UL, 4, 2), (image.ImageLengthInMemory, image.DevicePathBytes.Length, image.ExtraBytes.Length));
        Assert.Contains("DevicePath", Assert.IsType<RawEventData>(log.Events[2].Decoded).DecodeError);
    }

    [Fact]
    public void S_crtm_contents_is_text_or_a_firmware_blob()
    {
        byte[] blob = [.. BitConverter.GetBytes(0xFFFF0000UL), .. BitConverter.GetBytes(0x10000UL)];
        var log = TcgEventLog.Parse(new SyntheticLog()
            .Add(0, TcgEventType.EV_S_CRTM_CONTENTS, "FV_MAIN boot block\0"u8.ToArray())
            .Add(0, TcgEventType.EV_S_CRTM_CONTENTS, Encoding.Unicode.GetBytes("CRTM\0"))
            .Add(0, TcgEventType.EV_S_CRTM_CONTENTS, blob).ToArray());
        Assert.Equal("FV_MAIN boot block", Assert.IsType<StringEventData>(log.Events[1].Decoded).Text);
        Assert.Equal("CRTM", Assert.IsType<StringEventData>(log.Events[2].Decoded).Text);
        var b = Assert.IsType<FirmwareBlobEventData>(log.Events[3].Decoded);
        Assert.Equal((0xFFFF0000UL, 0x10000UL), (b.BlobBase, b.BlobLength));
        Assert.Equal(DigestCheckStatus.NotChecked, log.Events[1].DigestCheck);
    }

    [Fact]
    public void Each_bank_of_a_grub_event_must_cover_one_of_its_forms_whatever_the_other_banks_matched()
    {
        byte[] data = "grub_cmd: linux /vmlinuz root=/dev/sda1\0"u8.ToArray();
        byte[] rest = data[10..^1], withNul = data[10..];
        var log = TcgEventLog.Parse(new SyntheticLog(TpmAlgId.Sha1, TpmAlgId.Sha256, TpmAlgId.Sha384)
            .Add(8, TcgEventType.EV_IPL, data, b => PcrBanks.Hash(b, b == TpmAlgId.Sha256 ? withNul : rest))
            .Add(8, TcgEventType.EV_IPL, data, b => PcrBanks.Hash(b, b == TpmAlgId.Sha256 ? data : rest))
            .Add(8, TcgEventType.EV_IPL, data, b => PcrBanks.Hash(b, b == TpmAlgId.Sha384 ? [.. rest, 1] : rest)).ToArray());
        Assert.Equal(DigestCheckStatus.Verified, log.Events[1].DigestCheck);
        Assert.Equal(DigestCheckStatus.Verified, log.Events[2].DigestCheck);
        Assert.Equal(DigestCheckStatus.Mismatch, log.Events[3].DigestCheck);
        Assert.Equal([TpmAlgId.Sha384], log.Events[3].MismatchedBanks);
    }
}
