@{
    Synopsis    = 'Reads the attestation history from the store.'
    Description = 'Get-AttestationResult reads the results Invoke-HostAttestation recorded for enrolled hosts, newest first, each with every reason, the evidence digest, and the TPM counters. Filter by host, time, count and verdict; the filters run in the database.'
    Parameters  = @{
        HostName = 'The hosts whose results to read. Default: every host.'
        Since    = 'Only results made at or after this time.'
        Last     = 'At most this many results per host, the newest.'
        Verdict  = 'Only results with this verdict.'
        StoreConnectionString = 'The store of the host registry: a SQLite file path (sqlite:<path> also works) or a PostgreSQL connection string or URI without a password (use a .pgpass file). Default: $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file.'
    }
    Outputs     = 'TrustedCompute.Attestation.AttestationResult, newest first.'
    Inputs      = @{ HostName = 'Get-TrustedHost output, or host names.' }
    Examples    = @(
        @{
            Code    = @'
Register-AttestationPolicy -PolicyPath ./golden.yaml | Out-Null
Register-TrustedHost -EkTrustPath ./ek-roots -PolicyName golden | Out-Null
Invoke-HostAttestation | Out-Null
Get-TrustedHost | Get-AttestationResult -Last 10
'@
            Remarks = 'Attests this machine through the registry, then reads the last ten results of every enrolled host.'
        }
        @{
            Code    = 'Get-AttestationResult -Since (Get-Date).AddDays(-1) -Verdict Untrusted | Format-List'
            Remarks = 'Lists every Untrusted result of the last day, with its reasons.'
        }
    )
    RelatedLinks = @('Invoke-HostAttestation', 'Get-TrustedHost')
}
