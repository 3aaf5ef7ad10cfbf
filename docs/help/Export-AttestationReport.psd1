@{
    Synopsis    = 'Writes the fleet report from the store: one self-contained HTML page, or CSV.'
    Description = 'Export-AttestationReport reads every enrolled host (and every host with results) from the store and writes a report: counts per verdict with an inline SVG chart and the results per day, one row per host (verdict, last attested, policy and version, with the policy that judged the newest result when its rules are not the newest version''s, TPM manufacturer and model, reasons in plain words) and, per host, a drill-down with its history (each result with the policy that judged it), the PCRs that broke its policy and the event-level diff against the policy''s reference log (from the kept evidence, Invoke-HostAttestation -RetainEvidence). The page is one file with no external scripts, fonts or styles; it filters by verdict and host name, opens every drill-down when printed, and takes a filter from its address (report.html#verdict=Untrusted; #open opens every drill-down). Every text that came from a host is encoded, and the page''s Content-Security-Policy lets only its own script run. -Format Csv writes one row per host for spreadsheets (HostName, Verdict, LastAttested, PolicyName, PolicyVersion, TpmManufacturer, TpmModel, Reasons, Changes, JudgedBy), with formula-like cells made text.'
    Parameters  = @{
        Path         = 'The file to write.'
        Format       = 'Html (default) or Csv.'
        HostName     = 'Only hosts whose names match one of these (wildcards). Default: every host.'
        HistoryCount = 'Results per host kept in the history and the trend (1-10000). Default: 50.'
        Force        = 'Overwrite the file if it exists.'
        StoreConnectionString = 'The store to report on: a SQLite file path or a PostgreSQL connection string without a password. Default: $env:TRUSTEDCOMPUTE_STORE, else the per-user SQLite file.'
    }
    Outputs     = 'System.IO.FileInfo: the report written.'
    Examples    = @(
        @{
            Code    = 'Export-AttestationReport -Path ./fleet.html'
            Remarks = 'Writes the fleet report; open it in a browser or print it.'
        }
        @{
            Code    = 'Export-AttestationReport -Path ./fleet.csv -Format Csv'
            Remarks = 'One row per host for a spreadsheet.'
        }
        @{
            Code    = 'Export-AttestationReport -Path ./web.html -HostName ''web-*'' -HistoryCount 10 -Force'
            Remarks = 'Only the web servers, with their last ten results each.'
        }
    )
    RelatedLinks = @('Invoke-HostAttestation', 'Get-AttestationResult', 'Get-TrustedHost', 'about_TrustedCompute_Reporting')
}
