using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using TrustedCompute.EventLog;
using Xunit;

namespace TrustedCompute.Tests.EventLog;

/// <summary>Typed event data, checked field by field against tpm2_eventlog's decoding of the same logs.</summary>
public class EventDataTests
{
    public static IEnumerable<object[]> AgileLogs => Oracle.AllLogs.Where(o => !((string)o[0]).Contains("sha1") && !((string)o[0]).Contains("specid"));

    /// <summary>tpm2_eventlog's "key: value" lines of each event, by EventNum.</summary>
    private static Dictionary<int, Dictionary<string, List<string>>> YamlEvents(string name)
    {
        var events = new Dictionary<int, Dictionary<string, List<string>>>();
        Dictionary<string, List<string>>? current = null;
        foreach (var line in File.ReadLines(Oracle.LogPath(name) + ".tpm2_eventlog-5.4.yaml"))
        {
            var num = Regex.Match(line, @"^- EventNum: (\d+)");
            if (num.Success) { events[int.Parse(num.Groups[1].Value)] = current = []; continue; }
            var kv = Regex.Match(line, @"^\s+-?\s*(\w+): ""?'?([^""']*)""?'?\s*$");
            if (current is not null && kv.Success)
            {
                if (!current.TryGetValue(kv.Groups[1].Value, out var list)) current[kv.Groups[1].Value] = list = [];
                list.Add(kv.Groups[2].Value);
            }
        }
        return events;
    }

    private static ulong Hex(string s) => s.StartsWith("0x", StringComparison.Ordinal) ? ulong.Parse(s[2..], NumberStyles.HexNumber) : ulong.Parse(s);

    [SkippableTheory]
    [MemberData(nameof(AgileLogs))]
    public void Decoded_fields_equal_tpm2_eventlog(string name)
    {
        var log = Oracle.Load(name);
        var yaml = YamlEvents(name);
        int compared = 0;
        foreach (var e in log.Events)
        {
            if (!yaml.TryGetValue(e.Index, out var y)) continue;
            switch (e.Decoded)
            {
                case EfiVariableEventData v:
                    Assert.Equal(y["VariableName"][0], v.VariableGuid.ToString());
                    Assert.Equal(y["UnicodeName"][0], v.VariableName);
                    if (y.TryGetValue("VariableData", out var data) && data[0].Length > 0)
                        Assert.Equal(data[0], HexText(v.VariableData));
                    compared++;
                    break;
                case EfiImageLoadEventData image:
                    Assert.Equal(Hex(y["ImageLocationInMemory"][0]), image.ImageLocationInMemory);
                    Assert.Equal(Hex(y["ImageLengthInMemory"][0]), image.ImageLengthInMemory);
                    Assert.Equal(y["DevicePath"][0], HexText([.. image.DevicePathBytes, .. image.ExtraBytes]));
                    Assert.DoesNotContain("<", image.DevicePath);
                    compared++;
                    break;
                case EfiGptEventData gpt when !y.ContainsKey("DiskGUID"):
                    Assert.Equal(y["Event"][0], HexText(e.Data));
                    compared++;
                    break;
                case EfiGptEventData gpt:
                    Assert.Equal(y["DiskGUID"][0], gpt.DiskGuid.ToString());
                    Assert.Equal(int.Parse(y["NumberOfPartitions"][0]), gpt.Partitions.Count);
                    Assert.Equal(y["PartitionTypeGUID"], gpt.Partitions.Select(p => p.PartitionTypeGuid.ToString()));
                    Assert.Equal(y["StartingLBA"].Select(Hex), gpt.Partitions.Select(p => p.StartingLba));
                    compared++;
                    break;
                case FirmwareBlobEventData blob when y.ContainsKey("BlobBase"):
                    Assert.Equal((Hex(y["BlobBase"][0]), Hex(y["BlobLength"][0])), (blob.BlobBase, blob.BlobLength));
                    compared++;
                    break;
                case SeparatorEventData sep:
                    Assert.False(sep.IsError);
                    compared++;
                    break;
            }
        }
        Skip.If(compared == 0, $"{name} has no events of the compared types");
    }

