using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using TrustedCompute.Attestation;
using TrustedCompute.PowerShell.Commands.Attestation;
using TrustedCompute.Enrollment;
using TrustedCompute.PowerShell.Commands.Tpm;
using TrustedCompute.Fleet;
using TrustedCompute.PowerShell.Commands.Fleet;
using TrustedCompute.PowerShell.Infrastructure;
using TrustedCompute.Store;
using TrustedCompute.Tpm;

namespace TrustedCompute.PowerShell.Commands.Registry;

/// <summary>
/// Enrolls hosts: reads the EK and AK (local TPM or over PSSessions), validates the EK certificate chain to the
/// admin's anchors, proves by credential activation that the AK lives in the same TPM as the EK, and stores the host.
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "TrustedHost", SupportsShouldProcess = true, DefaultParameterSetName = LocalSet)]
[OutputType(typeof(EnrolledHost))]
public sealed class RegisterTrustedHostCommand : RemoteHostCmdlet
{
    private const string LocalSet = "Local";
    private const string SessionSet = "Session";
    private IAttestationStore? _store;
    private EkTrustAnchors? _anchors;

    [Parameter(Mandatory = true, ParameterSetName = SessionSet)]
    [ValidateNotNullOrEmpty]
    public PSSession[] Session { get; set; } = [];

    /// <summary>
    /// SSH targets to enroll, each under the name given (the name sweeps reach it by). With the local TPM: the one
    /// name to enroll it under; default this machine's name. Sessions enroll under their computer name.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = SshSet, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = LocalSet, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[]? HostName { get; set; }


    [Parameter]
    [Alias("Handle")]
    [ValidateRange(0x81000000u, 0x81FFFFFFu)]
    [TpmHandleTransformation]
    public uint AttestationKeyHandle { get; set; } = TpmHandles.DefaultAttestationKey;

    /// <summary>The stored policy the host is judged by.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PolicyName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Tag { get; set; } = [];

    /// <summary>Folders of trusted EK root and intermediate certificates (PEM or DER); default the per-user and system folders.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? EkTrustPath { get; set; }

    /// <summary>Enroll even when the EK certificate does not validate; such a host is never Trusted (enrollment.ek).</summary>
    [Parameter]
    public SwitchParameter AllowUnverifiedEndorsementKey { get; set; }

    /// <summary>Replace the enrollment of a host of that name (a new AK, or a new TPM).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StoreConnectionString { get; set; }

