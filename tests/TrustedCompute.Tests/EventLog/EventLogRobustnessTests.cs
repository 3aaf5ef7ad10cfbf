using System.Buffers.Binary;
using TrustedCompute.EventLog;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.EventLog;

/// <summary>Malformed, truncated, oversized and junk input: always an EventLogFormatException naming field and offset.</summary>
public class EventLogRobustnessTests
{
    private static EventLogFormatException Fails(byte[] bytes, EventLogParseOptions? options = null) =>
        Assert.Throws<EventLogFormatException>(() => TcgEventLog.Parse(bytes, options));

    [SkippableFact]
    public void Truncation_at_every_offset_of_the_largest_log_fails_cleanly_or_ends_at_an_event_boundary()
    {
        var bytes = File.ReadAllBytes(Oracle.Largest());
        var full = TcgEventLog.Parse(bytes);
        var ends = full.Events.Select(e => e.Offset + e.Length).ToHashSet();
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            var prefix = bytes.AsSpan(0, cut).ToArray();
            if (ends.Contains(cut))
            {
                var log = TcgEventLog.Parse(prefix);
                Assert.Equal(full.Events.Count(e => e.Offset + e.Length <= cut), log.Events.Count);
                continue;
            }
            var ex = Fails(prefix);
            Assert.InRange(ex.Offset, 0, cut);
            Assert.Contains("byte offset", ex.Message);
        }
    }

    [Fact]
    public void Empty_log_is_an_error_at_offset_0()
    {
        var ex = Fails([]);
        Assert.Equal(0, ex.Offset);
    }

    [Fact]
    public void Zero_size_event_names_eventSize_and_its_offset()
    {
        var good = new SyntheticLog().Action(4, "Calling EFI Application from Boot Option").ToArray();
        var bytes = new SyntheticLog().Add(4, TcgEventType.EV_EFI_ACTION, []).ToArray();
        var ex = Fails(bytes);
        Assert.Equal("eventSize", ex.Field);
        Assert.Equal(bytes.Length - 4, ex.Offset);
        Assert.Equal(1, ex.EventIndex);
        Assert.Equal(2, TcgEventLog.Parse(good).Events.Count);
    }

    [Fact]
    public void Oversized_event_size_is_rejected_before_allocating()
    {
        var bytes = new SyntheticLog().Action(4, "x").ToArray();
        int sizeAt = bytes.Length - 5;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(sizeAt), 0xFFFFFFF0);
        var ex = Fails(bytes);
        Assert.Equal(("eventSize", sizeAt), (ex.Field, ex.Offset));
        Assert.Contains("maximum", ex.Message);

        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(sizeAt), 1000);
        ex = Fails(bytes);
        Assert.Equal(("eventSize", sizeAt), (ex.Field, ex.Offset));
        Assert.Contains("left", ex.Message);

        var big = new SyntheticLog().Add(4, TcgEventType.EV_EFI_ACTION, new byte[5000]).ToArray();
        ex = Fails(big, new EventLogParseOptions { MaxEventSize = 4096 });
        Assert.Equal("eventSize", ex.Field);
    }

    [Fact]
    public void Digest_count_pcr_index_and_unknown_algorithm_are_checked()
    {
        var bytes = new SyntheticLog().Action(4, "x").ToArray();
        int eventAt = bytes.Length - (4 + 4 + 4 + 22 + 34 + 4 + 1);
        var countAt = eventAt + 8;
        var copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(countAt), 0x7FFFFFFF);
        Assert.Equal(("digests.count", countAt), (Fails(copy).Field, Fails(copy).Offset));

        copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(eventAt), 24);
        Assert.Equal(("pcrIndex", (long)eventAt), (Fails(copy).Field, Fails(copy).Offset));

        copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(countAt + 4), 0x0012);
        var ex = Fails(copy);
        Assert.Equal(("digests.hashAlg", countAt + 4), (ex.Field, ex.Offset));
    }

    [Fact]
    public void Spec_id_with_a_wrong_digest_size_or_huge_algorithm_count_is_rejected()
    {
        var bytes = new SyntheticLog().ToArray();
        var copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(32 + 28 + 2), 21);
        Assert.Contains("digest size of 21", Fails(copy).Message);

        copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(32 + 24), 0x10000000);
        Assert.Equal(0, Fails(copy).EventIndex);
    }

    [Fact]
    public void Unknown_algorithm_in_the_spec_id_table_is_skipped_by_its_declared_size()
    {
        static byte[] Digest(TpmAlgId bank) => bank == TpmAlgId.Sm3_256 ? new byte[32] : PcrBanks.Hash(bank, new byte[4]);
        var log = new SyntheticLog(TpmAlgId.Sha256, TpmAlgId.Sm3_256).Add(4, TcgEventType.EV_SEPARATOR, new byte[4], Digest)
            .Add(4, TcgEventType.EV_SEPARATOR, new byte[4], Digest).ToArray();
        var parsed = TcgEventLog.Parse(log);
        Assert.Equal(3, parsed.Events.Count);
        var replay = parsed.Replay();
        Assert.Equal([TpmAlgId.Sha256], replay.Banks);
        Assert.Equal([TpmAlgId.Sm3_256], replay.SkippedBanks);
        Assert.All(parsed.Events.Skip(1), e => Assert.Equal(32, e.GetDigest(TpmAlgId.Sm3_256)!.Length));
    }

    [SkippableFact]
    public void Random_bytes_and_random_mutations_never_escape_as_other_exceptions()
    {
        var random = new Random(4242);
        var real = File.ReadAllBytes(Oracle.LogPath("tpm2-tools/event-bootorder.bin"));
        int failures = 0;
        for (int i = 0; i < 600; i++)
        {
            byte[] bytes;
            if (i % 2 == 0)
            {
                bytes = new byte[random.Next(0, 2048)];
                random.NextBytes(bytes);
            }
            else
            {
                bytes = (byte[])real.Clone();
                for (int k = 0; k < 1 + i % 8; k++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            try
            {
                var log = TcgEventLog.Parse(bytes);
                foreach (var e in log.Events) Assert.NotNull(e.Summary);
                log.Replay();
            }
            catch (EventLogFormatException ex)
            {
                Assert.InRange(ex.Offset, 0, bytes.Length);
                failures++;
            }
        }
        Assert.InRange(failures, 300, 600);
    }

    [Fact]
    public void A_100_MB_junk_file_fails_at_its_first_event_without_reading_it_whole()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tc-junk-{Guid.NewGuid():N}.bin");
        try
        {
            using (var f = File.Create(path))
            {
                var head = new byte[4096];
                new Random(7).NextBytes(head);
                head[0] = 3; head[1] = head[2] = head[3] = 0;
                f.Write(head);
                f.SetLength(100L << 20);
            }
            var tooBig = Assert.Throws<EventLogFormatException>(() => EventLogSource.ReadFile(path));
            Assert.Equal(0, tooBig.Offset);
            Assert.Contains("maximum", tooBig.Message);

            var streaming = new EventLogParseOptions { MaxLogSize = 1L << 30 };
            long before = GC.GetAllocatedBytesForCurrentThread();
            var ex = Assert.Throws<EventLogFormatException>(() => EventLogSource.ReadFile(path, streaming));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.InRange(ex.Offset, 4, 28);
            Assert.InRange(allocated, 0, 8L << 20);

            using (var f = new FileStream(path, FileMode.Open)) f.Write(new byte[4096]);
            ex = Assert.Throws<EventLogFormatException>(() => EventLogSource.ReadFile(path, streaming));
            Assert.Equal(("eventSize", 28L), (ex.Field, ex.Offset));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Non_seekable_stream_of_junk_fails_with_bounded_memory()
    {
        var bytes = new SyntheticLog().ToArray();
        var junk = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(junk.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(junk.AsSpan(12), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(junk.AsSpan(14 + 20), 0xB);
        using var stream = new NonSeekable([.. bytes, .. junk]);
        var ex = Assert.Throws<EventLogFormatException>(() => TcgEventLog.Parse(stream));
        Assert.Equal(1, ex.EventIndex);
    }

    private sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }
}
