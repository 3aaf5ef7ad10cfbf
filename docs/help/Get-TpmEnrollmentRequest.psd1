@{
    Synopsis    = 'Reads what this host offers for enrollment: its EK, EK certificates and attestation key.'
    Description = 'Get-TpmEnrollmentRequest is the host side of Register-TrustedHost: it reads the endorsement key (the low-range RSA-2048 one when it has a certificate, else the first with one), its certificate exactly as stored in NV, the TPM''s EK chain certificates (NV 0x01C00100-0x01C001FF) and the attestation key at -AttestationKeyHandle. It changes nothing. Nothing in it is trusted until the verifier checks it; its ToJson() method gives the form that crosses remoting.'
    Parameters  = @{
        AttestationKeyHandle = 'The persistent handle of the attestation key to offer. Default: 0x81010002.'
        Tpm                  = 'The TPM to use: swtpm:host=H,port=P for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'TrustedCompute.Enrollment.EnrollmentRequest.'
    Examples    = @(
        @{
            Code    = 'Get-TpmEnrollmentRequest | Format-List'
            Remarks = 'Shows which EK and AK this host would offer for enrollment.'
        }
    )
    RelatedLinks = @('Register-TrustedHost', 'Unprotect-TpmCredential')
}
