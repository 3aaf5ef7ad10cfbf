@{
    Synopsis    = 'Gets the TPM endorsement key (EK) made from its TCG template, its certificate, and whether the two match.'
    Description = @'
Get-TpmEndorsementKey creates the EK in the endorsement hierarchy from the TCG EK Credential Profile template (so the key is the one the manufacturer certified), reads the EK certificate from its NV index, and reports CertificateMatchesKey. The key is flushed afterwards; nothing is made persistent.

Templates: Rsa2048 (L-1, certificate 0x01C00002), EccP256 (L-2, 0x01C0000A), Rsa2048High (H-1, 0x01C00012), EccP256High (H-2, 0x01C00014), EccP384High (H-3, 0x01C00016).
'@
    Parameters  = @{
        KeyType = 'The EK templates to use: Rsa2048, EccP256, Rsa2048High, EccP256High or EccP384High. Default: Rsa2048 and every other template whose certificate NV index exists on this TPM.'
        Tpm = 'The TPM to use: swtpm:host=H,port=P[,locality=N][,timeout=S] for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'TrustedCompute.Tpm.EndorsementKeyInfo, one per template: KeyType, Public, Certificate and CertificateMatchesKey.'
    Examples    = @(
        @{
            Code    = 'Get-TpmEndorsementKey | Select-Object KeyType, CertificateMatchesKey, @{n=''Issuer'';e={$_.Certificate.Issuer}}'
            Remarks = 'Shows whether each EK certificate is for this TPM''s EK, and who issued it.'
        }
        @{
            Code    = 'Get-TpmEndorsementKey -KeyType Rsa2048, EccP384High'
            Remarks = 'Gets the RSA and the P-384 endorsement keys.'
        }
    )
    RelatedLinks = @('New-TpmAttestationKey')
}
