using TrustedCompute.Attestation;
using TrustedCompute.Tpm;

namespace TrustedCompute.Fleet;

/// <summary>
/// One host to attest: the name results carry (the registry's name when enrolled) and how to reach it. The
/// connection fields mean what the evidence source makes of them (SSH, WinRM, a simulator port).
/// </summary>
public sealed record SweepTarget(string Name)
{
    /// <summary>Where to connect (DNS name or address); the name when null.</summary>
    public string? Address { get; init; }
    public int? Port { get; init; }
    public string? UserName { get; init; }
    /// <summary>Path of the private key for SSH.</summary>
    public string? KeyFilePath { get; init; }
    /// <summary>Transport options (SSH -o options); never secrets.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    /// <summary>The PCRs this host quotes (what its policy reads); the sweep's selection when null.</summary>
    public IReadOnlyList<PcrSelection>? Selection { get; init; }
    /// <summary>Anything the evidence source was given for this target (an open session); opaque to the engine.</summary>
    public object? Handle { get; init; }

    public string ConnectTo => Address ?? Name;

    public override string ToString() => Name;
}

/// <summary>What is asked of one host in one attempt: a fresh nonce and the PCRs to quote.</summary>
public sealed record EvidenceRequest(byte[] Nonce, IReadOnlyList<PcrSelection> Selection);

/// <summary>
/// Gathers one host's evidence (over SSH, WinRM, a local TPM...). Must honour the token promptly (the engine's
/// per-host timeout and Ctrl+C come through it) and leave nothing running on the host once it returns. A failure
/// is an <see cref="EvidenceCollectionException"/> with a reason id from <see cref="FleetReasonIds"/>.
/// Called from several threads at once.
/// </summary>
public interface IEvidenceSource
{
    Task<AttestationEvidence> CollectAsync(SweepTarget target, EvidenceRequest request, CancellationToken cancellationToken);
}

/// <summary>Why a host's evidence could not be had; <see cref="Transient"/> failures are tried again.</summary>
public sealed class EvidenceCollectionException(string reasonId, string message, bool transient = false,
    Exception? inner = null) : Exception(message, inner)
{
    public string ReasonId { get; } = reasonId;
    public bool Transient { get; } = transient;
}

/// <summary>
/// Turns what happened to one host into its result, and keeps it (the registry verifier records it). One instance
/// per worker, never shared between threads.
/// </summary>
public interface IHostJudge
{
    AttestationResult Judge(SweepTarget target, AttestationEvidence evidence, EvidenceRequest request);
    /// <summary>The Unknown result of a host whose evidence could not be had (recorded too).</summary>
    AttestationResult NotCollected(SweepTarget target, AttestationReason reason);
}
