#Requires -Version 7.4
BeforeAll {
    Import-Module (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH TrustedCompute.psd1) -Force
    $script:Logs = Join-Path $PSScriptRoot '../../../shared/testdata/eventlogs/tpm2-tools'
    $script:HaveLogs = Test-Path (Join-Path $script:Logs 'event-arch-linux.bin')
    # Skips the calling test, with the reason build.ps1 expects, when a file of ../shared/testdata is absent.
    function Skip-WithoutSharedFile([string] $RelativePath) {
        if (Test-Path (Join-Path $PSScriptRoot "../../../shared/testdata/$RelativePath")) { return $false }
        Set-ItResult -Skipped -Because "../shared/testdata/$RelativePath is not present"
        $true
    }
    function Get-OraclePcr([string] $Path) {
        $bank = $null
        foreach ($line in Get-Content $Path) {
            if ($line -match '^\s{2}(sha\d+):\s*$') { $bank = $Matches[1]; continue }
            if ($bank -and $line -match '^\s{4}(\d+)\s*:\s*0x([0-9a-f]+)') { [pscustomobject]@{ Bank = $bank; Index = [int] $Matches[1]; Hex = $Matches[2] } }
        }
    }
}

Describe 'Get-TpmEventLog' {
    It 'writes every event of a log with its decoded data and digest check' {
        if (Skip-WithoutSharedFile 'eventlogs/tpm2-tools/event-arch-linux.bin') { return }
        $events = Get-TpmEventLog -Path (Join-Path $Logs 'event-arch-linux.bin')
        $events.Count | Should -Be 25
        $events[0].EventTypeName | Should -Be 'EV_NO_ACTION'
        $events[0].Source | Should -BeLike '*event-arch-linux.bin'
        @($events | Where-Object DigestCheck -EQ 'Mismatch').Index | Should -Be 24
        ($events | Where-Object { $_.Decoded.VariableName -eq 'db' }).Decoded.Value | Should -Match 'Microsoft Windows Production PCA 2011'
    }

    It 'filters by PCR and by event type wildcard' {
        if (Skip-WithoutSharedFile 'eventlogs/tpm2-tools/event-bootorder.bin') { return }
        $all = Get-TpmEventLog -LiteralPath (Join-Path $Logs 'event-bootorder.bin')
        $pcr7 = Get-TpmEventLog -LiteralPath (Join-Path $Logs 'event-bootorder.bin') -PcrIndex 7
        $pcr7.Count | Should -Be @($all | Where-Object PcrIndex -EQ 7).Count
        $vars = Get-TpmEventLog -LiteralPath (Join-Path $Logs 'event-bootorder.bin') -EventType 'ev_efi_variable_*'
        $vars.EventTypeName | Sort-Object -Unique | Should -Be @('EV_EFI_VARIABLE_BOOT', 'EV_EFI_VARIABLE_DRIVER_CONFIG')
    }

    It 'binds files from Get-ChildItem by PSPath' {
        if (Skip-WithoutSharedFile 'eventlogs/tpm2-tools/event.bin') { return }
        $events = Get-ChildItem (Join-Path $Logs 'event.bin'), (Join-Path $Logs 'event-uefivar.bin') | Get-TpmEventLog
        $events.Count | Should -Be 4
        ($events.Source | Sort-Object -Unique).Count | Should -Be 2
    }

    It 'reports junk with a parse error id naming the byte offset, and goes on with the next file' {
        $junk = Join-Path $TestDrive 'junk.bin'
        [IO.File]::WriteAllBytes($junk, [byte[]] (1..200 | ForEach-Object { 0xAB }))
        $good = Join-Path $TestDrive 'missing.bin'
        $out = Get-TpmEventLog -LiteralPath $junk, $good -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs.Count | Should -Be 2
        $errs[0].FullyQualifiedErrorId | Should -Be 'GetTpmEventLogParseFailed,TrustedCompute.PowerShell.Commands.EventLog.GetTpmEventLogCommand'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].Exception.Message | Should -Match 'byte offset 0'
        $errs[1].FullyQualifiedErrorId | Should -Be 'GetTpmEventLogReadFailed,TrustedCompute.PowerShell.Commands.EventLog.GetTpmEventLogCommand'
    }

    It 'reads the local log by default, or says clearly that there is none' {
        $local = '/sys/kernel/security/tpm0/binary_bios_measurements'
        if ($IsLinux -and -not (Test-Path $local)) {
            Get-TpmEventLog -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'GetTpmEventLogReadFailed,*'
            $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errs[0].Exception.Message | Should -Match 'binary_bios_measurements'
        }
        else {
            Set-ItResult -Skipped -Because 'this machine has a readable local event log or is not Linux'
        }
    }

    It 'reports a wildcard that matches nothing as PathNotFound' {
        Get-TpmEventLog -Path (Join-Path $TestDrive 'nothing-*.bin') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GetTpmEventLogPathNotFound,*'
    }
}

