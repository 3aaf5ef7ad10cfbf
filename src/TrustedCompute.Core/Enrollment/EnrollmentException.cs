using TrustedCompute.Attestation;

namespace TrustedCompute.Enrollment;

/// <summary>An enrollment that could not be completed, with every reason.</summary>
public sealed class EnrollmentException(string message, AttestationReason[] reasons) : Exception(message)
{
    public AttestationReason[] Reasons { get; } = reasons;
}
