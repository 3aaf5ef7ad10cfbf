# Start-AttestationService / Stop-AttestationService through the built module: the service process shipped in
# out/TrustedCompute/service, over a SQLite store of its own. (The store-filled answers are proven by the xunit
# service tests with nova's Python client.)
BeforeAll {
    Import-Module (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1') -Force
    $work = Join-Path ([IO.Path]::GetTempPath()) ("tc-pester-svc-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory $work
    $store = Join-Path $work 'store.db'
    function Get-FreePort {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
    }
    function New-Secret([string] $Text) {
        $secret = [securestring]::new()
        foreach ($c in $Text.ToCharArray()) { $secret.AppendChar($c) }
        $secret
    }
    function Invoke-PollHosts([int] $Port, [string[]] $HostName, [hashtable] $Headers = @{}) {
        $body = @{ count = $HostName.Count; hosts = $HostName } | ConvertTo-Json -Compress
        Invoke-WebRequest -Method Post -Uri "http://127.0.0.1:$Port/OpenAttestationWebServices/V1.0/PollHosts" -Body $body `
            -ContentType 'application/json' -Headers ($Headers + @{ Accept = 'application/json' }) -SkipHttpErrorCheck
    }
}

AfterAll {
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}

Describe 'Start-AttestationService and Stop-AttestationService' {
    It 'starts the shipped service, answers PollHosts in the order asked, and stops it' {
        $port = Get-FreePort
        $service = Start-AttestationService -Port $port -StoreConnectionString $store -LogPath (Join-Path $work 'a.log')
        try {
            $service.Url | Should -Be "http://127.0.0.1:$port/OpenAttestationWebServices/V1.0"
            (Get-Process -Id $service.ProcessId).Id | Should -Be $service.ProcessId
            $answer = Invoke-PollHosts $port 'b-host', 'a-host'
            $answer.StatusCode | Should -Be 200
            $hosts = ($answer.Content | ConvertFrom-Json).hosts
            $hosts.host_name | Should -Be 'b-host', 'a-host'
            $hosts.trust_lvl | Should -Be 'unknown', 'unknown'
            $answer.Content | Should -Match '"vtime":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000"'
        }
        finally { $service | Stop-AttestationService }
        { Get-Process -Id $service.ProcessId -ErrorAction Stop } | Should -Throw
    }

    It 'passes the auth secret (a PSCredential) through the environment, not the command line' {
        $port = Get-FreePort
        $credential = [pscredential]::new('nova', (New-Secret 'pester-blob-9'))
        $service = Start-AttestationService -Port $port -StoreConnectionString $store -AuthSecret $credential -LogPath (Join-Path $work 'b.log')
        try {
            (Invoke-PollHosts $port 'h').StatusCode | Should -Be 401
            (Invoke-PollHosts $port 'h' @{ 'x-auth-blob' = 'pester-blob-8' }).StatusCode | Should -Be 401
            (Invoke-PollHosts $port 'h' @{ 'x-auth-blob' = 'pester-blob-9' }).StatusCode | Should -Be 200
            if ($IsLinux) { Get-Content -Raw "/proc/$($service.ProcessId)/cmdline" | Should -Not -Match 'pester-blob' }
            Get-Content -Raw $service.LogPath | Should -Not -Match 'pester-blob'
        }
        finally { Stop-AttestationService -ProcessId $service.ProcessId }
    }

    It 'refuses a plain-string secret' {
        { Start-AttestationService -Port 1 -AuthSecret 'plain' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,TrustedCompute.PowerShell.Commands.Service.StartAttestationServiceCommand'
    }

    It 'refuses plain HTTP off loopback unless -AllowHttp' {
        { Start-AttestationService -Port 1 -BindAddress 0.0.0.0 -StoreConnectionString $store } |
            Should -Throw -ErrorId 'StartAttestationServiceInvalidArgument,TrustedCompute.PowerShell.Commands.Service.StartAttestationServiceCommand'
    }

    It 'reports a service that cannot start, with its log' {
        $port = Get-FreePort
        $missing = Join-Path $work 'no-such.pem'
        { Start-AttestationService -Port $port -CertificatePath $missing -StoreConnectionString $store -LogPath (Join-Path $work 'c.log') } |
            Should -Throw -ErrorId 'StartAttestationServiceFailed,TrustedCompute.PowerShell.Commands.Service.StartAttestationServiceCommand'
    }

    It 'starts nothing under -WhatIf' {
        $port = Get-FreePort
        Start-AttestationService -Port $port -StoreConnectionString $store -WhatIf | Should -BeNullOrEmpty
        { [Net.Sockets.TcpClient]::new('127.0.0.1', $port) } | Should -Throw
    }

    It 'refuses to stop a process that is not the service' {
        Stop-AttestationService -ProcessId $PID -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be 'StopAttestationServiceNotService,TrustedCompute.PowerShell.Commands.Service.StopAttestationServiceCommand'
        Get-Process -Id $PID | Should -Not -BeNullOrEmpty
    }
}
