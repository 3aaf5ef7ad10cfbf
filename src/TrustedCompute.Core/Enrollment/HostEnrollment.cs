using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using TrustedCompute.Store;
using TrustedCompute.Tpm;

namespace TrustedCompute.Enrollment;

/// <summary>
/// What a host offers for enrollment: its EK (public, certificate as stored, the TPM's chain certificates) and the AK
/// to bind. Plain bytes so it crosses remoting as JSON; nothing in it is trusted until checked.
/// </summary>
public sealed class EnrollmentRequest
{
    public const int MaxJsonSize = 1 << 20;

    public string HostName { get; set; } = "";
    public EndorsementKeyType EndorsementKeyType { get; set; }
    public byte[] EndorsementKeyPublic { get; set; } = [];
    public byte[] EndorsementKeyCertificate { get; set; } = [];
    public byte[][] EndorsementKeyChain { get; set; } = [];
    public uint AttestationKeyHandle { get; set; }
    public byte[] AttestationKeyPublic { get; set; } = [];
    public byte[] AttestationKeyName { get; set; } = [];

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter<EndorsementKeyType>() },
        MaxDepth = 4,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Parses a request; anything malformed, oversized or incomplete is an <see cref="InvalidDataException"/>.</summary>
    public static EnrollmentRequest FromJson(string json)
    {
        if (json.Length > MaxJsonSize) throw new InvalidDataException($"An enrollment request of {json.Length} characters exceeds {MaxJsonSize}");
        EnrollmentRequest? request;
        try { request = JsonSerializer.Deserialize<EnrollmentRequest>(json, Options); }
        catch (JsonException e) { throw new InvalidDataException($"The enrollment request is not valid JSON: {e.Message}", e); }
        if (request is null || request.HostName is null || request.EndorsementKeyPublic is null || request.AttestationKeyPublic is null
            || request.AttestationKeyName is null || request.EndorsementKeyCertificate is null || request.EndorsementKeyChain is null
            || request.EndorsementKeyChain.Any(c => c is null) || request.EndorsementKeyChain.Length > 32)
            throw new InvalidDataException("The enrollment request lacks a field or has null in it");
        return request;
    }

    /// <summary>
    /// Reads this TPM's enrollment material: the EK with a certificate (the low RSA-2048 one first) with the TPM's
    /// chain certificates, and the AK at <paramref name="attestationKeyHandle"/>.
    /// </summary>
    public static EnrollmentRequest Collect(TpmClient tpm, uint attestationKeyHandle, string hostName, CancellationToken cancellationToken = default)
    {
        var ak = TpmOperations.ReadAttestationKey(tpm, attestationKeyHandle, cancellationToken);
        var keys = EkCollector.Read(tpm, cancellationToken);
        var ek = keys.Where(k => k.Certificate.Length > 0).OrderBy(k => k.Type == EndorsementKeyType.Rsa2048 ? 0 : 1).FirstOrDefault()
            ?? keys.FirstOrDefault(k => k.Type == EndorsementKeyType.Rsa2048)
            ?? throw new InvalidOperationException("This TPM has no endorsement key");
        return new EnrollmentRequest
        {
            HostName = hostName,
            EndorsementKeyType = ek.Type,
            EndorsementKeyPublic = ek.Public.ToTpm2BPublic(),
            EndorsementKeyCertificate = ek.Certificate,
            EndorsementKeyChain = ek.ChainCertificates,
            AttestationKeyHandle = attestationKeyHandle,
            AttestationKeyPublic = ak.Public.ToTpm2BPublic(),
            AttestationKeyName = ak.Name,
        };
    }
}

/// <summary>
/// The verifier's side of one enrollment: checks the request (AK attributes and name, EK certificate chain to the
/// admin's anchors), makes the credential challenge for the AK name under the EK, and, given the secret the host's
/// TPM released, makes the registry record. The record exists only when the host's TPM proved it holds both keys.
/// </summary>
public sealed class HostEnrollment
{
    private readonly byte[] _secret;
    private readonly TpmPublic _ek;
    private readonly TpmPublic? _ak;

    public EnrollmentRequest Request { get; }
    public EkValidationResult EndorsementKeyValidation { get; }
    /// <summary>Problems with the AK or the request itself; when any, no challenge is made and the host cannot enroll.</summary>
    public AttestationReason[] RequestReasons { get; }
    /// <summary>The challenge for the host's TPM; null when <see cref="RequestReasons"/> is not empty.</summary>
    public CredentialChallenge? Challenge { get; }

