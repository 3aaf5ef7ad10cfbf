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

    [Fact]
    public void AQuoteOverABankTheEventNeverReachedIsNotTrusted()
    {
        byte[] log = EventLogBankCoverageTests.LogWithASha1OnlyEvent(9, "kernel_cmdline: init=/bin/sh");
        // The host's SHA-256 PCR 9 never saw the event: still its reset value.
        var evidence = _soft.Evidence(new Dictionary<(TpmAlgId, int), byte[]> { [(TpmAlgId.Sha256, 9)] = new byte[32] }, log);
        var result = _soft.Verify(evidence);
        Assert.NotEqual(AttestationVerdict.Trusted, result.Verdict);
        var reason = Assert.Single(result.Reasons, r => r.Id == ReasonIds.EventLogReplay);
        Assert.Equal((9, "sha256"), (reason.Pcr, reason.Bank?.ToString()?.ToLowerInvariant()));
    }
}
