@{
    Synopsis    = 'Enrolls hosts: binds each one''s attestation key to its manufacturer-certified endorsement key and stores it.'
    Description = @'
Register-TrustedHost enrolls the host of the local TPM (or of -Tpm), the remote hosts of PSSessions (-Session), or remote hosts it reaches itself over SSH (-HostName with -UserName, -KeyFilePath, -Port, -Options) or WinRM (-ComputerName, -Credential): it opens a session to each, enrolls the host under the name given (the name sweeps reach it by) and closes the session. For each host it reads the endorsement key (EK), the EK certificate as the TPM stores it (padding and the TCG NV header are accepted) with the TPM's own chain certificates, and the attestation key (AK) at -AttestationKeyHandle. It then:

- checks the AK: restricted, sign only, fixedTPM, fixedParent, sensitiveDataOrigin, and that its name matches its public area;
- validates the EK certificate to the trust anchors the admin chose (-EkTrustPath): validity now, basic constraints and path length, key usage, the EK extended key usage where present, and that the certificate's key is the EK. Certificates the host offers are only ever intermediates, never anchors. The TPM manufacturer, model and firmware version from the certificate's subject alternative name are recorded;
- makes a credential challenge bound to the AK's name under the EK (TPM2_MakeCredential on this machine) and has the host's TPM release it (Unprotect-TpmCredential). Only a TPM that holds both keys can;
- stores the host (name, EK, certificate chain and its outcome, AK, who enrolled it and when, policy name, tags).

A host whose EK certificate does not validate is not enrolled, unless -AllowUnverifiedEndorsementKey: it is then stored with its reasons and is never Trusted (enrollment.ek). A failure for one host is a non-terminating error; the others go on. The AK must exist: create one with New-TpmAttestationKey (on a remote host through Invoke-Command).
'@
    Parameters  = @{
        Session                       = 'PSSessions to remote hosts that have the TrustedCompute module; each host is enrolled under the session''s computer name.'
        HostName                      = 'SSH targets to enroll (name, address, user@host:port), each under the name given. Without -UserName/-KeyFilePath/-Port/-Options: the name to enroll the local TPM''s host under (default: this machine''s name).'
        UserName                      = 'The SSH user name.'
        KeyFilePath                   = 'The private key file for SSH (BatchMode is always on: nothing prompts).'
        Port                          = 'The SSH or WinRM port.'
        Options                       = 'SSH options (ssh -o), for example @{ UserKnownHostsFile = ''./known_hosts''; StrictHostKeyChecking = ''yes'' }.'
        ComputerName                  = 'WinRM targets to enroll (Windows admin nodes), each under the name given.'
        Credential                    = 'The WinRM credential; used to connect and never written anywhere.'
        AttestationKeyHandle          = 'The persistent handle of the attestation key to enroll, locally or on each remote host. Default: 0x81010002.'
        PolicyName                    = 'The stored policy (Register-AttestationPolicy) the host is judged by.'
        Tag                           = 'Tags for the host, to select hosts with Get-TrustedHost -Tag.'
        EkTrustPath                   = 'Folders of the EK root and intermediate CA certificates you trust (PEM or DER files). Default: the per-user folder (TrustedCompute/ek-roots under the local application data folder) and the system folder (/etc/trustedcompute/ek-roots, or TrustedCompute\ek-roots under ProgramData).'
        AllowUnverifiedEndorsementKey = 'Enroll a host even when its EK certificate does not validate. Such a host is at best Unknown (enrollment.ek).'
        Force                         = 'Enroll a host again that is enrolled already (a new AK or a new TPM), keeping its policy and tags unless given.'
        StoreConnectionString = 'The store of the host registry: a SQLite file path (sqlite:<path> also works) or a PostgreSQL connection string or URI without a password (use a .pgpass file). Default: $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file.'
        Tpm                           = 'The local TPM: swtpm:host=H,port=P for a simulator, device:/dev/tpmrm0 on Linux, tbs: on Windows; on remote hosts, the TPM their sessions use. Default: $env:TRUSTEDCOMPUTE_TPM, else this machine''s TPM.'
    }
    Outputs     = 'TrustedCompute.Store.EnrolledHost, one per host enrolled.'
    Examples    = @(
        @{
            Code    = 'Register-TrustedHost -EkTrustPath ./ek-roots -Tag lab | Format-List'
            Remarks = 'Enrolls this machine with the EK CA certificates in ./ek-roots and shows the record: keys, EK chain outcome, TPM manufacturer and model.'
        }
        @{
            Code    = @'
Invoke-Command -Session $s { New-TpmAttestationKey -AttestationKeyHandle 0x81010010 -Confirm:$false } | Out-Null
Register-TrustedHost -Session $s -AttestationKeyHandle 0x81010010 -EkTrustPath ./ek-roots
'@
            Remarks = 'Creates an attestation key on a remote host and enrolls the host over its PSSession.'
        }
        @{
            Code    = 'Register-TrustedHost -EkTrustPath ./ek-roots -WhatIf'
            Remarks = 'Shows what would be enrolled, and changes nothing.'
        }
    )
    RelatedLinks = @('Get-TrustedHost', 'Invoke-HostAttestation', 'Register-AttestationPolicy', 'about_TrustedCompute_Enrollment')
}