    private HostEnrollment(EnrollmentRequest request, TpmPublic ek, TpmPublic? ak, EkValidationResult validation, AttestationReason[] reasons)
    {
        Request = request;
        _ek = ek;
        _ak = ak;
        EndorsementKeyValidation = validation;
        RequestReasons = reasons;
        _secret = RandomNumberGenerator.GetBytes(32);
        if (reasons.Length == 0 && ak is not null) Challenge = CredentialMaker.Make(ek, ak.Name(), _secret);
    }

    public static HostEnrollment Begin(EnrollmentRequest request, EkTrustAnchors anchors, DateTime at)
    {
        var reasons = new List<AttestationReason>();
        TpmPublic ek;
        try { ek = TpmPublic.FromTpm2BPublic(request.EndorsementKeyPublic); }
        catch (TpmProtocolException e)
        {
            throw new EnrollmentException($"The endorsement key public area does not parse: {e.Message}",
                [new AttestationReason(ReasonIds.EnrollmentMismatch, ReasonSeverity.Failure, "The endorsement key does not parse")]);
        }
        TpmPublic? ak = null;
        try
        {
            ak = TpmPublic.FromTpm2BPublic(request.AttestationKeyPublic);
            reasons.AddRange(AttestationKeyCheck.Check(ak, request.AttestationKeyName));
        }
        catch (TpmProtocolException e)
        {
            reasons.Add(new AttestationReason(ReasonIds.QuoteKey, ReasonSeverity.Failure, $"The attestation key public area does not parse: {e.Message}"));
        }
        var validation = EkCertificateValidator.Validate(request.EndorsementKeyCertificate, request.EndorsementKeyChain, ek, anchors, at);
        return new HostEnrollment(request, ek, ak, validation, [.. reasons]);
    }

    /// <summary>
    /// Checks the secret the host's TPM released and makes the record. <see cref="EnrollmentException"/> when the secret
    /// is wrong (the AK and EK are not in one TPM), the request had problems, or the EK certificate failed and
    /// <paramref name="allowUnverifiedEndorsementKey"/> is not set.
    /// </summary>
    public EnrolledHost Complete(ReadOnlySpan<byte> releasedSecret, string hostName, string enrolledBy, string policyName,
        IEnumerable<string> tags, bool allowUnverifiedEndorsementKey = false)
    {
        if (Challenge is null || _ak is null)
            throw new EnrollmentException("The enrollment request has problems; no challenge was made", RequestReasons);
        if (!CryptographicOperations.FixedTimeEquals(releasedSecret, _secret))
            throw new EnrollmentException($"'{hostName}' did not release the credential: its AK and EK are not in one TPM",
                [new AttestationReason(ReasonIds.EnrollmentActivation, ReasonSeverity.Failure,
                    "The TPM did not release the credential made for this AK and EK")]);
        if (!EndorsementKeyValidation.IsValid && !allowUnverifiedEndorsementKey)
            throw new EnrollmentException($"The EK certificate of '{hostName}' did not validate: " +
                string.Join("; ", EndorsementKeyValidation.Reasons.Select(r => r.ToString())), EndorsementKeyValidation.Reasons);
        var device = EndorsementKeyValidation.Device;
        return new EnrolledHost
        {
            Name = hostName,
            EndorsementKeyPublic = Request.EndorsementKeyPublic,
            EndorsementKeyName = HexText.Lower(_ek.Name()),
            EndorsementKeyCertificate = Request.EndorsementKeyCertificate,
            EndorsementKeyChain = EndorsementKeyValidation.Chain,
            EndorsementKeyReasons = EndorsementKeyValidation.Reasons,
            TpmManufacturer = device?.Manufacturer ?? "",
            TpmModel = device?.Model ?? "",
            TpmFirmwareVersion = device?.Version ?? "",
            AttestationKeyPublic = Request.AttestationKeyPublic,
            AttestationKeyName = HexText.Lower(_ak.Name()),
            EnrolledAt = DateTime.UtcNow,
            EnrolledBy = enrolledBy,
            PolicyName = policyName,
            Tags = [.. tags.Distinct(StringComparer.OrdinalIgnoreCase)],
        };
    }
}