    protected override void BeginProcessing()
    {
        var folders = EkTrustPath?.Select(GetUnresolvedProviderPathFromPSPath).ToList() ?? [.. EkTrustAnchors.DefaultFolders()];
        _anchors = EkTrustAnchors.Load(folders);
        foreach (var problem in _anchors.Problems) WriteWarning(problem);
        WriteVerbose($"EK trust anchors: {_anchors.Roots.Count} roots, {_anchors.Intermediates.Count} intermediates from {string.Join(", ", folders)}");
        _store = StoreAccess.Open(this, StoreConnectionString);
        if (PolicyName is not null && _store.GetPolicy(PolicyName) is null)
            ThrowTerminatingError(new ItemNotFoundException($"No policy named '{PolicyName}' is in the store: add it with Register-AttestationPolicy"),
                ErrorIds.RegisterTrustedHostPolicyNotFound, PolicyName);
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == SessionSet)
        {
            foreach (var session in Session) Enroll(session.ComputerName, new RemoteTpm(this, session, Tpm, MyInvocation.BoundParameters.ContainsKey("Tpm")));
            return;
        }
        if (IsRemoteHostSet)
        {
            EnrollRemote();
            return;
        }
        if (HostName is { Length: > 1 })
            ThrowTerminatingError(new ArgumentException("The local TPM is one host: give one -HostName (or -UserName/-KeyFilePath to reach SSH hosts)"),
                ErrorIds.RegisterTrustedHostCollectFailed, HostName);
        Enroll(HostName?[0] ?? Environment.MachineName, new LocalTpm(this));
    }

    protected override string[]? SshHostNames => HostName;

    private void EnrollRemote() => ForEachNewSession(ErrorIds.RegisterTrustedHostCollectFailed,
        target => ShouldProcess(target.Name, "Enroll the host: read its EK and AK, run credential activation, store it"),
        (target, session) => Enroll(target.Name, new RemoteTpm(this, session, Tpm, MyInvocation.BoundParameters.ContainsKey("Tpm")), asked: true));

    private void Enroll(string name, IEnrollmentTarget target, bool asked = false)
    {
        if (!asked && !ShouldProcess(name, "Enroll the host: read its EK and AK, run credential activation, store it")) return;
        EnrolledHost? existing = _store!.GetHost(name);
        if (existing is not null && !Force)
        {
            WriteError(new StoreException(StoreErrorKind.Conflict, $"'{name}' is enrolled already: use -Force to enroll it again"),
                ErrorIds.RegisterTrustedHostExists, name);
            return;
        }
        try
        {
            var request = target.Request(AttestationKeyHandle);
            var enrollment = HostEnrollment.Begin(request, _anchors!, DateTime.UtcNow);
            if (enrollment.Challenge is null)
                throw new EnrollmentException($"'{name}' cannot be enrolled: {Describe(enrollment.RequestReasons)}", enrollment.RequestReasons);
            if (!enrollment.EndorsementKeyValidation.IsValid && !AllowUnverifiedEndorsementKey)
                throw new EnrollmentException($"The EK certificate of '{name}' does not validate: {Describe(enrollment.EndorsementKeyValidation.Reasons)}",
                    enrollment.EndorsementKeyValidation.Reasons);
            byte[] secret = target.Activate(enrollment.Challenge, AttestationKeyHandle, request.EndorsementKeyType);
            var host = enrollment.Complete(secret, name, Environment.UserName, PolicyName ?? existing?.PolicyName ?? "",
                Tag.Length > 0 ? Tag : existing?.Tags ?? [], AllowUnverifiedEndorsementKey);
            var holder = _store.GetHostByAttestationKey(host.AttestationKeyName);
            if (holder is not null && !string.Equals(holder.Name, name, StringComparison.OrdinalIgnoreCase))
                throw new StoreException(StoreErrorKind.Conflict, $"That attestation key is enrolled already, for '{holder.Name}'");
            if (existing is null) _store.AddHost(host);
            else _store.UpdateHost(host);
            WriteObject(host);
        }
        catch (EnrollmentException e) { WriteError(e, ErrorIds.RegisterTrustedHostRejected, name); }
        catch (StoreException e) { WriteError(e, e.Kind == StoreErrorKind.Conflict ? ErrorIds.RegisterTrustedHostExists : ErrorIds.StoreOperationFailed, name); }
        catch (Exception e) when (e is TpmException or TpmProtocolException or TpmTransportException or InvalidDataException
            or InvalidOperationException or RuntimeException or ArgumentException)
        {
            WriteError(e, ErrorIds.RegisterTrustedHostCollectFailed, name);
        }
    }

    private static string Describe(IEnumerable<AttestationReason> reasons) => string.Join("; ", reasons.Select(r => r.ToString()));

    protected override void EndProcessing()
    {
        _store?.Dispose();
        _anchors?.Dispose();
    }

    /// <summary>Where the host's TPM is: this machine (or -Tpm), or the far end of a session.</summary>
    private interface IEnrollmentTarget
    {
        EnrollmentRequest Request(uint attestationKeyHandle);
        byte[] Activate(CredentialChallenge challenge, uint attestationKeyHandle, EndorsementKeyType ekType);
    }

    private sealed class LocalTpm(RegisterTrustedHostCommand cmdlet) : IEnrollmentTarget
    {
        public EnrollmentRequest Request(uint handle)
        {
            using var tpm = cmdlet.OpenTpm();
            return UsingAttestationKey(handle, () => EnrollmentRequest.Collect(tpm, handle, Environment.MachineName, cmdlet.CancellationToken));
        }

        public byte[] Activate(CredentialChallenge challenge, uint handle, EndorsementKeyType ekType)
        {
            using var tpm = cmdlet.OpenTpm();
            return TpmOperations.ActivateCredential(tpm, handle, challenge.CredentialBlob, challenge.EncryptedSecret, ekType, cmdlet.CancellationToken);
        }
    }

    private sealed class RemoteTpm(PSCmdlet cmdlet, PSSession session, string? tpm, bool tpmGiven) : IEnrollmentTarget
    {
        public EnrollmentRequest Request(uint handle) =>
            EnrollmentRequest.FromJson(Run("(Get-TpmEnrollmentRequest @p -ErrorAction Stop).ToJson()", new Hashtable { ["AttestationKeyHandle"] = handle }));

        public byte[] Activate(CredentialChallenge challenge, uint handle, EndorsementKeyType ekType)
        {
            string text = Run("[Convert]::ToBase64String((Unprotect-TpmCredential @p -ErrorAction Stop))", new Hashtable
            {
                ["CredentialBlob"] = challenge.CredentialBlob, ["EncryptedSecret"] = challenge.EncryptedSecret,
                ["AttestationKeyHandle"] = handle, ["EndorsementKeyType"] = ekType.ToString(),
            });
            try { return Convert.FromBase64String(text); }
            catch (FormatException) { throw new InvalidDataException($"{session.ComputerName} answered the credential challenge with something that is not base64"); }
        }

        private string Run(string command, Hashtable parameters)
        {
            if (tpmGiven) parameters["Tpm"] = tpm;
            var output = AttestationInput.InvokeRemote(cmdlet, session, command, parameters)
                .Where(o => o?.BaseObject is string).Select(o => (string)o.BaseObject).ToList();
            if (output.Count != 1) throw new InvalidDataException($"{session.ComputerName} returned {output.Count} strings instead of one");
            return output[0];
        }
    }
}
