@{
    Synopsis    = 'Builds a launch control policy list from elements and optionally signs it.'
    Description = @'
Builds an LCP_POLICY_LIST2_1 (0x300; or 0x200/0x201 LCP_POLICY_LIST2, or the TPM 1.2 0x100 list) from the elements
on the pipeline, in pipeline order (tboot's lcp2_crtpollist reverses its command-line order). Unsigned lists are
byte-identical to lcp2_crtpollist's. With -KeyFilePath the list is signed: RSA-2048/3072 with RSASSA or RSA-PSS, or
ECDSA P-256/P-384 (chosen by the key). Signed lists verify with lcp2_crtpollist --verify.
'@
    Parameters  = @{
        Element                = 'The elements of the list, from New-LaunchControlPolicyElement or Import-LaunchControlPolicy.'
        Version                = 'List version: 0x300 (default), 0x201, 0x200, or 0x100 for TPM 1.2 policies.'
        KeyFilePath            = 'PEM private key (RSA or EC; PKCS#1, SEC1 or PKCS#8, optionally encrypted) to sign the list with. The key is read only from this file. Without it the list is unsigned.'
        KeyPassword            = 'Password of an encrypted PKCS#8 key file.'
        SignatureScheme        = 'RsaPss (default) or RsaSsa for RSA keys on 0x300 lists; 0x100/0x200 lists always use RSASSA. EC keys always sign with ECDSA.'
        SignatureHashAlgorithm = 'Hash of the signature: Sha256 (default), Sha384, Sha512 or Sha1. ECDSA on 0x200 lists uses the curve''s hash.'
        RevocationCounter      = 'The list''s revocation counter (default 0). SINIT rejects a list whose counter is below the policy''s DataRevocationCounters entry.'
    }
    Outputs     = 'TrustedCompute.Txt.LcpPolicyList.'
    Inputs      = @{
        Element = 'Elements from New-LaunchControlPolicyElement or Import-LaunchControlPolicy.'
    }
    Examples    = @(
        @{
            Code    = @'
$mle = New-LaunchControlPolicyElement -Type Mle -Path /boot/tboot.gz
$pconf = Get-TpmPcr -PcrIndex 0, 7 -Bank sha256 | New-LaunchControlPolicyElement -Type Pconf
$mle, $pconf | New-LaunchControlPolicyList -KeyFilePath ./lcp_key.pem -RevocationCounter 1
'@
            Remarks = 'A 0x300 list of an MLE and a PCONF element, signed with an RSA-3072 key (RSA-PSS/SHA-256).'
        }
        @{
            Code    = '$mle | New-LaunchControlPolicyList | Export-LaunchControlPolicy -Path ./mle.lst'
            Remarks = 'An unsigned list written as a .lst file tboot can read.'
        }
    )
    RelatedLinks = @('Set-LaunchControlPolicyListSignature', 'New-LaunchControlPolicy')
}