    [SkippableFact]
    public void Secure_boot_state_boot_order_and_load_options_are_decoded()
    {
        var log = Oracle.Load("tpm2-tools/event-bootorder.bin");
        var vars = log.Events.Select(e => e.Decoded).OfType<EfiVariableEventData>().ToList();
        var order = vars.Single(v => v.VariableName == "BootOrder");
        Assert.Equal(order.VariableData.Length / 2, order.BootOrder!.Count);
        Assert.Equal(BinaryPrimitives.ReadUInt16LittleEndian(order.VariableData), order.BootOrder[0]);
        var boot1 = vars.Single(v => v.VariableName == "Boot0001");
        Assert.Equal("UEFI Misc Device", boot1.LoadOption!.Description);
        Assert.StartsWith("PciRoot(0x0)/Pci(", boot1.LoadOption.DevicePath);
        Assert.True(boot1.LoadOption.IsActive);

        var secureBoot = Oracle.AllLogs.SelectMany(o => Oracle.Load((string)o[0]).Events).Select(e => e.Decoded)
            .OfType<EfiVariableEventData>().Where(v => v.VariableName == "SecureBoot").ToList();
        Assert.Contains(secureBoot, v => v.Enabled == true && v.Value == "Enabled");
        Assert.All(secureBoot, v => Assert.Equal(v.VariableData switch { [1] => true, [0] or [] => false, _ => (bool?)null }, v.Enabled));
        Assert.Contains(secureBoot, v => v.VariableData.Length == 0 && v.Enabled == false && v.Value == "(empty: not enabled)");
    }

    [SkippableFact]
    public void Signature_databases_list_their_certificates()
    {
        var log = Oracle.Load("tpm2-tools/event-arch-linux.bin");
        var db = log.Events.Select(e => e.Decoded).OfType<EfiVariableEventData>().Single(v => v.VariableName == "db");
        Assert.Equal(EfiGuids.ImageSecurityDatabase, db.VariableGuid);
        var x509 = db.SignatureLists!.Where(l => l.TypeName == "EFI_CERT_X509").SelectMany(l => l.Signatures).ToList();
        Assert.Contains(x509, s => s.CertificateSubject == "Microsoft Windows Production PCA 2011");
        var dbx = log.Events.Select(e => e.Decoded).OfType<EfiVariableEventData>().Single(v => v.VariableName == "dbx");
        Assert.All(dbx.SignatureLists!.SelectMany(l => l.Signatures), s => Assert.Equal(32, s.Data.Length));
    }

    [SkippableFact]
    public void Image_device_path_is_text_and_command_lines_are_utf16()
    {
        var log = Oracle.Load("tpm2-tools/event-arch-linux.bin");
        var image = log.Events.Select(e => e.Decoded).OfType<EfiImageLoadEventData>().Last();
        Assert.Matches(@"^PciRoot\(0x0\)/Pci\(0x17,0x0\)/Sata\(0x1,0xffff,0x0\)/HD\(1,GPT,[0-9a-f-]{36},0x800,0x[0-9a-f]+\)/\\vmlinuz-linux-lts$", image.DevicePath);
        var cmdline = Assert.IsType<StringEventData>(log.Events[24].Decoded);
        Assert.Equal("UTF-16", cmdline.Encoding);
        Assert.EndsWith("l1tf=off", cmdline.Text);

        var gce = Oracle.Load("tpm2-tools/event-gce-ubuntu-2104-log.bin");
        var grub = gce.Events.Where(e => e.EventType == TcgEventType.EV_IPL && e.PcrIndex == 8).ToList();
        Assert.Contains(grub, e => ((StringEventData)e.Decoded).Text.StartsWith("grub_cmd: ", StringComparison.Ordinal));
        Assert.Contains(grub, e => ((StringEventData)e.Decoded).Text.StartsWith("kernel_cmdline: ", StringComparison.Ordinal));
        Assert.All(grub, e => Assert.Equal(DigestCheckStatus.Verified, e.DigestCheck));
    }