Describe 'Get-TpmEventLogPcr' {
    It 'replays to the oracle values for every bank' {
        if (Skip-WithoutSharedFile 'eventlogs/tpm2-tools/event-gce-ubuntu-2104-log.bin') { return }
        $log = Join-Path $Logs 'event-gce-ubuntu-2104-log.bin'
        $expected = Get-OraclePcr "$log.replay-py.txt" | ForEach-Object { '{0}:{1}:{2}' -f $_.Bank, $_.Index, $_.Hex }
        $actual = Get-TpmEventLogPcr -Path $log | ForEach-Object { '{0}:{1}:{2}' -f $_.Bank, $_.Index, $_.Hex }
        $actual | Should -Be $expected
        (Get-TpmEventLogPcr -Path $log -Bank sha384 -PcrIndex 7).Hex | Should -Be ($expected -match '^sha384:7:' -replace '^sha384:7:')
    }

    It 'rejects an unknown bank with a stable error id' {
        { Get-TpmEventLogPcr -Path $PSCommandPath -Bank md5 -ErrorAction Stop } | Should -Throw -ErrorId 'GetTpmEventLogPcrInvalidBank,TrustedCompute.PowerShell.Commands.EventLog.GetTpmEventLogPcrCommand'
    }
}

Describe 'Compare-TpmEventLog' {
    It 'writes nothing when the reference agrees and one object per differing PCR otherwise' {
        if (Skip-WithoutSharedFile 'eventlogs/tpm2-tools/event-postcode.bin') { return }
        $log = Join-Path $Logs 'event-postcode.bin'
        $pcrs = Get-TpmEventLogPcr -Path $log
        Compare-TpmEventLog -Path $log -ReferencePcr $pcrs | Should -BeNullOrEmpty
        $sha256pcr0 = ($pcrs | Where-Object { $_.Bank -eq 'sha256' -and $_.Index -eq 0 }).Hex
        $diff = Compare-TpmEventLog -Path $log -ReferencePcr @{ sha256 = @{ 0 = $sha256pcr0; 4 = ('00' * 32) }; sha1 = @{ 23 = ('11' * 20) } }
        @($diff).Count | Should -Be 2
        ($diff | ForEach-Object { '{0}:{1}' -f $_.Bank, $_.Index }) | Should -Be @('sha1:23', 'sha256:4')
        $diff[1].ReplayedHex | Should -Be ($pcrs | Where-Object { $_.Bank -eq 'sha256' -and $_.Index -eq 4 }).Hex
    }

    It 'rejects reference values without Bank, Index and Value' {
        { Compare-TpmEventLog -Path $PSCommandPath -ReferencePcr ([pscustomobject]@{ Name = 'x' }) -ErrorAction Stop } |
            Should -Throw -ErrorId 'CompareTpmEventLogInvalidReferencePcr,TrustedCompute.PowerShell.Commands.EventLog.CompareTpmEventLogCommand'
    }
}

