@{
    Synopsis    = 'Starts the attestation service that answers nova''s TrustedFilter (OpenAttestation PollHosts), /v1 JSON and /metrics.'
    Description = 'Start-AttestationService starts the service shipped in the module (service/TrustedCompute.Service.dll) as its own process on the ASP.NET Core shared framework, waits until it listens and returns its process id and URL. The service only reads the store: a host is trusted when it is enrolled and its newest result is Trusted and younger than -MaxAgeSeconds; a fresh Untrusted result is untrusted; everything else is unknown. It serves POST PollHosts, GET Version and GET hosts/trust under /OpenAttestationWebServices/V1.0 and /AttestationService/resources, GET /v1/hosts, /v1/hosts/<name>, /v1/hosts/<name>/results?since=&limit=, /healthz and /metrics. Plain HTTP is allowed only on loopback unless -AllowHttp. Secrets reach the process through its environment, never its command line. The process keeps running after this session ends; stop it with Stop-AttestationService. For a system service use docs/trustedcompute-service.service.'
    Parameters  = @{
        Port = 'The TCP port (default 8443).'
        BindAddress = 'The IP address to listen on (default 127.0.0.1). Any other address than loopback needs -CertificatePath or -AllowHttp.'
        CertificatePath = 'The TLS certificate: a PEM file (its key in the same file or in -CertificateKeyPath) or a PFX/P12 file (password in -CertificatePassword).'
        CertificateKeyPath = 'The PEM private key of -CertificatePath, when it is in a file of its own.'
        CertificatePassword = 'The password of a PFX file, as a SecureString or a PSCredential.'
        AllowHttp = 'Serve plain HTTP on an address other than loopback. Trust answers and the auth secret then cross the network in the clear.'
        StoreConnectionString = 'The store to read: a SQLite file path (sqlite:<path> also works) or a PostgreSQL connection string or URI. Default: $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file. It reaches the service through its environment.'
        AuthSecret = 'The shared secret: PollHosts, Version and hosts/trust then need it as the x-auth-blob header (nova''s [trusted_computing] auth_blob), /v1 and /metrics as a bearer token. A SecureString or a PSCredential (its password); never a plain string. Compared in constant time.'
        MaxAgeSeconds = 'How old a Trusted result may be and still count (default 600). An older one is reported unknown.'
        LogPath = 'The service''s log file (default: TrustedCompute/service-<port>.log under the local application data folder). It never holds a secret.'
        TimeoutSec = 'How long to wait for the service to listen (default 60).'
    }
    Outputs     = 'TrustedCompute.PowerShell.Commands.Service.AttestationServiceInfo: ProcessId, Port, BindAddress, Url (the OpenAttestation base), Tls, LogPath, StartTime.'
    Examples    = @(
        @{
            Code    = @'
$service = Start-AttestationService -Port 18181
Invoke-RestMethod -Method Post -Uri "http://127.0.0.1:18181/OpenAttestationWebServices/V1.0/PollHosts" -ContentType 'application/json' -Body '{"count": 1, "hosts": ["compute-1"]}'
$service | Stop-AttestationService
'@
            Remarks = 'Serves the default store on loopback, asks for one host as nova would (unknown: it is not enrolled) and stops the service.'
        }
        @{
            Code    = @'
$key = [Security.Cryptography.ECDsa]::Create()
$request = [Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=localhost', $key, 'SHA256')
$certificate = $request.CreateSelfSigned((Get-Date).AddMinutes(-5), (Get-Date).AddYears(1))
Set-Content ./service.pem ($certificate.ExportCertificatePem() + "`n" + $key.ExportPkcs8PrivateKeyPem())
$secret = ConvertTo-SecureString ([Convert]::ToHexString([Security.Cryptography.RandomNumberGenerator]::GetBytes(24))) -AsPlainText -Force
$service = Start-AttestationService -Port 18443 -CertificatePath ./service.pem -AuthSecret $secret -MaxAgeSeconds 300
"auth_blob = $(ConvertFrom-SecureString $secret -AsPlainText)"
Stop-AttestationService -ProcessId $service.ProcessId
'@
            Remarks = 'Serves HTTPS with a certificate and key in one PEM file (self-signed here; use one from your CA), with a new random secret that nova.conf''s [trusted_computing] auth_blob must hold, and results counting for 5 minutes.'
        }
    )
    RelatedLinks = @('Stop-AttestationService', 'Get-AttestationResult', 'Invoke-HostAttestation')
}