    [Fact]
    public void No_action_separator_blob2_handoff_tables_and_tags_decode()
    {
        byte[] blob2 = [5, .. "Blob!"u8, .. Le64(0xFF000000), .. Le64(0x10000)];
        byte[] handoff = [.. Le64(1), .. new Guid("eb9d2d31-2d88-11d3-9a16-0090273fc14d").ToByteArray(), .. Le64(0x7f000000)];
        var tag = new byte[] { 0xEC, 0x22, 0x3B, 0x8F, 3, 0, 0, 0, 1, 2, 3 };
        var log = TcgEventLog.Parse(new SyntheticLog().StartupLocality(3)
            .Add(0, TcgEventType.EV_EFI_PLATFORM_FIRMWARE_BLOB2, blob2)
            .Add(1, TcgEventType.EV_EFI_HANDOFF_TABLES, handoff)
            .Add(9, TcgEventType.EV_EVENT_TAG, tag)
            .Add(7, TcgEventType.EV_SEPARATOR, [1, 0, 0, 0])
            .Add(0, TcgEventType.EV_S_CRTM_VERSION, Encoding.Unicode.GetBytes("1.0\0"))
            .Add(4, (TcgEventType)0x1234, [9, 9]).ToArray());
        Assert.Equal(3, Assert.IsType<StartupLocalityEventData>(log.Events[1].Decoded).Locality);
        Assert.Equal(3, log.StartupLocality);
        var b = Assert.IsType<FirmwareBlobEventData>(log.Events[2].Decoded);
        Assert.Equal(("Blob!", 0xFF000000UL, 0x10000UL), (b.Description, b.BlobBase, b.BlobLength));
        Assert.Equal("SMBIOS_TABLE", Assert.IsType<HandoffTablesEventData>(log.Events[3].Decoded).Tables.Single().Name);
        var t = Assert.IsType<TaggedEventData>(log.Events[4].Decoded);
        Assert.Equal(0x8F3B22ECu, t.TaggedEventId);
        Assert.Equal(new byte[] { 1, 2, 3 }, t.TaggedData);
        Assert.True(Assert.IsType<SeparatorEventData>(log.Events[5].Decoded).IsError);
        Assert.Equal(("1.0", "UTF-16"), (((StringEventData)log.Events[6].Decoded).Text, ((StringEventData)log.Events[6].Decoded).Encoding));
        Assert.Equal("0x00001234", log.Events[7].EventTypeName);
        Assert.Equal(new byte[] { 9, 9 }, Assert.IsType<RawEventData>(log.Events[7].Decoded).Bytes);
    }

    [Fact]
    public void Malformed_event_data_stays_raw_with_the_reason()
    {
        var log = TcgEventLog.Parse(new SyntheticLog()
            .Add(7, TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG, [.. new byte[16], .. Le64(0x4000_0000), .. Le64(0)])
            .Add(0, TcgEventType.EV_EFI_PLATFORM_FIRMWARE_BLOB, [1, 2, 3]).ToArray());
        var raw = Assert.IsType<RawEventData>(log.Events[1].Decoded);
        Assert.Contains("UnicodeNameLength", raw.DecodeError);
        Assert.Contains("BlobBase", Assert.IsType<RawEventData>(log.Events[2].Decoded).DecodeError);
        Assert.Equal(DigestCheckStatus.Verified, log.Events[1].DigestCheck);
    }

    [Fact]
    public void Decoders_never_throw_on_random_data_of_any_type_or_variable()
    {
        var random = new Random(99);
        string[] names = ["SecureBoot", "BootOrder", "Boot0001", "db", "dbx", "KEK", "PK", "MokList", "BootCurrent", "Other"];
        var types = Enum.GetValues<TcgEventType>();
        int decoded = 0;
        for (int i = 0; i < 3000; i++)
        {
            var type = types[i % types.Length];
            var data = new byte[1 + random.Next(300)];
            random.NextBytes(data);
            if (i % 3 == 0)
            {
                string name = names[random.Next(names.Length)];
                var value = new byte[random.Next(200)];
                random.NextBytes(value);
                data = [.. EfiGuids.ImageSecurityDatabase.ToByteArray(), .. Le64((ulong)name.Length), .. Le64((ulong)value.Length),
                    .. Encoding.Unicode.GetBytes(name), .. value];
                type = TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG;
            }
            var log = TcgEventLog.Parse(new SyntheticLog().Add(4, type, data).ToArray());
            var e = log.Events[1];
            Assert.NotNull(e.Summary);
            if (e.Decoded is not RawEventData) decoded++;
        }
        Assert.InRange(decoded, 1000, 3000);
    }

    private static byte[] Le64(ulong v) { var b = new byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); return b; }
    private static string HexText(byte[] b) => Convert.ToHexString(b).ToLowerInvariant();
}
