@{
    Synopsis    = 'Collects attestation evidence from the local TPM or from remote hosts.'
    Description = @'
Get-AttestationEvidence gathers what a verifier needs to judge a host: the attestation key's public area, name and qualified name, the endorsement key's public area and certificate, one quote per requested bank (the signed TPMS_ATTEST and its TPMT_SIGNATURE) over the nonce, the PCR values quoted, the TCG event log and the host name. The output is an AttestationEvidence bundle of plain fields (bytes, strings, numbers), so it survives remoting and Export-AttestationEvidence.

With -Session (or -HostName for SSH, -ComputerName for WinRM: a session is opened to each host and closed after), each remote host collects its own evidence with the TrustedCompute module installed there and sends the bytes back; nothing is judged on the remote side. Verify evidence with Invoke-HostAttestation.
'@
    Parameters  = @{
        AttestationKeyHandle = 'The persistent handle of the attestation key that quotes. Default: 0x81010002 (create it with New-TpmAttestationKey).'
        Session        = 'PSSessions to remote hosts (SSH or WinRM) that have the TrustedCompute module; each returns one evidence bundle.'
        HostName       = 'SSH targets (name, address, user@host:port) that have the TrustedCompute module; each returns one evidence bundle.'
        UserName       = 'The SSH user name.'
        KeyFilePath    = 'The private key file for SSH (BatchMode is always on: nothing prompts).'
        Port           = 'The SSH or WinRM port.'
        Options        = 'SSH options (ssh -o), for example @{ UserKnownHostsFile = ''./known_hosts''; StrictHostKeyChecking = ''yes'' }.'
        ComputerName   = 'WinRM targets (Windows admin nodes) that have the TrustedCompute module.'
        Credential     = 'The WinRM credential; used to connect and never written anywhere.'
        Nonce          = 'Qualifying data (1-64 bytes) the quotes sign; a verifier sends its own. Default: 32 random bytes, echoed in the evidence.'
        PcrIndex       = 'PCR indexes to quote, in every bank (0-23): numbers, arrays or strings such as ''0-7,16''. Default: 0-7.'
        Bank           = 'PCR banks to quote, one quote per bank: sha1, sha256, sha384, sha512. Default: sha256.'
        EventLogPath   = 'A TCG event log file to include. Default: the platform''s log (/sys/kernel/security/tpm0/binary_bios_measurements on Linux), or none when the machine has none.'
        NoEventLog     = 'Do not include an event log.'
        Tpm            = 'The TPM to use: swtpm:host=H,port=P[,locality=N][,timeout=S] for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'TrustedCompute.Attestation.AttestationEvidence: one bundle for the local TPM, or one per remote host.'
    Inputs      = @{
        Session = 'PSSessions, such as New-PSSession writes.'
    }
    Examples    = @(
        @{
            Code    = '$e = Get-AttestationEvidence -PcrIndex (0..9) -Bank sha1, sha256'
            Remarks = 'Quotes PCRs 0-9 of both banks with a fresh nonce and includes the platform event log, if the machine has one.'
        }
        @{
            Code    = @'
$nonce = [Security.Cryptography.RandomNumberGenerator]::GetBytes(32)
$null = New-Item -ItemType Directory ./evidence
Get-AttestationEvidence -Session $s -Nonce $nonce | Export-AttestationEvidence -Path ./evidence
'@
            Remarks = 'Collects evidence on the remote hosts of the PSSessions in $s (New-PSSession -HostName ...) over one nonce and saves one JSON file per host.'
        }
        @{
            Code    = 'Get-AttestationEvidence -AttestationKeyHandle 0x81010002 -PcrIndex 0, 7 -NoEventLog'
            Remarks = 'Quotes with the attestation key at 0x81010002, without an event log.'
        }
    )
    RelatedLinks = @('Invoke-HostAttestation', 'Export-AttestationEvidence', 'New-TpmAttestationKey', 'about_TrustedCompute_Attestation')
}
