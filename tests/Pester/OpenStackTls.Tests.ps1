#Requires -Version 7.4
# Connect-OpenStack's TLS settings against a local TLS endpoint (openssl s_server); no OpenStack services needed.

BeforeAll {
    $script:SkipReason = $null
    $script:Server = $null
    $script:Dir = Join-Path ([IO.Path]::GetTempPath()) "tc-pester-tls-$([guid]::NewGuid().ToString('N'))"
    Import-Module (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH TrustedCompute.psd1) -Force
    $openssl = Get-Command openssl -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if (-not $openssl) { $script:SkipReason = 'openssl is not installed' }
    else {
        New-Item -ItemType Directory $script:Dir | Out-Null
        foreach ($name in 'server', 'other') {
            & $openssl.Source req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$name" -addext 'subjectAltName=IP:127.0.0.1' `
                -keyout (Join-Path $script:Dir "$name.key") -out (Join-Path $script:Dir "$name.pem") 2>$null
        }
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $script:Port = $listener.LocalEndpoint.Port; $listener.Stop()
        $script:Server = Start-Process $openssl.Source -PassThru -RedirectStandardOutput (Join-Path $script:Dir 'out.txt') `
            -RedirectStandardError (Join-Path $script:Dir 'err.txt') -ArgumentList @(
                's_server', '-accept', "127.0.0.1:$script:Port", '-www', '-quiet',
                '-cert', (Join-Path $script:Dir 'server.pem'), '-key', (Join-Path $script:Dir 'server.key'))
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while ([DateTime]::UtcNow -lt $deadline) {
            try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $script:Port).Dispose(); break } catch { Start-Sleep -Milliseconds 100 }
        }
    }
}

AfterAll {
    if ($script:Server) { Stop-Process -Id $script:Server.Id -ErrorAction Ignore }
    Remove-Item env:OS_* -ErrorAction Ignore
    if ($script:Dir -and (Test-Path $script:Dir)) { Remove-Item -Recurse -Force $script:Dir }
}

Describe 'Connect-OpenStack TLS verification' {
    BeforeEach {
        Get-ChildItem env:OS_* -ErrorAction Ignore | ForEach-Object { Remove-Item "env:$($_.Name)" }
        $env:OS_API_TIMEOUT = '5'   # openssl s_server -www never answers a POST: do not wait the default minute
    }

    It 'an explicit -CACertificatePath verifies even when OS_INSECURE is set in the environment' {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason; return }
        $env:OS_INSECURE = 'true'
        $credential = [pscredential]::new('admin', (ConvertTo-SecureString 's3cret-value' -AsPlainText -Force))
        $err = $null
        try {
            Connect-OpenStack -AuthUrl "https://127.0.0.1:$script:Port/v3" -Credential $credential -ProjectName admin `
                -CACertificatePath (Join-Path $script:Dir 'other.pem') -ErrorAction Stop -WarningAction SilentlyContinue
        }
        catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'ConnectOpenStackFailed*'
        # refused in the TLS handshake, before any request (with the password) was sent
        $err.Exception.Message | Should -Match 'SSL|certificate'
        $err.Exception.Message | Should -Not -Match 's3cret-value'
    }

    It 'verification turned off by the environment is announced as a warning' {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason; return }
        $env:OS_INSECURE = 'true'
        $credential = [pscredential]::new('admin', (ConvertTo-SecureString 's3cret-value' -AsPlainText -Force))
        $warnings = $null
        try {
            Connect-OpenStack -AuthUrl "https://127.0.0.1:$script:Port/v3" -Credential $credential -ProjectName admin `
                -ErrorAction Stop -WarningVariable warnings -WarningAction SilentlyContinue
        }
        catch { Write-Verbose "Connect-OpenStack failed as the test server does not answer Keystone: $_" }
        ($warnings -join "`n") | Should -Match 'certificate'
    }
}

Describe 'Implicit connection from OS_* variables' {
    BeforeEach {
        Get-ChildItem env:OS_* -ErrorAction Ignore | ForEach-Object { Remove-Item "env:$($_.Name)" }
        $env:OS_API_TIMEOUT = '5'
        $env:OS_AUTH_URL = "https://127.0.0.1:$script:Port/v3"
        $env:OS_USERNAME = 'admin'
        $env:OS_PASSWORD = 's3cret-value'
        $env:OS_PROJECT_NAME = 'admin'
    }

    It 'a CA file that is not a certificate is a terminating OpenStackConnectFailed error' {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason; return }
        $bad = Join-Path $script:Dir 'bad.pem'
        Set-Content $bad "-----BEGIN CERTIFICATE-----`nAAAAAAAA`n-----END CERTIFICATE-----"
        $env:OS_CACERT = $bad
        { Get-TrustedPool -ErrorAction Stop } |
            Should -Throw -ErrorId 'OpenStackConnectFailed,TrustedCompute.PowerShell.Commands.OpenStack.GetTrustedPoolCommand'
    }

    It 'verification turned off by OS_INSECURE is announced as a warning' {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason; return }
        $env:OS_INSECURE = 'true'
        $warnings = $null
        try { Get-TrustedPool -ErrorAction Stop -WarningVariable warnings -WarningAction SilentlyContinue }
        catch { Write-Verbose "Get-TrustedPool failed as the test server does not answer Keystone: $_" }
        ($warnings -join "`n") | Should -Match 'certificate'
    }
}
