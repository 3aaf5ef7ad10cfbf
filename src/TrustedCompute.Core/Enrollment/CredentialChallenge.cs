namespace TrustedCompute.Enrollment;

/// <summary>
/// A credential bound to one AK name and one EK, as <see cref="Tpm.TpmClient.ActivateCredential"/> and
/// <see cref="Tpm.TpmOperations.ActivateCredential"/> take it: both arrays are the contents of their TPM2B, without
/// the u16 size prefix (the client adds it).
/// </summary>
/// <param name="CredentialBlob">TPM2B_ID_OBJECT content: TPM2B_DIGEST integrityHMAC (with its own u16 size), then
/// encIdentity (the AES-CFB encrypted TPM2B_DIGEST credential).</param>
/// <param name="EncryptedSecret">TPM2B_ENCRYPTED_SECRET content: the RSA-OAEP ciphertext of the seed (modulus size)
/// for an RSA EK, the ephemeral public point as TPMS_ECC_POINT (two TPM2B coordinates) for an ECC EK.</param>
public sealed record CredentialChallenge(byte[] CredentialBlob, byte[] EncryptedSecret);
