# Cmdlet manners that need no TPM and no cloud: parameter names, PCR lists, completion, saved results, pool input.
BeforeDiscovery {
    $script:Log = Join-Path $PSScriptRoot '../../../shared/testdata/eventlogs/tpm2-tools/event-bootorder.bin'
}

BeforeAll {
    Import-Module (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1') -Force
    $script:ResultType = (Get-Command Invoke-HostAttestation).OutputType[0].Type
    $script:Transform = [TrustedCompute.PowerShell.Infrastructure.PcrIndexTransformationAttribute]::new()
    $script:Log = Join-Path $PSScriptRoot '../../../shared/testdata/eventlogs/tpm2-tools/event-bootorder.bin'

    function script:New-Result([string] $HostName, [string] $Verdict, [datetime] $Time = [datetime]::UtcNow) {
        $r = $script:ResultType::new()
        $r.HostName = $HostName; $r.Verdict = $Verdict; $r.Reasons = @(); $r.Time = $Time
        $r.Clock = 12345; $r.ResetCount = 3; $r.RestartCount = 1; $r.EvidenceDigest = 'ab' * 32
        $r.ClaimedHostName = "$HostName.claimed"; $r.AttestationKeyName = '000b' + 'cd' * 32
        $r
    }

    function script:Complete([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
    }
}

Describe 'One name, one meaning' {
    BeforeAll { $cmdlets = Get-Command -Module TrustedCompute -CommandType Cmdlet }

    It '-AttestationKey is always the key, never a handle; AK handles are -AttestationKeyHandle (alias Handle)' {
        foreach ($c in $cmdlets) {
            if ($c.Parameters['AttestationKey']) { $c.Parameters['AttestationKey'].ParameterType | Should -Be ([object]) -Because $c.Name }
        }
        foreach ($name in 'Get-TpmQuote', 'Get-AttestationEvidence', 'Get-TpmAttestationKey', 'New-TpmAttestationKey', 'Remove-TpmAttestationKey') {
            $p = (Get-Command $name).Parameters['AttestationKeyHandle']
            $p | Should -Not -BeNullOrEmpty -Because $name
            $p.Aliases | Should -Contain 'Handle' -Because $name
            (Get-Command $name).Parameters.ContainsKey('AttestationKey') | Should -BeFalse -Because $name
        }
        (Get-Command Invoke-HostAttestation).Parameters['AttestationKeyHandle'].ParameterType | Should -Be ([uint32])
    }

    It 'the AK handle binds by property name from the Handle of AK objects' {
        foreach ($name in 'Get-TpmQuote', 'Get-AttestationEvidence', 'Remove-TpmAttestationKey', 'Get-TpmAttestationKey') {
            $attr = (Get-Command $name).Parameters['AttestationKeyHandle'].Attributes | Where-Object { $_ -is [Parameter] }
            @($attr.ValueFromPipelineByPropertyName) | Should -Contain $true -Because $name
        }
    }

    It 'every PCR index parameter is -PcrIndex, takes range strings and is limited to 0-23' {
        $found = foreach ($c in $cmdlets) {
            foreach ($p in $c.Parameters.Values) {
                $isPcr = $p.Name -eq 'PcrIndex' -or ($p.Aliases -match '^(Pcr|Index)$' -and $c.Noun -notmatch 'NvIndex')
                if (-not $isPcr) { continue }
                $p.Name | Should -Be 'PcrIndex' -Because $c.Name
                $p.Attributes | Where-Object { $_ -is [TrustedCompute.PowerShell.Infrastructure.PcrIndexTransformationAttribute] } |
                    Should -Not -BeNullOrEmpty -Because $c.Name
                $range = $p.Attributes | Where-Object { $_ -is [ValidateRange] }
                "$($range.MinRange)-$($range.MaxRange)" | Should -Be '0-23' -Because $c.Name
                $c.Name
            }
        }
        $found | Should -Contain 'Get-TpmPcr'
        $found | Should -Contain 'Update-TpmPcr'
        $found | Should -Contain 'New-LaunchControlPolicyElement'
        $found | Should -Contain 'Compare-AttestationEvidence'
        @($found).Count | Should -Be 10
        (Get-Command Get-TpmPcr).Parameters['PcrIndex'].Aliases | Should -Contain 'Index'
        (Get-Command Write-TpmNvIndex).Parameters.ContainsKey('Index') | Should -BeTrue
    }
}

Describe 'PCR index lists' {
    It 'reads <In> as <Out>' -ForEach @(
        @{ In = '0-7,16'; Out = @(0, 1, 2, 3, 4, 5, 6, 7, 16) }
        @{ In = '0..3'; Out = @(0, 1, 2, 3) }
        @{ In = ' 16 , 23 '; Out = @(16, 23) }
        @{ In = '7'; Out = @(7) }
        @{ In = '5-5'; Out = @(5) }
        @{ In = @(0, '2-3', [long] 23); Out = @(0, 2, 3, 23) }
        @{ In = [byte] 9; Out = @(9) }
    ) {
        $Transform.Transform($null, $In) | Should -Be $Out
    }

    It 'rejects <In> saying <Message>' -ForEach @(
        @{ In = 24; Message = '*PCR 24 does not exist*' }
        @{ In = -1; Message = '*PCR -1 does not exist*' }
        @{ In = '7-3'; Message = '*runs backwards*' }
        @{ In = 'abc'; Message = "*'abc'*not a PCR index*" }
        @{ In = ''; Message = '*empty*' }
        @{ In = '   '; Message = '*empty*' }
        @{ In = '0,,1'; Message = '*empty item*' }
        @{ In = '0-'; Message = '*not a PCR index*' }
        @{ In = '+3'; Message = '*not a PCR index*' }
        @{ In = '0-24'; Message = '*PCR 24 does not exist*' }
        @{ In = '99999999999999999999'; Message = '*not a PCR index*' }
        @{ In = 2.5; Message = '*not a whole number*' }
        @{ In = @(); Message = '*no PCR index*' }
        @{ In = [char] '1'; Message = '*not a PCR index*' }
    ) {
        { $Transform.Transform($null, $In) } | Should -Throw -ExpectedMessage $Message
        { $Transform.Transform($null, $In) } | Should -Throw -ExpectedMessage '*Give PCR indexes 0-23*'
    }

    It 'binds range strings on a real command and rejects 24 at binding' -Skip:(-not (Test-Path $Log)) {
        $events = Get-TpmEventLog -LiteralPath $Log -PcrIndex '0-3,7'
        $events | Should -Not -BeNullOrEmpty
        $events.PcrIndex | Sort-Object -Unique | Where-Object { $_ -notin 0, 1, 2, 3, 7 } | Should -BeNullOrEmpty
        @(Get-TpmEventLog -LiteralPath $Log -PcrIndex '0..7').Count | Should -Be @(Get-TpmEventLog -LiteralPath $Log -PcrIndex (0..7)).Count
        { Get-TpmEventLog -LiteralPath $Log -PcrIndex 24 } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,TrustedCompute.PowerShell.Commands.EventLog.GetTpmEventLogCommand'
    }

    It 'a single PCR stays one int for Update-TpmPcr and a list is refused before any TPM is opened' {
        { Update-TpmPcr -PcrIndex '0-7' -Text x -Tpm 'swtpm:port=1,timeout=1' -Confirm:$false } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError*' -ExpectedMessage '*one PCR*'
        $err = { Update-TpmPcr -PcrIndex '16' -Text x -Tpm 'swtpm:host=127.0.0.1,port=1,timeout=1' -Confirm:$false } |
            Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'TpmUnavailable,*'
    }
}

Describe 'Connection strings from the cmdlets' {
    It 'an unknown key is an error naming the valid ones, from -Tpm and from $env:TRUSTEDCOMPUTE_TPM' {
        { Get-TpmDevice -Tpm 'swtpm:hots=127.0.0.1,port=1' } | Should -Throw -ExpectedMessage "*'hots'*host, port, locality, timeout*"
        $env:TRUSTEDCOMPUTE_TPM = 'swtpm:host=127.0.0.1,prot=1'
        try { { Get-TpmDevice } | Should -Throw -ExpectedMessage "*'prot'*host, port, locality, timeout*" }
        finally { Remove-Item Env:TRUSTEDCOMPUTE_TPM }
    }
}

Describe 'Tab completion' {
    It 'completes -Bank of <Command>' -ForEach @(
        @{ Command = 'Get-TpmPcr' }, @{ Command = 'Get-TpmQuote' }, @{ Command = 'Update-TpmPcr' },
        @{ Command = 'Get-AttestationEvidence' }, @{ Command = 'Invoke-HostAttestation' },
        @{ Command = 'New-AttestationPolicy' }, @{ Command = 'Get-TpmEventLogPcr' }
    ) {
        Complete "$Command -Bank sha" | Should -Be @('sha1', 'sha256', 'sha384', 'sha512')
        Complete "$Command -Bank sha3" | Should -Be @('sha384')
    }

    It 'completes -KeyType of <Command>' -ForEach @(
        @{ Command = 'New-TpmAttestationKey'; Expected = @('EcDsa', 'RsaPss', 'RsaSsa') }
        @{ Command = 'Get-TpmEndorsementKey'; Expected = @('EccP256', 'EccP256High', 'EccP384High') }
    ) {
        $all = Complete "$Command -KeyType "
        foreach ($e in $Expected) { $all | Should -Contain $e }
        Complete "$Command -KeyType Rsa" | Where-Object { $_ -notlike 'Rsa*' } | Should -BeNullOrEmpty
    }

    It 'completes -EventType of Get-TpmEventLog with the TCG names' {
        $names = Complete 'Get-TpmEventLog -EventType EV_EFI_VAR'
        $names | Should -Contain 'EV_EFI_VARIABLE_BOOT'
        $names | Should -Contain 'EV_EFI_VARIABLE_AUTHORITY'
        $names | Where-Object { $_ -notlike 'EV_EFI_VAR*' } | Should -BeNullOrEmpty
        Complete 'Get-TpmEventLog -EventType ev_separ' | Should -Be @('EV_SEPARATOR')
    }

    It 'completes -Quirk of <Command>' -ForEach @(
        @{ Command = 'Get-TpmEventLog' }, @{ Command = 'Get-TpmEventLogPcr' }, @{ Command = 'Compare-TpmEventLog' }
    ) {
        Complete "$Command -Quirk Dup" | Should -Be @('DuplicateSeparator')
        (Complete "$Command -Quirk ").Count | Should -BeGreaterThan 2
    }
}

Describe 'Saved results stay useful' {
    It 'Verdict and Severity are names in pwsh JSON' {
        $r = Invoke-HostAttestation -InputObject ([pscustomobject]@{ HostName = 'h' }) -TrustEvidenceKey -ErrorAction SilentlyContinue
        $r.Verdict | Should -Be 'Untrusted'
        $json = $r | ConvertTo-Json -Depth 4
        $json | Should -Match '"Verdict":\s*"Untrusted"'
        $json | Should -Match '"Severity":\s*"Failure"'
        $json | Should -Not -Match '"Verdict":\s*\d'
    }

    It 'Verdict and Severity are names in System.Text.Json' {
        $r = New-Result 'h' 'Unknown'
        $r.Reasons = @($script:ResultType::Failed('h', 'x.y', 'm', 'Indeterminate').Reasons)
        $json = [System.Text.Json.JsonSerializer]::Serialize($r, $script:ResultType)
        $json | Should -Match '"Verdict":"Unknown"'
        $json | Should -Match '"Severity":"Indeterminate"'
    }

    It 'Verdict survives Export-Clixml so Where-Object Verdict -eq Untrusted finds it' {
        $file = Join-Path $TestDrive 'r.xml'
        @((New-Result 'good' 'Trusted'), (New-Result 'bad' 'Untrusted'), (New-Result 'odd' 'Unknown')) | Export-Clixml $file
        $back = Import-Clixml $file
        $back[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.TrustedCompute.Attestation.AttestationResult'
        (Import-Clixml $file | Where-Object Verdict -EQ Untrusted).HostName | Should -Be 'bad'
        (Import-Clixml $file | Where-Object Verdict -EQ 'Trusted').HostName | Should -Be 'good'
    }

    It 'Invoke-HostAttestation -Previous takes a <Kind> result' -ForEach @(
        @{ Kind = 'live' }, @{ Kind = 'Import-Clixml' }, @{ Kind = 'ConvertFrom-Json' }
    ) {
        $live = New-Result 'h' 'Trusted'
        $previous = switch ($Kind) {
            'live' { $live }
            'Import-Clixml' { $f = Join-Path $TestDrive 'p.xml'; $live | Export-Clixml $f; Import-Clixml $f }
            'ConvertFrom-Json' { $live | ConvertTo-Json -Depth 4 | ConvertFrom-Json }
        }
        $r = Invoke-HostAttestation -InputObject ([pscustomobject]@{ HostName = 'h' }) -TrustEvidenceKey -Previous $previous -ErrorAction SilentlyContinue
        $r.Verdict | Should -Be 'Untrusted'
    }

    It 'a malformed -Previous (<Why>) is a terminating parameter error' -ForEach @(
        @{ Why = 'a string'; Previous = 'yesterday' }
        @{ Why = 'no HostName'; Previous = [pscustomobject]@{ Verdict = 'Trusted' } }
        @{ Why = 'a made-up verdict'; Previous = [pscustomobject]@{ HostName = 'h'; Verdict = 'Fine' } }
        @{ Why = 'an undefined verdict number'; Previous = [pscustomobject]@{ HostName = 'h'; Verdict = 7 } }
        @{ Why = 'combined flags'; Previous = [pscustomobject]@{ HostName = 'h'; Verdict = 'Trusted,Untrusted' } }
        @{ Why = 'a counter that is text'; Previous = [pscustomobject]@{ HostName = 'h'; Verdict = 'Trusted'; ResetCount = 'many' } }
        @{ Why = 'a hashtable'; Previous = @{ HostName = 'h'; Verdict = 'Trusted' } }
    ) {
        $err = { Invoke-HostAttestation -InputObject ([pscustomobject]@{ HostName = 'h' }) -TrustEvidenceKey -Previous $Previous } |
            Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'InvokeHostAttestationPreviousInvalid,TrustedCompute.PowerShell.Commands.Attestation.InvokeHostAttestationCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'Sync-TrustedPool input' {
    BeforeEach {
        $saved = Get-ChildItem Env:OS_CLOUD, Env:OS_AUTH_URL -ErrorAction Ignore
        Remove-Item Env:OS_CLOUD, Env:OS_AUTH_URL -ErrorAction Ignore
    }
    AfterEach { $saved | ForEach-Object { Set-Item "Env:$($_.Name)" $_.Value } }

    It 'refuses an object that merely has HostName and Verdict: a non-terminating error, and no host is taken' {
        $forged = [pscustomobject]@{ HostName = 'h'; Verdict = 'Trusted'; Time = [datetime]::UtcNow }
        $end = $null
        try { $forged | Sync-TrustedPool -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warns -WarningAction SilentlyContinue }
        catch { $end = $_ }
        # The refusal comes per record; planning (every HTTP call) only starts after it, and found no result at all.
        @($errs | Where-Object FullyQualifiedErrorId -EQ 'SyncTrustedPoolInvalidInput,TrustedCompute.PowerShell.Commands.OpenStack.SyncTrustedPoolCommand').Count | Should -Be 1
        $errs[0].TargetObject.HostName | Should -Be 'h'
        "$warns" | Should -Match 'No attestation results'
        $end.FullyQualifiedErrorId | Should -BeLike 'OpenStackNotConnected,*'
    }

    It 'takes live and deserialized attestation results' {
        $file = Join-Path $TestDrive 'results.xml'
        New-Result 'b' 'Untrusted' | Export-Clixml $file
        $inputs = @((New-Result 'a' 'Trusted'), (Import-Clixml $file))
        $end = $null
        try { $inputs | Sync-TrustedPool -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warns -WarningAction SilentlyContinue }
        catch { $end = $_ }
        $errs | Where-Object FullyQualifiedErrorId -Like 'SyncTrustedPoolInvalidInput*' | Should -BeNullOrEmpty
        "$warns" | Should -Not -Match 'No attestation results'
        $end.FullyQualifiedErrorId | Should -BeLike 'OpenStackNotConnected,*'
    }

    It 'a hashtable, a string and a forged Deserialized result without a HostName are refused too' {
        $fake = [pscustomobject]@{ Verdict = 'Trusted' }
        $fake.PSObject.TypeNames.Insert(0, 'Deserialized.TrustedCompute.Attestation.AttestationResult')
        $end = $null
        try { @(@{ HostName = 'h'; Verdict = 'Trusted' }, 'h', $fake) | Sync-TrustedPool -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue }
        catch { $end = $_ }
        $end.FullyQualifiedErrorId | Should -BeLike 'OpenStackNotConnected,*'
        @($errs | Where-Object FullyQualifiedErrorId -Like 'SyncTrustedPoolInvalidInput*').Count | Should -Be 3
    }
}
