@{
    Synopsis    = 'Creates an attestation key (a restricted signing key) under the endorsement key and makes it persistent.'
    Description = @'
New-TpmAttestationKey creates a restricted, fixed signing key in the endorsement hierarchy as a child of the RSA EK (authorized with PolicySecret on the endorsement hierarchy), loads it and makes it persistent at -Handle. Quotes signed by it carry the TPM's real reset and restart counters.

Key types: RsaSsa (RSA-2048, RSASSA-PKCS1-v1_5/SHA-256), RsaPss (RSA-2048, RSA-PSS/SHA-256) and EcDsa (NIST P-256, ECDSA/SHA-256).
'@
    Parameters  = @{
        KeyType = 'RsaSsa (default), RsaPss or EcDsa.'
        AttestationKeyHandle = 'The persistent handle (alias Handle; 0x81000000-0x81FFFFFF) to keep the key at. Default: 0x81010002.'
        Force   = 'Replaces an attestation key already at the handle. Without it, an occupied handle is an error.'
        Tpm = 'The TPM to use: swtpm:host=H,port=P[,locality=N][,timeout=S] for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'TrustedCompute.Tpm.AttestationKeyInfo of the new key: Handle, KeyType, Public, Name and QualifiedName.'
    Examples    = @(
        @{
            Code    = 'New-TpmAttestationKey -KeyType EcDsa -AttestationKeyHandle 0x81010003'
            Remarks = 'Creates an ECDSA P-256 attestation key at 0x81010003.'
        }
        @{
            Code    = 'New-TpmAttestationKey -Force -WhatIf'
            Remarks = 'Shows what would be replaced at the default handle, without changing the TPM.'
        }
    )
    RelatedLinks = @('Get-TpmAttestationKey', 'Remove-TpmAttestationKey', 'Get-TpmQuote')
}