Describe 'EventLog cmdlets as users meet them' {
    It '<Name> has help with synopsis, description, an example and every parameter described' -ForEach @(
        @{ Name = 'Get-TpmEventLog' }, @{ Name = 'Get-TpmEventLogPcr' }, @{ Name = 'Compare-TpmEventLog' }
    ) {
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$Name"
        ($help.Description.Text -join '') | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($p in (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin $common }) {
            ($help.Parameters.Parameter | Where-Object Name -EQ $p).Description.Text | Should -Not -BeNullOrEmpty -Because "$Name -$p needs help"
        }
    }

    It 'formats events, PCRs and differences as tables, also after remoting' {
        if (Skip-WithoutSharedFile 'eventlogs/tpm2-tools/event.bin') { return }
        $event = Get-TpmEventLog -Path (Join-Path $Logs 'event.bin') | Select-Object -Last 1
        ($event | Format-Table | Out-String) | Should -Match 'DigestCheck'
        $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($event))
        $copy.PSObject.TypeNames[0] | Should -Be 'Deserialized.TrustedCompute.EventLog.TcgEvent'
        ($copy | Format-Table | Out-String) | Should -Match 'DigestCheck'
        $pcr = Get-TpmEventLogPcr -Path (Join-Path $Logs 'event.bin') | Select-Object -First 1
        $pcrCopy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($pcr))
        ($pcrCopy | Format-Table | Out-String) | Should -Match $pcr.Hex.Substring(0, 16)
    }
}

Describe 'EventLog real-world and hostile input' {
    It 'shows a trailing EV_NO_ACTION logged against no PCR (as Windows writes) and replays without it' {
        if (Skip-WithoutSharedFile 'eventlogs/tpm2-tools/event-gce-ubuntu-2104-log.bin') { return }
        $source = Join-Path $Logs 'event-gce-ubuntu-2104-log.bin'
        $tail = [Collections.Generic.List[byte]]::new()
        $tail.AddRange([BitConverter]::GetBytes([uint32]::MaxValue))
        $tail.AddRange([BitConverter]::GetBytes([uint32] 3))
        $tail.AddRange([BitConverter]::GetBytes([uint32] 3))
        foreach ($bank in @(@(4, 20), @(11, 32), @(12, 48))) {
            $tail.AddRange([BitConverter]::GetBytes([uint16] $bank[0]))
            $tail.AddRange([byte[]]::new($bank[1]))
        }
        $data = [Text.Encoding]::ASCII.GetBytes("WindowsTailEvent`0more")
        $tail.AddRange([BitConverter]::GetBytes([uint32] $data.Length))
        $tail.AddRange($data)
        $log = Join-Path $TestDrive 'windows-tail.bin'
        [IO.File]::WriteAllBytes($log, [byte[]] ([IO.File]::ReadAllBytes($source) + $tail.ToArray()))

        $last = Get-TpmEventLog -LiteralPath $log | Select-Object -Last 1
        $last.PcrIndex | Should -Be -1
        $last.IsExtended | Should -BeFalse
        $last.Decoded.Signature | Should -Be 'WindowsTailEvent'
        $expected = Get-OraclePcr "$source.replay-py.txt" | ForEach-Object { '{0}:{1}:{2}' -f $_.Bank, $_.Index, $_.Hex }
        Get-TpmEventLogPcr -LiteralPath $log | ForEach-Object { '{0}:{1}:{2}' -f $_.Bank, $_.Index, $_.Hex } | Should -Be $expected
    }

    It 'shows shim''s SbatLevel as text and MokListTrusted with its value' {
        if (Skip-WithoutSharedFile 'eventlogs/tpm2-tools/event-moklisttrusted.bin') { return }
        $events = Get-TpmEventLog -Path (Join-Path $Logs 'event-moklisttrusted.bin')
        ($events | Where-Object { $_.Decoded.VariableName -eq 'SbatLevel' }).Decoded.Value | Should -Be 'sbat,1,2021030218'
        $pcr14 = $events | Where-Object { $_.PcrIndex -eq 14 -and $_.EventTypeName -eq 'EV_IPL' -and $_.Summary -like 'MokListTrusted*' }
        $pcr14.Summary | Should -Be 'MokListTrusted: Enabled'
        $pcr14.DigestCheck | Should -Be 'Verified'
    }

    It 'reports an endless device as a read failure at the size cap, not a hang or an out-of-memory' {
        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'POSIX devices: not on Windows'; return }
        Get-TpmEventLog -LiteralPath /dev/zero -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GetTpmEventLogReadFailed,*'
        $errs[0].Exception.Message | Should -Match 'maximum log size'
    }
}
