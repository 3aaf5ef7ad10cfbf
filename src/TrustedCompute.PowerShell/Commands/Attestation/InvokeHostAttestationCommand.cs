using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security.Cryptography;
using TrustedCompute.Attestation;
using TrustedCompute.Enrollment;
using TrustedCompute.Fleet;
using TrustedCompute.PowerShell.Commands.Fleet;
using TrustedCompute.Store;
using TrustedCompute.PowerShell.Commands.Tpm;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Attestation;

/// <summary>
/// Attests hosts: collects evidence (local TPM or PSSessions, with a fresh nonce each time) or takes it from the
/// pipeline or files, verifies it here and writes one AttestationResult per host. Without -AttestationKey or
/// -TrustEvidenceKey the host registry supplies the key, policy and previous result, and keeps the result.
/// Remote hosts (sessions, SSH, WinRM, enrolled hosts from the pipeline with SSH parameters) are swept in parallel
/// up to -ThrottleLimit; each result streams out as its host finishes, a failing host is Unknown with its reason.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "HostAttestation", DefaultParameterSetName = LocalSet)]
[OutputType(typeof(AttestationResult), typeof(AttestationJob))]
public sealed class InvokeHostAttestationCommand : TpmCmdlet
{
    private const string LocalSet = "Local";
    private const string SessionSet = "Session";
    private const string SshSet = "SSHHost";
    private const string WinRmSet = "ComputerName";
    private const string EvidenceSet = "Evidence";
    private const string PathSet = "Path";
    private static readonly int[] DefaultPcrs = [0, 1, 2, 3, 4, 5, 6, 7];

    private AttestationPolicy? _policy;
    private QuoteVerifier? _verifier;
    private VerificationOptions _options = new();
    private IAttestationStore? _store;
    private EnrolledHostVerifier? _registry;
    private SweepRunner? _sweep;
    private AttestationJob? _job;
    private readonly CmdletSweepWriter _writer;

    public InvokeHostAttestationCommand() => _writer = new CmdletSweepWriter(this);

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
    /// SSH targets to attest (as Invoke-Command's -HostName; "user@host:port" is accepted). With local, pipeline or
    /// file evidence: the one host, as the registry names it, whose evidence this is (default: this machine's name);
    /// the evidence's own name is only a claim.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = SshSet, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = EvidenceSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LocalSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? HostName { get; set; }

    /// <summary>The SSH user (also for enrolled hosts from the pipeline: their registry name is the SSH target).</summary>
    [Parameter(ParameterSetName = SshSet)]
    [Parameter(ParameterSetName = EvidenceSet)]
    [ValidateNotNullOrEmpty]
    public string? UserName { get; set; }

    /// <summary>The private key file for SSH.</summary>
    [Parameter(ParameterSetName = SshSet)]
    [Parameter(ParameterSetName = EvidenceSet)]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    /// <summary>The SSH or WinRM port.</summary>
    [Parameter(ParameterSetName = SshSet)]
    [Parameter(ParameterSetName = WinRmSet)]
    [Parameter(ParameterSetName = EvidenceSet)]
    [ValidateRange(1, 65535)]
    public int? Port { get; set; }

    /// <summary>SSH options (ssh -o), as New-PSSession -Options takes them, e.g. @{ UserKnownHostsFile = '...' }.</summary>
    [Parameter(ParameterSetName = SshSet)]
    [Parameter(ParameterSetName = EvidenceSet)]
    [ValidateNotNull]
    public Hashtable? Options { get; set; }

