using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security.Cryptography;
using TrustedCompute.Attestation;
using TrustedCompute.Enrollment;
using TrustedCompute.Store;
using TrustedCompute.PowerShell.Commands.Tpm;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Attestation;

/// <summary>
/// Attests hosts: collects evidence (local TPM or PSSessions, with a fresh nonce each time) or takes it from the
/// pipeline or files, verifies it here and writes one AttestationResult per host. Without -AttestationKey or
/// -TrustEvidenceKey the host registry supplies the key, policy and previous result, and keeps the result.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "HostAttestation", DefaultParameterSetName = LocalSet)]
[OutputType(typeof(AttestationResult))]
public sealed class InvokeHostAttestationCommand : TpmCmdlet
{
    private const string LocalSet = "Local";
    private const string SessionSet = "Session";
    private const string EvidenceSet = "Evidence";
    private const string PathSet = "Path";
    private static readonly int[] DefaultPcrs = [0, 1, 2, 3, 4, 5, 6, 7];

    private AttestationPolicy? _policy;
    private QuoteVerifier? _verifier;
    private VerificationOptions _options = new();
    private IAttestationStore? _store;
    private EnrolledHostVerifier? _registry;

    [Parameter(Mandatory = true, ParameterSetName = SessionSet)]
    [ValidateNotNullOrEmpty]
    public PSSession[] Session { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = EvidenceSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object InputObject { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = PathSet, Position = 0)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    /// <summary>
    /// The host, as the registry names it: whose evidence this is (pipeline, files), or the name of the local TPM's
    /// host (default: this machine's name). The evidence's own name is only a claim.
    /// </summary>
    [Parameter(ParameterSetName = EvidenceSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LocalSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? HostName { get; set; }

    /// <summary>The store of the host registry: a SQLite path or a PostgreSQL connection string (no password in it).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StoreConnectionString { get; set; }

    /// <summary>Keep each host's evidence in the store beside its result (registry mode).</summary>
    [Parameter]
    public SwitchParameter RetainEvidence { get; set; }

    [Parameter]
    public AttestationPolicy? Policy { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PolicyPath { get; set; }

    /// <summary>The expected AK public: a TpmPublic (or Get-TpmAttestationKey output), TPM2B_PUBLIC or DER bytes, PEM text, or a .pub/.pem file.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? AttestationKey { get; set; }

    [Parameter]
    public SwitchParameter TrustEvidenceKey { get; set; }

    /// <summary>The handle of the AK that quotes (local TPM and sessions).</summary>
    [Parameter(ParameterSetName = LocalSet)]
    [Parameter(ParameterSetName = SessionSet)]
    [ValidateRange(0x81000000u, 0x81FFFFFFu)]
    [TpmHandleTransformation]
    public uint AttestationKeyHandle { get; set; } = TpmHandles.DefaultAttestationKey;

    /// <summary>The nonce the evidence must carry (evidence from the pipeline or files); collection makes a fresh one.</summary>
    [Parameter(ParameterSetName = EvidenceSet)]
    [Parameter(ParameterSetName = PathSet)]
    [ValidateCount(1, 64)]
    public byte[]? Nonce { get; set; }

    [Parameter(ParameterSetName = LocalSet)]
    [Parameter(ParameterSetName = SessionSet)]
    [PcrIndexTransformation]
    [ValidateRange(0, 23)]
    public int[]? PcrIndex { get; set; }

    [Parameter(ParameterSetName = LocalSet)]
    [Parameter(ParameterSetName = SessionSet)]
    [ValidateSet("sha1", "sha256", "sha384", "sha512", IgnoreCase = true)]
    public string[]? Bank { get; set; }

    [Parameter(ParameterSetName = LocalSet)]
    [ValidateNotNullOrEmpty]
    public string? EventLogPath { get; set; }

    [Parameter(ParameterSetName = LocalSet)]
    [Parameter(ParameterSetName = SessionSet)]
    public SwitchParameter NoEventLog { get; set; }

    /// <summary>
    /// The host's previous result (live, Import-Clixml or ConvertFrom-Json): its TPM counters reveal a reboot or a
    /// rollback.
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public object? Previous { get; set; }

    protected override void BeginProcessing()
    {
        if (Policy is not null && PolicyPath is not null)
            ThrowTerminatingError(new ArgumentException("Give -Policy or -PolicyPath, not both"), ErrorIds.InvokeHostAttestationPolicyConflict, null);
        if (AttestationKey is not null && TrustEvidenceKey)
            ThrowTerminatingError(new ArgumentException("Give -AttestationKey or -TrustEvidenceKey, not both"), ErrorIds.InvokeHostAttestationKeyConflict, null);
        _policy = Policy;
        if (Policy is not null)
        {
            try { _policy = Policy.Snapshot(); }
            catch (AttestationPolicyException e) { ThrowTerminatingError(e, ErrorIds.InvokeHostAttestationPolicyInvalid, Policy); }
        }
        if (PolicyPath is not null)
        {
            try { _policy = PolicyYaml.ReadFile(GetUnresolvedProviderPathFromPSPath(PolicyPath)); }
            catch (Exception e) when (e is AttestationPolicyException or IOException or UnauthorizedAccessException)
            {
                ThrowTerminatingError(e, ErrorIds.InvokeHostAttestationPolicyInvalid, PolicyPath);
            }
        }
        AttestationResult? previous = null;
        if (Previous is not null)
        {
            try { previous = AttestationInput.ToAttestationResult(Previous, allowUntyped: true); }
            catch (InvalidDataException e)
            {
                ThrowTerminatingError(new ArgumentException($"-Previous: {e.Message}", nameof(Previous), e),
                    ErrorIds.InvokeHostAttestationPreviousInvalid, Previous);
            }
        }
        TpmPublic? ak = null;
        byte[]? spki = null;
        if (AttestationKey is not null)
        {
            try { (ak, spki) = AttestationInput.ToAttestationKey(AttestationKey, GetUnresolvedProviderPathFromPSPath); }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or FormatException or UnauthorizedAccessException)
            {
                ThrowTerminatingError(e, ErrorIds.InvokeHostAttestationKeyInvalid, AttestationKey);
            }
        }
        _options = new VerificationOptions
        {
            ExpectedAttestationKey = ak, ExpectedAttestationKeySpki = spki, TrustEvidenceKey = TrustEvidenceKey,
            Policy = _policy, Previous = previous, ExpectedNonce = Nonce, HostName = HostName,
        };
        _verifier = new QuoteVerifier(_options);
        if (AttestationKey is not null || TrustEvidenceKey) return;
        if (Previous is not null)
            ThrowTerminatingError(new ArgumentException("-Previous needs -AttestationKey: the registry keeps each enrolled host's previous result"),
                ErrorIds.InvokeHostAttestationPreviousConflict, Previous);
        _store = StoreAccess.Open(this, StoreConnectionString);
        _registry = new EnrolledHostVerifier(_store, _policy, RetainEvidence);
    }

    /// <summary>Judges one host's evidence: against the registry, or against the key and previous result given.</summary>
    private AttestationResult Judge(AttestationEvidence evidence, string? target, byte[]? nonce, IReadOnlyList<PcrSelection>? selection)
    {
        if (_registry is not null)
        {
            try
            {
                return _registry.Verify(new EnrolledAttestationRequest(evidence)
                {
                    TargetName = target, ExpectedNonce = nonce ?? Nonce, ExpectedSelection = selection,
                });
            }
            catch (StoreException e)
            {
                WriteError(e, ErrorIds.StoreOperationFailed, target);
                return AttestationResult.Failed(target ?? evidence.HostName, ReasonIds.CollectFailed,
                    $"The store could not be used: {e.Message}", ReasonSeverity.Indeterminate);
            }
        }
        if (nonce is null && target == HostName) return _verifier!.Verify(evidence);
        using var verifier = new QuoteVerifier(_options with { ExpectedNonce = nonce ?? Nonce, ExpectedSelection = selection, HostName = target });
        return verifier.Verify(evidence);
    }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case EvidenceSet when (InputObject is PSObject ps ? ps.BaseObject : InputObject) is EnrolledHost host:
                AttestLocal(host.Name);
                break;
            case EvidenceSet:
                Verify(InputObject);
                break;
            case PathSet:
                foreach (var file in Files()) Verify(file, isFile: true);
                break;
            case SessionSet:
                foreach (var session in Session) AttestRemote(session);
                break;
            default:
                AttestLocal(HostName ?? Environment.MachineName);
                break;
        }
    }

    private void Verify(object input, bool isFile = false)
    {
        AttestationEvidence evidence;
        try { evidence = isFile ? AttestationEvidence.ReadFile((string)input) : AttestationInput.ToEvidence(input); }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            WriteError(e, ErrorIds.InvokeHostAttestationEvidenceInvalid, input);
            WriteObject(AttestationResult.Failed(isFile ? (string)input : Describe(input), ReasonIds.EvidenceFormat, e.Message));
            return;
        }
        WriteObject(Judge(evidence, HostName, null, null));
    }

