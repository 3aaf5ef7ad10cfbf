@{
    Synopsis    = 'Checks a launch control policy as SINIT would, and whether an MLE or platform would be allowed.'
    Description = @'
Checks the policy and its data: PolicyHash against the lists, every list signature (RSASSA, RSA-PSS, ECDSA), the
signature algorithms against LcpSignAlgMask, element hash algorithms against LcpHashAlgMask, and list revocation
counters against DataRevocationCounters. With -Measurement or -MlePath it tells whether that MLE would be allowed
(MleAllowed); with -PcrValue whether that platform configuration would be (PlatformAllowed). Every problem is a
finding with a stable id (policy.hash, list.signature, list.revoked, list.signalg, element.hashalg, data.missing, ...).
'@
    Parameters  = @{
        InputObject          = 'A policy from New-LaunchControlPolicy, Import-LaunchControlPolicy or Get-LaunchControlPolicy.'
        Path                 = 'A .pol file to read (its .data beside it).'
        DataPath             = 'The policy data file, for a policy read from a TPM or stored elsewhere. Default: the .data file beside -Path, or the data the policy carries.'
        Measurement          = 'An MLE hash (hex) to check against the MLE elements.'
        MlePath              = 'An MLE image (such as /boot/tboot.gz) to measure and check.'
        CommandLine          = 'The command line measured with -MlePath. Default: none (an empty command line).'
        MeasurementAlgorithm = 'Hash algorithm for -MlePath: Sha256 (default), Sha1, Sha384 or Sha512.'
        PcrValue             = 'PCR values to check against the PCONF elements: a hashtable of index to hex or bytes (bank -PcrBank), or PCR objects with Index, Value and Bank such as Get-TpmPcr writes (every bank they carry).'
        PcrBank              = 'The bank of hashtable -PcrValue entries and of PCR objects without a bank: Sha256 (default), Sha1, Sha384 or Sha512.'
        Quiet                = 'Returns only $true (valid and allowed) or $false.'
    }
    Outputs     = 'TrustedCompute.Txt.LcpPolicyTestResult with the findings (each with a stable id) and, when asked, MleAllowed and PlatformAllowed. With -Quiet, a System.Boolean.'
    Inputs      = @{
        InputObject = 'A policy from New-LaunchControlPolicy, Import-LaunchControlPolicy or Get-LaunchControlPolicy.'
    }
    Examples    = @(
        @{
            Code    = @'
New-LaunchControlPolicyElement -Type Mle -Path /boot/tboot.gz -CommandLine 'logging=serial,memory' | New-LaunchControlPolicy | Export-LaunchControlPolicy -Path ./po
Test-LaunchControlPolicy ./po.pol -MlePath /boot/tboot.gz -CommandLine 'logging=serial,memory'
'@
            Remarks = 'Would SINIT launch this tboot with this command line under the policy?'
        }
        @{
            Code    = 'Import-LaunchControlPolicy ./po.pol | Test-LaunchControlPolicy -Quiet'
            Remarks = 'True when structure, hashes and signatures are sound.'
        }
    )
    RelatedLinks = @('New-LaunchControlPolicy', 'Get-LaunchControlPolicy')
}
