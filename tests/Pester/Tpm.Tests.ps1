# TPM cmdlets against a swtpm simulator started by tests/env/swtpm.sh; tpm2-tools as the oracle.
BeforeDiscovery {
    $script:noSimulator = -not (Get-Command swtpm -ErrorAction Ignore) -or -not (Get-Command tpm2_pcrread -ErrorAction Ignore)
}

BeforeAll {
    Import-Module (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1') -Force
    $envScript = Join-Path $PSScriptRoot '../env/swtpm.sh'
    $stateDir = Join-Path ([IO.Path]::GetTempPath()) ("tc-pester-tpm-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    if (-not $noSimulator) {
        $started = & $envScript start $stateDir
        $settings = @{}
        $started | ForEach-Object { $k, $v = $_ -split '=', 2; $settings[$k] = $v }
        $tpm = $settings.TRUSTEDCOMPUTE_TPM
        $tcti = "swtpm:host=127.0.0.1,port=$($settings.PORT)"
    }
}

AfterAll {
    if (-not $noSimulator) { & $envScript stop $stateDir; Remove-Item -Recurse -Force $stateDir -ErrorAction Ignore }
}

Describe 'TPM cmdlets on swtpm' -Skip:$noSimulator {
    It 'Get-TpmDevice shows the simulator' {
        $d = Get-TpmDevice -Tpm $tpm
        $d.Manufacturer | Should -Be 'IBM'
        $d.Banks | Should -Be @('sha1', 'sha256')
        $d.Transport | Should -Be $tpm
    }

    It 'Get-TpmPcr agrees with tpm2_pcrread, and takes the connection from $env:TRUSTEDCOMPUTE_TPM' {
        $env:TRUSTEDCOMPUTE_TPM = $tpm
        try { $ours = Get-TpmPcr -Bank sha256 -PcrIndex '0,16' } finally { Remove-Item Env:TRUSTEDCOMPUTE_TPM }
        $ours.Count | Should -Be 2
        $line = (tpm2_pcrread -T $tcti sha256:16 | Select-String '16\s*:').Line
        $line | Should -Match ('0x' + $ours[1].Hex) 
    }

    It 'Update-TpmPcr -WhatIf changes nothing; without it the PCR moves' {
        $before = (Get-TpmPcr -Tpm $tpm -Bank sha256 -Index 16).Hex
        Update-TpmPcr -Tpm $tpm -Index 16 -Text 'pester' -WhatIf
        (Get-TpmPcr -Tpm $tpm -Bank sha256 -Index 16).Hex | Should -Be $before
        $after = Update-TpmPcr -Tpm $tpm -Index 16 -Text 'pester' -Confirm:$false | Where-Object Bank -EQ 'sha256'
        $after.Hex | Should -Not -Be $before
        $expected = [Security.Cryptography.SHA256]::HashData([byte[]] ([Convert]::FromHexString($before) + [Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes('pester'))))
        $after.Hex | Should -Be ([Convert]::ToHexString($expected).ToLowerInvariant())
    }

    It 'creates, lists, quotes with and removes an attestation key' {
        New-TpmAttestationKey -Tpm $tpm -KeyType EcDsa -Handle 0x81010030 -WhatIf
        Get-TpmAttestationKey -Tpm $tpm | Where-Object HandleHex -EQ '0x81010030' | Should -BeNullOrEmpty
        $ak = New-TpmAttestationKey -Tpm $tpm -KeyType EcDsa -Handle 0x81010030 -Force -Confirm:$false
        $ak.Public.Describe() | Should -Be 'ECC-P256 ECDSA/SHA256'
        $nonce = [byte[]] (1..20)
        $q = $ak | Get-TpmQuote -Tpm $tpm -PcrIndex 0, 1, 16 -Bank sha1, sha256 -Nonce $nonce
        $q.Parsed.ExtraData | Should -Be $nonce
        $q.PcrValues.Count | Should -Be 6
        $q.Signature.Algorithm | Should -Be 'EcDsa'
        $ak | Remove-TpmAttestationKey -Tpm $tpm -Confirm:$false
        Get-TpmAttestationKey -Tpm $tpm | Where-Object HandleHex -EQ '0x81010030' | Should -BeNullOrEmpty
    }

    It 'New-TpmAttestationKey | Get-TpmQuote binds the handle by property name, and Format-List * shows hex' {
        $q = New-TpmAttestationKey -Tpm $tpm -AttestationKeyHandle 0x81010031 -Force -Confirm:$false |
            Get-TpmQuote -Tpm $tpm -PcrIndex '0-2,16' -Bank sha256
        $q.AttestationKeyHandle | Should -Be ([uint32] 0x81010031L)
        @($q.PcrValues.Index) | Should -Be @(0, 1, 2, 16)
        $text = Get-TpmAttestationKey -Tpm $tpm -AttestationKeyHandle 0x81010031 | Format-List * | Out-String
        $text | Should -Match 'HandleHex\s*:\s*0x81010031'
        $text | Should -Match 'NameHex\s*:\s*000b[0-9a-f]{64}'
        $text | Should -Match 'Public\s*:\s*RSA-2048 RSASSA/SHA256'
        $text = $q | Format-List * | Out-String
        $text | Should -Match 'AttestationKeyHandleHex\s*:\s*0x81010031'
        $text | Should -Match 'Signature\s*:\s*RsaSsa/Sha256 [0-9a-f]{512}'
        $text | Should -Match 'PcrValues\s*:\s*\{sha256:0 [0-9a-f]{64}'
        $text | Should -Match 'Parsed\s*:\s*Quote of sha256:0,1,2,16, digest [0-9a-f]{64}, reset \d+'
        $text | Should -Not -Match 'System\.Byte\[\]'
        Remove-TpmAttestationKey -Tpm $tpm -AttestationKeyHandle 0x81010031 -Confirm:$false
    }

    It 'a quote with no key at the handle says to create one, and is non-terminating' {
        $q = Get-TpmQuote -Tpm $tpm -AttestationKeyHandle 0x81010077 -ErrorVariable err -ErrorAction SilentlyContinue
        $q | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'GetTpmQuoteFailed,TrustedCompute.PowerShell.Commands.Tpm.GetTpmQuoteCommand'
        $err[0].Exception.Message | Should -BeLike 'No attestation key at 0x81010077: create one with New-TpmAttestationKey -AttestationKeyHandle 0x81010077*TPM_RC_HANDLE*'
        { Get-TpmQuote -Tpm $tpm -AttestationKeyHandle 0x81010077 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*New-TpmAttestationKey*'
        $e2 = @(Get-AttestationEvidence -Tpm $tpm -AttestationKeyHandle 0x81010077 -NoEventLog -ErrorVariable err2 -ErrorAction SilentlyContinue)
        $e2.Count | Should -Be 0
        $err2[0].Exception.Message | Should -BeLike '*create one with New-TpmAttestationKey*'
        Get-TpmAttestationKey -Tpm $tpm -AttestationKeyHandle 0x81010077 -ErrorVariable err3 -ErrorAction SilentlyContinue
        $err3[0].Exception.Message | Should -BeLike '*create one with New-TpmAttestationKey*'
        $r = Invoke-HostAttestation -Tpm $tpm -AttestationKeyHandle 0x81010077 -TrustEvidenceKey -NoEventLog -ErrorVariable err4 -ErrorAction SilentlyContinue
        $r.Verdict | Should -Be 'Unknown'
        $err4[0].FullyQualifiedErrorId | Should -BeLike 'InvokeHostAttestationCollectFailed,*'
        $r.Reasons[0].Message | Should -BeLike 'No attestation key at 0x81010077: create one with New-TpmAttestationKey*'
    }

    It 'an occupied handle says to use -Force or another -AttestationKeyHandle' {
        $null = New-TpmAttestationKey -Tpm $tpm -AttestationKeyHandle 0x81010032 -Force -Confirm:$false
        try {
            $second = New-TpmAttestationKey -Tpm $tpm -AttestationKeyHandle 0x81010032 -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
            $second | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'NewTpmAttestationKeyFailed,TrustedCompute.PowerShell.Commands.Tpm.NewTpmAttestationKeyCommand'
            $err[0].Exception.Message | Should -BeLike '0x81010032 already holds a key: use -Force to replace it, or another -AttestationKeyHandle*'
        }
        finally { Remove-TpmAttestationKey -Tpm $tpm -AttestationKeyHandle 0x81010032 -Confirm:$false }
    }

    It 'extending a PCR at the wrong locality names the locality needed' {
        Update-TpmPcr -Tpm $tpm -PcrIndex 17 -Text x -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'UpdateTpmPcrFailed,TrustedCompute.PowerShell.Commands.Tpm.UpdateTpmPcrCommand'
        $err[0].Exception.Message | Should -BeLike 'PCR 17 can be extended only at locality 2, 3 or 4; * uses locality 0.*TPM_RC_LOCALITY*'
        (Update-TpmPcr -Tpm "$tpm,locality=3" -PcrIndex 17 -Text x -Bank sha256 -Confirm:$false).Index | Should -Be 17
    }

    It 'the locality table agrees with the simulator for PCRs 16-23' {
        $table = (Get-Command Get-TpmPcr).OutputType[0].Type.Assembly.GetType('TrustedCompute.Tpm.PcrLocality', $true)
        foreach ($pcr in 16..23) {
            $works = foreach ($locality in 0..4) {
                $null = Update-TpmPcr -Tpm "$tpm,locality=$locality" -PcrIndex $pcr -Text t -Bank sha256 -Confirm:$false -ErrorVariable e -ErrorAction SilentlyContinue
                if (-not $e) { $locality }
            }
            @($works) | Should -Be @($table::CanExtend($pcr)) -Because "PCR $pcr"
        }
    }

    It '-Previous read back from JSON carries the counters: a rollback is caught' {
        $null = New-TpmAttestationKey -Tpm $tpm -AttestationKeyHandle 0x81010033 -Force -Confirm:$false
        try {
            $evidence = Get-AttestationEvidence -Tpm $tpm -AttestationKeyHandle 0x81010033 -NoEventLog
            $first = $evidence | Invoke-HostAttestation -TrustEvidenceKey
            $first.ResetCount | Should -Not -BeNullOrEmpty
            $saved = $first | ConvertTo-Json -Depth 4 | ConvertFrom-Json
            $saved.ResetCount = $first.ResetCount + 1
            $again = $evidence | Invoke-HostAttestation -TrustEvidenceKey -Previous $saved
            $again.Reasons.Id | Should -Contain 'tpm.rollback'
            $again.Verdict | Should -Be 'Untrusted'
            ($evidence | Invoke-HostAttestation -TrustEvidenceKey -Previous ($first | ConvertTo-Json -Depth 4 | ConvertFrom-Json)).Reasons.Id |
                Should -Not -Contain 'tpm.rollback'
        }
        finally { Remove-TpmAttestationKey -Tpm $tpm -AttestationKeyHandle 0x81010033 -Confirm:$false }
    }

    It 'a missing attestation key is a non-terminating error with a stable id' {
        Get-TpmAttestationKey -Tpm $tpm -Handle 0x81010077 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'GetTpmAttestationKeyNotFound,TrustedCompute.PowerShell.Commands.Tpm.GetTpmAttestationKeyCommand'
    }

    It 'writes and reads an NV index that tpm2_nvread reads back' {
        $data = [byte[]] (1..200 | ForEach-Object { $_ % 256 })
        Write-TpmNvIndex -Tpm $tpm -Index 0x01500020 -Data $data -Define -Confirm:$false | Select-Object -ExpandProperty DataSize | Should -Be 200
        (Get-TpmNvIndex -Tpm $tpm -Index 0x01500020 | Read-TpmNvIndex -Tpm $tpm).Data | Should -Be $data
        $file = Join-Path $TestDrive 'nv.bin'
        tpm2_nvread -T $tcti 0x01500020 -C o -o $file
        [IO.File]::ReadAllBytes($file) | Should -Be $data
        tpm2_nvundefine -T $tcti 0x01500020 -C o
    }

    It 'Get-TpmEndorsementKey finds every certified EK and each certificate matches its key' {
        $eks = Get-TpmEndorsementKey -Tpm $tpm
        @($eks.KeyType) | Should -Be @('Rsa2048', 'EccP384High')
        $eks | ForEach-Object { $_.CertificateMatchesKey | Should -BeTrue }
        $eks[0].Certificate.Issuer | Should -Match 'swtpm-localca'
        (Get-TpmEndorsementKey -Tpm $tpm -KeyType EccP256).CertificateMatchesKey | Should -BeNullOrEmpty
    }
}

Describe 'TPM errors and cancellation' {
    It 'an unreachable TPM is a terminating error with id TpmUnavailable' {
        $err = { Get-TpmDevice -Tpm 'swtpm:host=127.0.0.1,port=1,timeout=2' } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'TpmUnavailable,TrustedCompute.PowerShell.Commands.Tpm.GetTpmDeviceCommand'
    }

    It 'an unknown connection string says which forms exist' {
        { Get-TpmPcr -Tpm 'bogus:thing' } | Should -Throw -ExpectedMessage '*swtpm:host=H,port=P*'
    }

    It 'Ctrl+C (StopProcessing) cancels a TPM call that is waiting for an answer' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            $port = $listener.LocalEndpoint.Port
            $ps = [powershell]::Create()
            $null = $ps.AddCommand('Import-Module').AddArgument((Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1')).AddStatement()
            $null = $ps.AddCommand('Get-TpmDevice').AddParameter('Tpm', "swtpm:host=127.0.0.1,port=$port,timeout=600")
            $async = $ps.BeginInvoke()
            $client = $listener.AcceptTcpClient() # the cmdlet connected and sent its command; we never answer
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 60
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $client.Dispose()
            $ps.Dispose()
        }
        finally { $listener.Stop() }
    }
}
