@{
    Synopsis    = 'Stops attestation service processes.'
    Description = 'Stop-AttestationService stops processes that Start-AttestationService (or systemd) started: it asks the process to stop (SIGTERM; the service finishes the requests it is answering) and kills it when it has not exited within -TimeoutSec. It refuses any process that is not the attestation service.'
    Parameters  = @{
        ProcessId = 'The process ids of the services to stop.'
        InputObject = 'Start-AttestationService output.'
        TimeoutSec = 'How long to wait for a clean exit before killing the process (default 10).'
    }
    Outputs     = 'None.'
    Inputs      = @{ InputObject = 'Start-AttestationService output.'; ProcessId = 'Objects with a ProcessId or Id property.' }
    Examples    = @(
        @{
            Code    = @'
$service = Start-AttestationService -Port 18182
Stop-AttestationService -ProcessId $service.ProcessId -TimeoutSec 5
'@
            Remarks = 'Stops the service by its process id, killing it when it takes longer than 5 seconds.'
        }
    )
    RelatedLinks = @('Start-AttestationService')
}