    private static string Describe(object input) =>
        (input is PSObject ps ? ps.Properties["HostName"]?.Value as string : (input as AttestationEvidence)?.HostName) ?? "evidence";

    /// <summary>What to quote: -PcrIndex/-Bank, else what the host's policy reads (the registry's, in registry mode).</summary>
    private IReadOnlyList<PcrSelection> Selection(string host)
    {
        AttestationPolicy? policy = _policy;
        if (_registry is not null && PcrIndex is null)
        {
            try { policy = _registry.PolicyFor(host); }
            catch (StoreException) { policy = null; }
        }
        var fromPolicy = policy?.RequiredSelection() ?? [];
        var banks = Bank?.Select(TpmHash.ParseBank).ToList()
            ?? (fromPolicy.Count > 0 ? fromPolicy.Select(s => s.Bank).ToList() : [TpmAlgId.Sha256]);
        var indexes = PcrIndex ?? (fromPolicy.Count > 0 ? fromPolicy.SelectMany(s => s.Indexes).Distinct().ToArray() : DefaultPcrs);
        return banks.Distinct().Select(b => PcrSelection.Create(b, indexes)).ToList();
    }

    private void AttestLocal(string host)
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        var selection = Selection(host);
        AttestationEvidence? evidence = null;
        try
        {
            byte[]? log = NoEventLog ? null : EvidenceCollector.ReadLocalEventLog(EventLogPath is null ? null : GetUnresolvedProviderPathFromPSPath(EventLogPath));
            using var tpm = OpenTpm();
            evidence = UsingAttestationKey(AttestationKeyHandle, () =>
                EvidenceCollector.Collect(tpm, AttestationKeyHandle, nonce, selection, log, host, CancellationToken));
        }
        catch (Exception e) when (e is TpmException or TpmProtocolException or TpmTransportException or IOException or UnauthorizedAccessException
            or InvalidDataException or InvalidOperationException or ArgumentException)
        {
            WriteError(e, ErrorIds.InvokeHostAttestationCollectFailed, host);
            WriteObject(AttestationResult.Failed(host, ReasonIds.CollectFailed, e.Message, ReasonSeverity.Indeterminate));
            return;
        }
        WriteObject(Judge(evidence, host, nonce, selection));
    }

    private void AttestRemote(PSSession session)
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        var selection = Selection(session.ComputerName);
        var parameters = AttestationInput.RemoteParameters(nonce, selection[0].Indexes.ToArray(),
            selection.Select(s => TpmHash.BankName(s.Bank)).ToArray(), AttestationKeyHandle, NoEventLog, MyInvocation.BoundParameters.ContainsKey("Tpm") ? Tpm : null);
        AttestationEvidence evidence;
        try { evidence = AttestationInput.CollectRemote(this, session, parameters); }
        catch (Exception e) when (e is RuntimeException or InvalidDataException)
        {
            WriteError(e, ErrorIds.InvokeHostAttestationRemoteFailed, session.ComputerName);
            WriteObject(AttestationResult.Failed(session.ComputerName, ReasonIds.CollectFailed, e.Message, ReasonSeverity.Indeterminate));
            return;
        }
        WriteObject(Judge(evidence, session.ComputerName, nonce, selection));
    }

    private IEnumerable<string> Files()
    {
        foreach (var path in Path)
        {
            var files = new List<string>();
            try { files.AddRange(GetResolvedProviderPathFromPSPath(path, out _)); }
            catch (Exception e) when (e is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException)
            {
                WriteError(new FileNotFoundException(e.Message, path), ErrorIds.InvokeHostAttestationPathNotFound, path);
            }
            foreach (var f in files) yield return f;
        }
    }

    protected override void EndProcessing()
    {
        _verifier?.Dispose();
        _store?.Dispose();
    }
}
