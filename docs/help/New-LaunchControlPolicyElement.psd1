@{
    Synopsis    = 'Creates an Intel TXT launch control policy element: MLE, PCONF, SBIOS, STM or CUSTOM.'
    Description = @'
Creates one policy element, byte-compatible with what tboot's lcp2_crtpolelt writes. Mle gives an LCP_MLE_ELEMENT2
(allowed MLE hashes, from -Hash, from tboot images with -Path and -CommandLine, exactly what lcp2_mlehash computes, or
from hashes on the pipeline). Pconf gives an LCP_PCONF_ELEMENT2 from PCR values: -PcrValue @{0='...'; 7='...'} or
Get-TpmPcr output on the pipeline (objects with Index, Value and Algorithm); the digest is the hash of every selected
PCR value in index order, the pcrDigest a TPM2_Quote over that selection carries. Sbios and Stm hold BIOS and STM
hashes; Custom holds opaque data under a UUID, by default tboot's verified launch policy UUID.

-Legacy makes the TPM 1.2 LCP_MLE_ELEMENT and LCP_PCONF_ELEMENT (SHA-1 only).

tboot 1.10.5's lcp2_crtpolelt drops PCR7 from PCONF2 digests and writes valueSize 0 into legacy PCONF composites;
this cmdlet computes both as SINIT does, so its PCONF elements differ from tboot's exactly in those cases.
'@
    Parameters  = @{
        Type            = 'The element type: Mle, Pconf, Sbios, Stm or Custom.'
        InputObject     = 'Pipeline input: hash strings or byte arrays (Mle, Sbios, Stm), files (MLE images or custom data), or PCR objects with Index, Value and optionally Algorithm properties (Pconf), such as Get-TpmPcr writes. PCR objects of another bank than -HashAlgorithm are ignored.'
        Hash            = 'Allowed hashes as hex strings (spaces and colons allowed, as lcp2_mlehash prints them).'
        Path            = 'For Mle: tboot-style MLE images (ELF, gzip allowed) to measure. For Custom: the file holding the element data.'
        CommandLine     = 'The MLE command line measured with the image (-Path); the MLE hash depends on it. Default: none (an empty command line).'
        HashAlgorithm   = 'Hash algorithm of the element: Sha1, Sha256 (default), Sha384 or Sha512. PCR values must be from this bank.'
        Legacy          = 'Creates the TPM 1.2 (SHA-1) MLE or PCONF element types for 0x100 lists.'
        SinitMinVersion = 'SINITMinVersion of an MLE element: the lowest SINIT version allowed to launch it. Default: 0.'
        PcrValue        = 'PCR values as a hashtable of PCR index to hex string or byte array.'
        PcrIndex        = 'The PCRs to select (0-23; alias Pcr). By default every PCR given is selected; a selected PCR without a value is an error.'
        Locality        = 'localityAtRelease of a legacy PCONF element (default 0x1F: all localities).'
        FallbackHash    = 'The fallback hash of an SBIOS element (zero when not given).'
        Uuid            = 'The UUID of a Custom element, xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (default: tboot''s VLP UUID c3930641-e3cb-4f40-91d7-27f8b9e25c86).'
        Data            = 'The data of a Custom element as bytes.'
        Control         = 'PolEltControl. Bit 0 lets the PO policy override the PS policy for this element type. Default 0.'
    }
    Outputs     = 'One element, by -Type: TrustedCompute.Txt.LcpMleElement, LcpPconfElement, LcpSbiosElement, LcpStmElement or LcpCustomElement.'
    Examples    = @(
        @{
            Code    = 'New-LaunchControlPolicyElement -Type Mle -Path /boot/tboot.gz -CommandLine ''logging=serial,memory'''
            Remarks = 'Measures tboot as SINIT will and makes an MLE element allowing it.'
        }
        @{
            Code    = 'Get-TpmPcr -PcrIndex 0, 1, 2, 3, 7 -Bank sha256 | New-LaunchControlPolicyElement -Type Pconf'
            Remarks = 'Allows only the current platform configuration (PCR0-3 and PCR7 of the SHA-256 bank).'
        }
        @{
            Code    = @'
tb_polgen --create --type nonfatal ./tboot_vlp.pol
New-LaunchControlPolicyElement -Type Custom -Path ./tboot_vlp.pol
'@
            Remarks = 'Embeds a tboot verified launch policy (made by tb_polgen) as a CUSTOM element.'
        }
    )
    RelatedLinks = @('New-LaunchControlPolicyList', 'New-LaunchControlPolicy', 'about_TrustedCompute_Txt')
}
