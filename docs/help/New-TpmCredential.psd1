@{
    Synopsis    = 'Makes a credential challenge for an attestation key and endorsement key (TPM2_MakeCredential in software).'
    Description = 'New-TpmCredential is the verifier side of credential activation, done on this machine without a TPM: it protects -Secret under the endorsement key (RSA-OAEP with the label IDENTITY for an RSA EK, an ephemeral ECDH key and KDFe for an ECC EK), bound to the attestation key''s name (KDFa, AES-CFB and an HMAC, as TPM 2.0 Part 1 says). Only a TPM that holds both keys can open it (Unprotect-TpmCredential, or tpm2_activatecredential). Register-TrustedHost uses it with a random secret.'
    Parameters  = @{
        EndorsementKeyPublic = 'The EK''s TPM2B_PUBLIC (for example from Get-TpmEnrollmentRequest).'
        AttestationKeyName   = 'The attestation key''s TPM name: its name algorithm followed by the digest of its public area.'
        Secret               = 'The secret to protect: 1 byte up to the size of the EK''s name digest (32 for SHA-256).'
    }
    Outputs     = 'TrustedCompute.Enrollment.CredentialChallenge: CredentialBlob and EncryptedSecret.'
    Inputs      = @{ EndorsementKeyPublic = 'Objects with EndorsementKeyPublic and AttestationKeyName properties, such as Get-TpmEnrollmentRequest output.' }
    Examples    = @(
        @{
            Code    = '$challenge = Get-TpmEnrollmentRequest | New-TpmCredential -Secret ([Security.Cryptography.RandomNumberGenerator]::GetBytes(32))'
            Remarks = 'Makes a challenge for this host''s EK and attestation key with a random secret.'
        }
    )
    RelatedLinks = @('Unprotect-TpmCredential', 'Register-TrustedHost')
}
