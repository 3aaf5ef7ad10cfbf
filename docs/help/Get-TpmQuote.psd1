@{
    Synopsis    = 'Quotes PCRs with an attestation key over a nonce.'
    Description = @'
Get-TpmQuote asks the TPM to sign the selected PCRs (TPM2_Quote) with the attestation key at -AttestationKey, over the caller's nonce, and reads the quoted PCR values. The output holds the Nonce, the selections, the signed TPMS_ATTEST bytes (Attest), the Signature, the PcrValues and the key's public area. If a PCR changes between the quote and the read, the quote is taken again.

A verifier checks the quote against the nonce it chose; the default nonce is 32 random bytes and is echoed in the output.
'@
    Parameters  = @{
        PcrIndex       = 'PCR indexes to quote (0-23): numbers, arrays or strings such as ''0-7,16''. Default: 0-7.'
        Bank           = 'PCR banks to quote, one selection each: sha1, sha256, sha384, sha512. Default: sha256.'
        Nonce          = 'Qualifying data (1-64 bytes) the TPM signs with the PCRs. Default: 32 random bytes.'
        AttestationKeyHandle = 'The persistent handle of the attestation key (alias Handle; binds from the Handle property of Get-/New-TpmAttestationKey output). Default: 0x81010002.'
        Tpm = 'The TPM to use: swtpm:host=H,port=P[,locality=N][,timeout=S] for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'TrustedCompute.Tpm.TpmQuote: the Nonce, the selections, Attest (the signed TPMS_ATTEST bytes), Signature, Parsed, PcrValues and the key''s Public.'
    Examples    = @(
        @{
            Code    = '$q = Get-TpmQuote -PcrIndex (0..7) -Bank sha1, sha256'
            Remarks = 'Quotes PCRs 0-7 of both banks with a fresh random nonce.'
        }
        @{
            Code    = 'Get-TpmQuote -Nonce ([byte[]](1..20))'
            Remarks = 'Quotes with a nonce a verifier sent.'
        }
        @{
            Code    = 'Get-TpmQuote -AttestationKeyHandle 0x81010002 -PcrIndex 16'
            Remarks = 'Quotes PCR 16 with the attestation key at 0x81010002.'
        }
    )
    RelatedLinks = @('New-TpmAttestationKey', 'Get-TpmPcr')
}
