using TrustedCompute.Attestation;

namespace TrustedCompute.Store;

/// <summary>One enrolled host: the registry's record of which TPM (EK) and which key in it (AK) the host is.</summary>
public sealed record EnrolledHost
{
    /// <summary>The registry's name for the host; unique (case-insensitive).</summary>
    public required string Name { get; init; }
    /// <summary>TPM2B_PUBLIC of the endorsement key read at enrollment.</summary>
    public byte[] EndorsementKeyPublic { get; init; } = [];
    /// <summary>TPM name of the EK (hex, lower case).</summary>
    public string EndorsementKeyName { get; init; } = "";
    /// <summary>DER EK certificate as read from the TPM (empty when none).</summary>
    public byte[] EndorsementKeyCertificate { get; init; } = [];
    /// <summary>DER certificates of the validated chain, leaf's issuer first, trust anchor last (empty when not validated).</summary>
    public byte[][] EndorsementKeyChain { get; init; } = [];
    /// <summary>The EK certificate's validation outcome at enrollment: every reason (none when it validated).</summary>
    public AttestationReason[] EndorsementKeyReasons { get; init; } = [];
    public string TpmManufacturer { get; init; } = "";
    public string TpmModel { get; init; } = "";
    public string TpmFirmwareVersion { get; init; } = "";
    /// <summary>TPM2B_PUBLIC of the attestation key bound to the EK by credential activation.</summary>
    public byte[] AttestationKeyPublic { get; init; } = [];
    /// <summary>TPM name of the AK (hex, lower case); unique across hosts.</summary>
    public required string AttestationKeyName { get; init; }
    public DateTime EnrolledAt { get; init; }
    public string EnrolledBy { get; init; } = "";
    /// <summary>Name of the stored policy the host is judged by (empty: none).</summary>
    public string PolicyName { get; init; } = "";
    public string[] Tags { get; init; } = [];

    public override string ToString() => Name;
}

/// <summary>A named policy version as stored: the YAML text is the policy, the rest is its history.</summary>
public sealed class StoredPolicy
{
    public required string Name { get; init; }
    /// <summary>1 for the first version, one more for each later one.</summary>
    public required int Version { get; init; }
    public required string Yaml { get; init; }
    public DateTime CreatedAt { get; init; }
    public string CreatedBy { get; init; } = "";
    public string Comment { get; init; } = "";
    /// <summary>The SHA-256 of <see cref="Yaml"/>: what a result this version judged records as its PolicyDigest.</summary>
    public string Digest => PolicyYaml.Digest(Yaml);

    public override string ToString() => $"{Name} v{Version}";
}

/// <summary>Which results to read: newest first, every filter optional.</summary>
public sealed record ResultQuery
{
    public string? HostName { get; init; }
    public DateTime? Since { get; init; }
    public int? Last { get; init; }
    public AttestationVerdict? Verdict { get; init; }
}

public enum StoreErrorKind { Conflict, NotFound, Schema, Unavailable, Invalid }

/// <summary>A store operation that could not be done; the message never carries a connection secret.</summary>
public sealed class StoreException(StoreErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public StoreErrorKind Kind { get; } = kind;
}

/// <summary>
/// The host registry, result history and policy versions. One implementation per database (SQLite, PostgreSQL), both
/// safe for several processes at once; every method is one transaction on its own connection.
/// </summary>
public interface IAttestationStore : IDisposable
{
    /// <summary>Where the store is ("sqlite:/path", "postgresql://host:port/db"), with no secret in it.</summary>
    string Location { get; }

    /// <summary>Adds a host; <see cref="StoreErrorKind.Conflict"/> when its name or its AK name is enrolled already.</summary>
    void AddHost(EnrolledHost host);
    /// <summary>Replaces the record of the host of that name; <see cref="StoreErrorKind.NotFound"/> when there is none.</summary>
    void UpdateHost(EnrolledHost host);
    /// <summary>Removes a host (its results stay in the history); false when there was none.</summary>
    bool RemoveHost(string name);
    EnrolledHost? GetHost(string name);
    EnrolledHost? GetHostByAttestationKey(string attestationKeyName);
    IReadOnlyList<EnrolledHost> GetHosts();
    /// <summary>Which of the names given are enrolled, as the registry spells them, in one query (names only).</summary>
    IReadOnlySet<string> GetEnrolledHostNames(IEnumerable<string> hostNames);

    /// <summary>Records one result (and, when given, the evidence it judged, kept under its digest).</summary>
    void AddResult(AttestationResult result, AttestationEvidence? evidence = null);
    /// <summary>Records many results in one transaction.</summary>
    void AddResults(IReadOnlyList<AttestationResult> results);
    IReadOnlyList<AttestationResult> GetResults(ResultQuery query);
    /// <summary>Each host's newest result, for the hosts named (every host with a result when null).</summary>
    IReadOnlyDictionary<string, AttestationResult> GetLatestResults(IEnumerable<string>? hostNames = null);
    /// <summary>Kept evidence by its digest; null when not kept.</summary>
    AttestationEvidence? GetEvidence(string evidenceDigest);

    /// <summary>Stores a new version of a named policy (version 1 when the name is new) and returns it.</summary>
    StoredPolicy AddPolicy(string name, string yaml, string createdBy, string comment = "");
    /// <summary>A version of a policy (the newest when <paramref name="version"/> is null); null when there is none.</summary>
    StoredPolicy? GetPolicy(string name, int? version = null);
    /// <summary>Every version of one policy, or of all when <paramref name="name"/> is null; oldest first.</summary>
    IReadOnlyList<StoredPolicy> GetPolicies(string? name = null);

    /// <summary>
    /// Records the start of a sweep by <paramref name="node"/>. It joins the round of the sweeps still running (the
    /// earliest round start among them) unless <paramref name="exclusive"/> (the caller holds the store alone).
    /// </summary>
    SweepRecord StartSweep(string node, TimeSpan lease, bool exclusive);
    /// <summary>
    /// Claims a host for the sweep for its lease: several admin nodes may ask at once and exactly one gets it.
    /// </summary>
    HostClaim ClaimHost(SweepRecord sweep, string hostName);
    /// <summary>Gives a claimed host back; <paramref name="handled"/>: its result is recorded (done for this round).</summary>
    void ReleaseHost(SweepRecord sweep, string hostName, bool handled);
    void FinishSweep(SweepRecord sweep, SweepTally tally);
    /// <summary>The newest sweeps first.</summary>
    IReadOnlyList<SweepRecord> GetSweeps(int last);
}
