@{
    Synopsis    = 'Revokes the OpenStack token and forgets the connection.'
    Description = 'Disconnect-OpenStack revokes the token of the connection at Keystone (DELETE /v3/auth/tokens) and clears the module''s default connection when it is that connection. If the revocation fails, a warning is written and the connection is dropped anyway.'
    Parameters  = @{
        Connection = 'The connection to end. Default: the module''s default connection.'
    }
    Outputs     = 'None.'
    Inputs      = @{
        Connection = 'A connection from Connect-OpenStack -PassThru.'
    }
    Examples    = @(
        @{
            Code    = @'
Connect-OpenStack
Disconnect-OpenStack
'@
            Remarks = 'Connects, then revokes the token and ends the default connection.'
        }
    )
    RelatedLinks = @('Connect-OpenStack')
}
