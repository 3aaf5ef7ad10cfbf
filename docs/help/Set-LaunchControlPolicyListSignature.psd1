@{
    Synopsis    = 'Signs or re-signs a launch control policy list; the revocation counter only moves up.'
    Description = @'
Signs the list with the PEM private key in -KeyFilePath, replacing any signature it had. Without -RevocationCounter a
list that was signed gets its old counter plus one and an unsigned list gets 0; a counter below the list's current one
is refused, so a re-signed list can always be told apart from (and revoke) its predecessors.
'@
    Parameters  = @{
        List                   = 'The list to sign, from New-LaunchControlPolicyList or Import-LaunchControlPolicy. It is changed in place.'
        KeyFilePath            = 'PEM private key (RSA or EC) to sign with. The key is read only from this file.'
        KeyPassword            = 'Password of an encrypted PKCS#8 key file.'
        SignatureScheme        = 'RsaPss (default) or RsaSsa for RSA keys on 0x300 lists.'
        SignatureHashAlgorithm = 'Hash of the signature: Sha256 (default), Sha384, Sha512 or Sha1.'
        RevocationCounter      = 'The new revocation counter; it must not be below the list''s current counter. Default: the old counter plus one for a signed list, 0 for an unsigned one.'
        PassThru               = 'Writes the signed list to the pipeline.'
    }
    Outputs     = 'None by default (the list is changed in place). With -PassThru, the signed TrustedCompute.Txt.LcpPolicyList.'
    Inputs      = @{
        List = 'A list from New-LaunchControlPolicyList or Import-LaunchControlPolicy.'
    }
    Examples    = @(
        @{
            Code    = @'
New-LaunchControlPolicyElement -Type Mle -Path /boot/tboot.gz | New-LaunchControlPolicyList -KeyFilePath ./lcp_key.pem | Export-LaunchControlPolicy ./po.lst
Import-LaunchControlPolicy ./po.lst | Set-LaunchControlPolicyListSignature -KeyFilePath ./lcp_key.pem -PassThru | Export-LaunchControlPolicy ./po.lst -Force
'@
            Remarks = 'Signs a list, then re-signs it with the next revocation counter.'
        }
    )
    RelatedLinks = @('New-LaunchControlPolicyList')
}
