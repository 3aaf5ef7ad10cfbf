@{
    Synopsis    = 'Reads the sweeps recorded in the store, newest first.'
    Description = 'Invoke-AttestationSweep records every sweep in the store: the admin node and process that ran it (machine:pid), when it started, the round it joined (sweeps of a PostgreSQL store that run at the same time share one), when it finished, and how many hosts it covered, with the count of each verdict and of the hosts another sweep of the round attested (Elsewhere). A sweep that has no finish time is still running, or was stopped or killed.'
    Parameters  = @{
        Last                  = 'How many sweeps to read, the newest. Default: 20.'
        StoreConnectionString = 'The store: a SQLite file path or a PostgreSQL connection string without a password (use a pgpass file). Default: $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file.'
    }
    Outputs     = 'TrustedCompute.Store.SweepRecord, newest first: Id, Node, StartedAt, RoundStart, Lease, Exclusive, FinishedAt, Hosts, Trusted, Untrusted, Unknown, Elsewhere.'
    Examples    = @(
        @{
            Code    = 'Get-AttestationSweep -Last 5'
            Remarks = 'Shows the last five sweeps of the store: which node ran each, its round and its counts.'
        }
        @{
            Code    = 'Get-AttestationSweep -Last 100 | Where-Object { -not $_.FinishedAt }'
            Remarks = 'Lists the recent sweeps that never finished (stopped, killed, or still running).'
        }
    )
    RelatedLinks = @('Invoke-AttestationSweep', 'Get-AttestationResult', 'about_TrustedCompute_Fleet')
}