    /// <summary>WinRM targets (Windows remoting; WinRM is not available from Linux admin nodes).</summary>
    [Parameter(Mandatory = true, ParameterSetName = WinRmSet, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Cn")]
    [ValidateNotNullOrEmpty]
    public string[] ComputerName { get; set; } = [];

    /// <summary>The WinRM credential; it is used to connect and never written anywhere.</summary>
    [Parameter(ParameterSetName = WinRmSet)]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>Remote hosts attested at once (default 32, as Invoke-Command).</summary>
    [Parameter(ParameterSetName = SessionSet)]
    [Parameter(ParameterSetName = SshSet)]
    [Parameter(ParameterSetName = WinRmSet)]
    [Parameter(ParameterSetName = EvidenceSet)]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = SweepOptions.DefaultThrottleLimit;

    /// <summary>How long one remote host may take, connection included (default 60 s); then it is collect.timeout.</summary>
    [Parameter(ParameterSetName = SessionSet)]
    [Parameter(ParameterSetName = SshSet)]
    [Parameter(ParameterSetName = WinRmSet)]
    [Parameter(ParameterSetName = EvidenceSet)]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = 60;

    /// <summary>Times a host that was unreachable or timed out is tried again (default 1).</summary>
    [Parameter(ParameterSetName = SessionSet)]
    [Parameter(ParameterSetName = SshSet)]
    [Parameter(ParameterSetName = WinRmSet)]
    [Parameter(ParameterSetName = EvidenceSet)]
    [ValidateRange(0, 10)]
    public int RetryCount { get; set; } = 1;

    /// <summary>Run as a job: one child job per remote host; Receive-Job gives the results.</summary>
    [Parameter(ParameterSetName = SessionSet)]
    [Parameter(ParameterSetName = SshSet)]
    [Parameter(ParameterSetName = WinRmSet)]
    [Parameter(ParameterSetName = EvidenceSet)]
    public SwitchParameter AsJob { get; set; }

    /// <summary>The job's name (with -AsJob).</summary>
    [Parameter(ParameterSetName = SessionSet)]
    [Parameter(ParameterSetName = SshSet)]
    [Parameter(ParameterSetName = WinRmSet)]
    [Parameter(ParameterSetName = EvidenceSet)]
    [ValidateNotNullOrEmpty]
    public string? JobName { get; set; }

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

    /// <summary>The handle of the AK that quotes (local TPM and remote hosts).</summary>
    [Parameter(ParameterSetName = LocalSet)]
    [Parameter(ParameterSetName = SessionSet)]
    [Parameter(ParameterSetName = SshSet)]
    [Parameter(ParameterSetName = WinRmSet)]
    [Parameter(ParameterSetName = EvidenceSet)]
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
    [Parameter(ParameterSetName = SshSet)]
    [Parameter(ParameterSetName = WinRmSet)]
    [Parameter(ParameterSetName = EvidenceSet)]
    [PcrIndexTransformation]
    [ValidateRange(0, 23)]
    public int[]? PcrIndex { get; set; }

    [Parameter(ParameterSetName = LocalSet)]
    [Parameter(ParameterSetName = SessionSet)]
    [Parameter(ParameterSetName = SshSet)]
    [Parameter(ParameterSetName = WinRmSet)]
    [Parameter(ParameterSetName = EvidenceSet)]
    [ValidateSet("sha1", "sha256", "sha384", "sha512", IgnoreCase = true)]
    public string[]? Bank { get; set; }

    /// <summary>A TCG event log file: here for the local TPM; on each host for remote ones (resolved there).</summary>
    [Parameter(ParameterSetName = LocalSet)]
    [Parameter(ParameterSetName = SessionSet)]
    [Parameter(ParameterSetName = SshSet)]
    [Parameter(ParameterSetName = WinRmSet)]
    [Parameter(ParameterSetName = EvidenceSet)]
    [ValidateNotNullOrEmpty]
    public string? EventLogPath { get; set; }

    [Parameter(ParameterSetName = LocalSet)]
    [Parameter(ParameterSetName = SessionSet)]
    [Parameter(ParameterSetName = SshSet)]
    [Parameter(ParameterSetName = WinRmSet)]
    [Parameter(ParameterSetName = EvidenceSet)]
    public SwitchParameter NoEventLog { get; set; }

    /// <summary>
    /// The host's previous result (live, Import-Clixml or ConvertFrom-Json): its TPM counters reveal a reboot or a
    /// rollback.
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public object? Previous { get; set; }

    /// <summary>-HostName outside the SSH set: the one name of the host whose evidence this is.</summary>
    private string? SingleHostName => ParameterSetName == SshSet ? null : HostName?.FirstOrDefault();

    protected override void BeginProcessing()
    {
        if (ParameterSetName != SshSet && HostName is { Length: > 1 })
            ThrowTerminatingError(new ArgumentException("-HostName names one host here; give several only as SSH targets"),
                ErrorIds.InvokeHostAttestationTargetInvalid, HostName);
        if (ParameterSetName == EvidenceSet && AsJob && !SshGiven)
            ThrowTerminatingError(new ArgumentException("-AsJob needs remote hosts: sessions, SSH or WinRM targets"),
                ErrorIds.InvokeHostAttestationTargetInvalid, null);
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
            Policy = _policy, Previous = previous, ExpectedNonce = Nonce, HostName = SingleHostName,
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
        if (nonce is null && target == SingleHostName) return _verifier!.Verify(evidence);
        using var verifier = new QuoteVerifier(_options with { ExpectedNonce = nonce ?? Nonce, ExpectedSelection = selection, HostName = target });
        return verifier.Verify(evidence);
    }

    private bool SshGiven => UserName is not null || KeyFilePath is not null || Options is not null || Port is not null;

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case EvidenceSet when (InputObject is PSObject ps ? ps.BaseObject : InputObject) is EnrolledHost host:
                if (SshGiven) AddRemote(Ssh(host.Name));
                else AttestLocal(host.Name);
                break;
            case SshSet:
                foreach (var target in HostName!) AddRemote(Ssh(target));
                break;
            case WinRmSet:
                foreach (var computer in ComputerName) AddRemote(RemoteTarget.ForWinRm(computer, computer, Credential, Port));
                break;
            case EvidenceSet:
                Verify(InputObject);
                break;
            case PathSet:
                foreach (var file in Files()) Verify(file, isFile: true);
                break;
            case SessionSet:
                foreach (var session in Session) AddRemote(RemoteTarget.ForSession(session));
                break;
            default:
                AttestLocal(SingleHostName ?? Environment.MachineName);
                break;
        }
    }

