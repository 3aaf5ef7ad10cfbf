@{
    Synopsis    = 'Credential activation: has the TPM release a verifier''s secret bound to an attestation key and the EK.'
    Description = 'Unprotect-TpmCredential runs TPM2_ActivateCredential with the attestation key at -AttestationKeyHandle and the endorsement key of -EndorsementKeyType (made from its TCG template, under an endorsement policy session). The TPM releases the secret only when the challenge was made for exactly that AK''s name and that EK, so a verifier that gets its secret back knows the two keys live in one TPM. It is the host side of Register-TrustedHost.'
    Parameters  = @{
        CredentialBlob       = 'The TPM2B_ID_OBJECT contents of the challenge (the credential blob).'
        EncryptedSecret      = 'The TPM2B_ENCRYPTED_SECRET contents of the challenge.'
        AttestationKeyHandle = 'The persistent handle of the attestation key the challenge was made for. Default: 0x81010002.'
        EndorsementKeyType   = 'The EK template the challenge was made for. Default: Rsa2048.'
        Tpm                  = 'The TPM to use: swtpm:host=H,port=P for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'System.Byte[]: the released secret.'
    Inputs      = @{ CredentialBlob = 'Objects with CredentialBlob and EncryptedSecret properties (a challenge).' }
    Examples    = @(
        @{
            Code    = 'Get-TpmEnrollmentRequest | New-TpmCredential -Secret (1..32) | Unprotect-TpmCredential'
            Remarks = 'Makes a challenge for this host''s AK and EK (as a verifier would) and has the TPM release the secret 1..32.'
        }
    )
    RelatedLinks = @('Register-TrustedHost', 'New-TpmCredential', 'Get-TpmEnrollmentRequest')
}
