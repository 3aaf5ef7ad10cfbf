@{
    Synopsis    = 'Creates an Intel TXT launch control policy (LCP_POLICY2) and its policy data.'
    Description = @'
Creates the policy SINIT reads from the TPM's platform-owner NV index, and for type List the LCP_POLICY_DATA with the
lists, in pipeline order. PolicyHash is computed as SINIT does: the hash of the concatenated list hashes, where a signed
list contributes the hash of its public key as stored and an unsigned list the hash of its bytes. Loose elements on the
pipeline are gathered into one unsigned list after the given lists. The bytes equal lcp2_crtpol's for the same input.
Masks left out are derived: the hash mask from the policy and element hash algorithms, the signature mask from the
signed lists.
'@
    Parameters  = @{
        InputObject           = 'Policy lists and elements. Elements are gathered into one unsigned list of -ListVersion.'
        PolicyType            = 'List (default): only what the lists allow may launch. Any: every MLE and platform configuration is allowed.'
        Version               = 'LCP_POLICY2 version: 3.2 (default), 3.1 or 3.0.'
        HashAlgorithm         = 'Hash algorithm of PolicyHash: Sha256 (default), Sha384, Sha512 or Sha1.'
        HashAlgorithmMask     = 'LcpHashAlgMask: hash algorithms SINIT may use for evaluation (Sha1, Sha256, Sha384, Sha512, Sm3_256). Default: derived from the policy and element hash algorithms.'
        SignAlgorithmMask     = 'LcpSignAlgMask: allowed list signature algorithms (Rsa2048Sha1, Rsa2048Sha256, Rsa3072Sha256, Rsa3072Sha384, EcdsaP256, EcdsaP384, Sm2). Default: derived from the signed lists.'
        AuxHashAlgorithmMask  = 'AuxHashAlgMask: hash algorithms allowed for auto-promotion (policy versions 3.0 and 3.1; reserved, and left 0, in 3.2). Default: none (0).'
        PolicyControl         = 'PolicyControl bits: NpwAllowed (allow non-production SINIT), SinitCapabilitiesInPcr17, OwnerEnforced. Default: none set.'
        SinitMinVersion       = 'The lowest SINIT version allowed. Default: 0.'
        MaxSinitMinVersion    = 'MaxSinitMinVersion (default 0xFF).'
        DataRevocationCounter = 'Up to 8 revocation counters, one per list; a signed list with a lower counter is rejected by SINIT. Default: 0 for every list.'
        ListVersion           = 'Version of the list made from loose elements: 0x300 (default), 0x201 or 0x200.'
    }
    Outputs     = 'TrustedCompute.Txt.LaunchControlPolicy: the LCP_POLICY2 and, for type List, its LCP_POLICY_DATA.'
    Inputs      = @{
        InputObject = 'Policy lists (New-LaunchControlPolicyList) and elements (New-LaunchControlPolicyElement).'
    }
    Examples    = @(
        @{
            Code    = @'
$signedList = New-LaunchControlPolicyElement -Type Mle -Path /boot/tboot.gz | New-LaunchControlPolicyList -KeyFilePath ./lcp_key.pem
$unsignedList = Get-TpmPcr -PcrIndex 0, 7 -Bank sha256 | New-LaunchControlPolicyElement -Type Pconf | New-LaunchControlPolicyList
$signedList, $unsignedList | New-LaunchControlPolicy | Export-LaunchControlPolicy -Path ./po
'@
            Remarks = 'Writes po.pol (for the TPM) and po.data (for the boot loader) from a signed list that allows tboot and an unsigned one that allows this platform configuration.'
        }
        @{
            Code    = 'New-LaunchControlPolicy -PolicyType Any'
            Remarks = 'A policy that allows any MLE and platform.'
        }
    )
    RelatedLinks = @('Export-LaunchControlPolicy', 'Set-LaunchControlPolicy', 'Test-LaunchControlPolicy')
}