    /// <summary>An SSH target from "user@host:port" (the parts given as parameters win), named by its host part.</summary>
    private SweepTarget Ssh(string text)
    {
        string? user = UserName;
        string host = text;
        int? port = Port;
        int at = host.LastIndexOf('@');
        if (at > 0) { user ??= host[..at]; host = host[(at + 1)..]; }
        int colon = host.LastIndexOf(':');
        if (colon > 0 && host.IndexOf(':') == colon && int.TryParse(host[(colon + 1)..], out int p) && p is > 0 and < 65536)
        {
            port ??= p;
            host = host[..colon];
        }
        string? key = KeyFilePath is null ? null : GetUnresolvedProviderPathFromPSPath(KeyFilePath);
        return RemoteTarget.ForSsh(host, host, user, key, port, SshOptions());
    }

    private Dictionary<string, string> SshOptions()
    {
        try { return RemoteTarget.SshOptions(Options); }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(e, ErrorIds.InvokeHostAttestationTargetInvalid, Options);
            throw; // not reached
        }
    }

    /// <summary>Queues a remote host (the sweep starts with the first one) and writes the results that are ready.</summary>
    private void AddRemote(SweepTarget target)
    {
        _sweep ??= StartSweep();
        target = target with { Selection = Selection(target.Name) };
        if (_sweep.Add(target)) _job?.AddHost(target.Name);
        else if (!_sweep.Sweep.IsStopping) WriteWarning($"{target.Name} is given twice: it is attested once");
        if (_job is null) _sweep.DrainReady(_writer);
    }

    private SweepRunner StartSweep()
    {
        var timeout = TimeSpan.FromSeconds(TimeoutSec);
        string? tpm = MyInvocation.BoundParameters.ContainsKey("Tpm") ? Tpm : null;
        var source = new RemotingEvidenceSource(ThrottleLimit, AttestationKeyHandle, NoEventLog, tpm)
        {
            Timeout = timeout, EventLogPath = EventLogPath,
        };
        var options = new SweepOptions
        {
            ThrottleLimit = ThrottleLimit, Timeout = timeout, Retries = RetryCount,
            Selection = Selection(SingleHostName ?? ""),
        };
        var store = _store;
        var policy = _policy;
        bool retain = RetainEvidence;
        var keyOptions = _options;
        Func<IHostJudge> judges = store is not null
            ? () => new RegistryJudge(store, policy, retain)
            : () => new KeyJudge(keyOptions);
        if (AsJob) _job = new AttestationJob(MyInvocation.Line, JobName);
        var sweep = new FleetSweep(source, judges, options, AsJob ? default : CancellationToken);
        // A job owns the store from here on: it outlives this pipeline.
        IDisposable owned = AsJob && store is not null ? new Owned(source, store) : source;
        if (AsJob) _store = null;
        return new SweepRunner(sweep, "Attesting hosts", owned);
    }

    private sealed class Owned(params IDisposable[] parts) : IDisposable
    {
        public void Dispose() { foreach (var part in parts) part.Dispose(); }
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
        WriteObject(Judge(evidence, SingleHostName, null, null));
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
        try
        {
            if (_job is not null)
            {
                JobRepository.Add(_job);
                _job.Start(_sweep!);
                _sweep = null;
                WriteObject(_job);
            }
            else _sweep?.DrainAll(_writer, CancellationToken);
        }
        finally
        {
            _sweep?.Dispose();
            _verifier?.Dispose();
            _store?.Dispose();
        }
    }

    protected override void StopProcessing()
    {
        base.StopProcessing();
        _sweep?.Stop();
    }

    /// <summary>Sweep output on the pipeline thread: results, non-terminating errors, progress.</summary>
    private sealed class CmdletSweepWriter(InvokeHostAttestationCommand cmdlet) : ISweepWriter
    {
        public void Result(SweepOutcome outcome) => cmdlet.WriteObject(outcome.Result);
        public void Error(SweepOutcome outcome, ErrorRecord error) => cmdlet.WriteError(error);
        public void Progress(ProgressRecord progress) => cmdlet.WriteProgress(progress);
    }
}
