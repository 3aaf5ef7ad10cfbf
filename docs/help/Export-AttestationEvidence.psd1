@{
    Synopsis    = 'Writes attestation evidence to JSON files.'
    Description = 'Export-AttestationEvidence writes each evidence bundle (from Get-AttestationEvidence, remoting or Import-AttestationEvidence) as versioned JSON. When -Path is a folder, each bundle goes to <HostName>-<time>.evidence.json inside it. An existing file is kept unless -Force is given.'
    Parameters  = @{
        InputObject = 'The evidence to write (live or deserialized).'
        Path        = 'The file to write, or a folder to write one file per bundle into.'
        Force       = 'Overwrite an existing file.'
        PassThru    = 'Write the file written (FileInfo) to the pipeline.'
    }
    Outputs     = 'None by default. With -PassThru, a System.IO.FileInfo for each file written.'
    Inputs      = @{
        InputObject = 'Evidence from Get-AttestationEvidence, Import-AttestationEvidence or remoting.'
    }
    Examples    = @(
        @{
            Code    = 'Get-AttestationEvidence | Export-AttestationEvidence -Path ./host.evidence.json'
            Remarks = 'Saves the local evidence.'
        }
    )
    RelatedLinks = @('Import-AttestationEvidence', 'Get-AttestationEvidence')
}
