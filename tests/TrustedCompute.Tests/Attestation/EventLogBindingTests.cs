using System.Buffers.Binary;
using System.Text;
using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using TrustedCompute.Tests.EventLog;
using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Attestation;

/// <summary>An event the quoted bank never bound (it carries only another bank's digest) must not pass as verified.</summary>
public sealed class EventLogBindingTests : IDisposable
{
    private readonly SoftQuote _soft = new();

    public void Dispose() => _soft.Dispose();

    /// <summary>A SHA-1 + SHA-256 log with one EV_IPL event in PCR 9 carrying only a SHA-1 digest.</summary>
    private static byte[] LogWithSha1OnlyEvent()
    {
        var header = new SyntheticLog(TpmAlgId.Sha1, TpmAlgId.Sha256).ToArray();
        var data = Encoding.ASCII.GetBytes("kernel_cmdline: init=/bin/sh");
        var ev = new MemoryStream();
        void U32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); ev.Write(b); }
        U32(9);
        U32((uint)TcgEventType.EV_IPL);
        U32(1);
        ev.Write([(byte)TpmAlgId.Sha1, 0]);
        ev.Write(TpmHash.Hash(TpmAlgId.Sha1, data));
        U32((uint)data.Length);
        ev.Write(data);
        return [.. header, .. ev.ToArray()];
    }

    [Fact]
    public void AQuoteOverABankTheEventNeverReachedIsNotTrusted()
    {
        byte[] log = LogWithSha1OnlyEvent();
        // The host's SHA-256 PCR 9 never saw the event: still its reset value.
        var evidence = _soft.Evidence(new Dictionary<(TpmAlgId, int), byte[]> { [(TpmAlgId.Sha256, 9)] = new byte[32] }, log);
        var result = _soft.Verify(evidence);
        Assert.NotEqual(AttestationVerdict.Trusted, result.Verdict);
        var reason = Assert.Single(result.Reasons, r => r.Id == ReasonIds.EventLogReplay);
        Assert.Equal((9, "sha256"), (reason.Pcr, reason.Bank?.ToString()?.ToLowerInvariant()));
    }
}
