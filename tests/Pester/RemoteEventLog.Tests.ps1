# -EventLogPath for remote hosts (Invoke-HostAttestation over SSH, Invoke-AttestationSweep): the path is read on
# each host. One netns host of tests/env/fleet.sh (sshd + swtpm), PCR 16 extended to match a log in its home.
BeforeDiscovery {
    $script:noFleet = -not $IsLinux -or -not (Get-Command swtpm -ErrorAction Ignore) -or -not (Test-Path /usr/sbin/sshd) -or
        -not (Get-Command ip -ErrorAction Ignore) -or -not (Get-Command tpm2_pcrextend -ErrorAction Ignore) -or (& id -u) -ne '0'
}

BeforeAll {
    Import-Module (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1') -Force
    $fleetSh = Join-Path $PSScriptRoot '../env/fleet.sh'
    $work = Join-Path ([IO.Path]::GetTempPath()) ('tc-pester-rlog-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory $work
    $state = Join-Path $work 'fleet'
    $PSDefaultParameterValues['*:StoreConnectionString'] = Join-Path $work 'store.db'
    $boot = 'shim 15.7', 'grub 2.06-13', 'linux 6.1.0-13'

    . (Join-Path $PSScriptRoot 'TestEventLog.ps1')
    . (Join-Path $PSScriptRoot 'TestFleet.ps1')
    function Invoke-Sweep { Invoke-AttestationSweep -Tag rlog @ssh -TimeoutSec 60 -RetryCount 0 @args }
    function Invoke-Ssh { Invoke-HostAttestation -HostName $ip @ssh -TimeoutSec 60 -RetryCount 0 @args }

    if (-not $noFleet) {
        $up = Start-TestFleet $state 1 (@([Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh')) |
                Where-Object { [IO.Path]::GetFileName($_) -eq 'pwsh' -and (Test-Path $_) } | Select-Object -First 1)
        $ip, $ssh = $up.Hosts[0].Ip, $up.Ssh
        $home1 = Join-Path $state 'h1/home'
        $tcti = 'swtpm:host=127.0.0.1,port=2321'
        foreach ($t in $boot) {
            $data = [Text.Encoding]::ASCII.GetBytes($t)
            $sha1 = [Convert]::ToHexString([Security.Cryptography.SHA1]::HashData($data))
            $sha256 = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($data))
            & $fleetSh exec $state 1 tpm2_pcrextend -T $tcti "16:sha1=$sha1,sha256=$sha256"
        }
        New-TestEventLog (Join-Path $home1 'boot.log') $boot
        New-TestEventLog (Join-Path $home1 'forged.log') ($boot[0..1] + 'linux 6.1.0-99')
        Register-TestFleet $ip $ssh (New-TestEkRoot $work) -PolicyName rlog -Tag rlog -KeepReferenceLog `
            -Evidence { $null = $null; Get-AttestationEvidence -PcrIndex 16 -EventLogPath ~/boot.log }
    }
}

AfterAll {
    $PSDefaultParameterValues.Remove('*:StoreConnectionString')
    if (-not $noFleet) { & $fleetSh down $state }
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}

Describe 'Remote event logs: -EventLogPath is read on the host' -Skip:$noFleet {
    It 'replays the host''s log from the path on the host: Trusted when it matches, eventlog.replay when it does not' {
        foreach ($run in { Invoke-Sweep -EventLogPath '~/boot.log' }, { Invoke-Ssh -EventLogPath '~/boot.log' }) {
            $r = & $run
            $r.Verdict | Should -Be 'Trusted' -Because ($r.Reasons -join '; ')
        }
        foreach ($run in { Invoke-Sweep -EventLogPath '~/forged.log' }, { Invoke-Ssh -EventLogPath "$home1/forged.log" }) {
            $r = & $run
            $r.Verdict | Should -Be 'Untrusted'
            @($r.Reasons.Id) | Should -Contain 'eventlog.replay'
            ($r.Reasons | Where-Object Id -EQ 'eventlog.replay').Pcr | Should -Be 16
        }
    }

    It 'sends no log without -EventLogPath (the host has no platform log) or with -NoEventLog' {
        foreach ($r in (Invoke-Sweep), (Invoke-Ssh -EventLogPath '~/forged.log' -NoEventLog)) {
            $r.Verdict | Should -Be 'Trusted' -Because ($r.Reasons -join '; ')
            @($r.Reasons.Id) | Should -Not -Contain 'eventlog.replay'
        }
    }

    It 'gives a path the host does not have Unknown with the path in its reason, never Trusted' {
        $r = Invoke-Sweep -EventLogPath '~/no-such.log' -ErrorAction SilentlyContinue
        $r.Verdict | Should -Be 'Unknown'
        @($r.Reasons.Id) | Should -Be @('collect.failed') -Because 'a missing file is no TPM failure'
        ($r.Reasons -join '; ') | Should -Match 'event log could not be read there .*no-such\.log'
    }
}
