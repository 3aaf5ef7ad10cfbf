<#
.SYNOPSIS
    The fleet acceptance run and its figures: N netns hosts (tests/env/fleet.sh), every one enrolled and Trusted;
    then 10 hosts faulted (two each: down, no-pwsh, no-module, swtpm-kill, swtpm-stop) and one host's PCR extended:
    the faulted ones Unknown with the right reason, the extended one Untrusted, the rest Trusted, all in the store.
    Reports the sweep time against ceil(N / ThrottleLimit) x the single-host latency measured in the same run, and
    the admin process's memory per concurrent host. Needs root; the module must be built (./build.ps1 -Task Build).
.EXAMPLE
    ./tests/TrustedCompute.Benchmarks/Measure-FleetSweep.ps1 -Hosts 50 -ThrottleLimit 16
#>
param(
    [int] $Hosts = 50,
    [int] $ThrottleLimit = 16,
    # Per-host timeout of the sweep with faults (it bounds what the frozen TPMs cost); a large fleet on few cores needs more.
    [int] $FaultTimeoutSec = 30,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/TrustedCompute'),
    [string] $State = (Join-Path ([IO.Path]::GetTempPath()) "tc-fleet-measure-$PID")
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $ModulePath 'TrustedCompute.psd1')
$fleetSh = Join-Path $PSScriptRoot '../env/fleet.sh'
$pwsh = (Get-Process -Id $PID).Path
$store = Join-Path $State 'store.db'
$PSDefaultParameterValues['*:StoreConnectionString'] = $store
function Step([string] $Text) { Write-Information "[$([DateTime]::UtcNow.ToString('HH:mm:ss'))] $Text" -InformationAction Continue }

$clock = [Diagnostics.Stopwatch]::StartNew()
$settings = @{}
& $fleetSh up $State $Hosts $pwsh $ModulePath | ForEach-Object { $k, $v = $_ -split '=', 2; $settings[$k] = $v }
if ($LASTEXITCODE) { throw 'fleet.sh up failed' }
try {
    Step "fleet of $Hosts up in $($clock.Elapsed.TotalSeconds.ToString('0.0')) s"
    $fleet = @(Get-Content $settings.HOSTS | ForEach-Object {
            $i, $name, $ip, $ns = $_ -split "`t"; [pscustomobject]@{ Index = [int] $i; Ip = $ip }
        })
    $ssh = @{ UserName = 'root'; KeyFilePath = $settings.KEY
        Options = @{ UserKnownHostsFile = $settings.KNOWN_HOSTS; StrictHostKeyChecking = 'yes' } }
    $roots = New-Item -ItemType Directory -Force (Join-Path $State 'roots')
    $ca = Join-Path (Split-Path (& (Join-Path $PSScriptRoot '../env/swtpm.sh') template)) 'localca'
    Copy-Item (Join-Path $ca 'issuercert.pem'), (Join-Path $ca 'swtpm-localca-rootca-cert.pem') $roots

    $clock.Restart()
    for ($at = 0; $at -lt $Hosts; $at += 10) {
        $batch = $fleet[$at..([Math]::Min($at + 9, $Hosts - 1))]
        $sessions = New-PSSession -HostName $batch.Ip @ssh
        Invoke-Command -Session $sessions { $null = $null; $null = New-TpmAttestationKey -Force -Confirm:$false }
        if ($at -eq 0) {
            Invoke-Command -Session $sessions[0] { $null = $null; Get-AttestationEvidence -NoEventLog } |
                New-AttestationPolicy -Name fleet | Register-AttestationPolicy | Out-Null
        }
        $null = Register-TrustedHost -Session $sessions -EkTrustPath $roots -PolicyName fleet -Tag fleet
        Remove-PSSession $sessions
    }
    Step "$(@(Get-TrustedHost).Count) hosts enrolled in $($clock.Elapsed.TotalSeconds.ToString('0.0')) s"

    $single = foreach ($n in 1..3) {
        $t = [Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-HostAttestation -HostName $fleet[$n - 1].Ip @ssh -NoEventLog
        if ($r.Verdict -ne 'Trusted') { throw "single host: $($r.Reasons -join '; ')" }
        $t.Elapsed.TotalSeconds
    }
    $latency = ($single | Measure-Object -Minimum).Minimum
    $ideal = [Math]::Ceiling($Hosts / $ThrottleLimit) * $latency
    Step "single-host latency (best of 3): $($latency.ToString('0.00')) s; ideal sweep $($ideal.ToString('0.0')) s"

    # CPU the whole machine spends (user + system, not niced work such as a fuzzer), in core-seconds: every host of this
    # fleet shares these cores, so the sweep cannot beat (CPU per host x N / cores) whatever the throttle.
    function Get-BusyCoreSeconds {
        $f = (Get-Content /proc/stat -TotalCount 1) -split '\s+'
        ([double] $f[1] + [double] $f[3] + [double] $f[6] + [double] $f[7]) / 100
    }
    $cores = [Environment]::ProcessorCount
    $busy = Get-BusyCoreSeconds
    $before = [Diagnostics.Process]::GetCurrentProcess()
    [GC]::Collect(); $baseMb = $before.WorkingSet64 / 1MB
    $peakMb = $baseMb
    $clock.Restart()
    $first = @(Get-TrustedHost -Tag fleet | Invoke-HostAttestation @ssh -NoEventLog -ThrottleLimit $ThrottleLimit -TimeoutSec 120 |
            ForEach-Object { $peakMb = [Math]::Max($peakMb, [Diagnostics.Process]::GetCurrentProcess().WorkingSet64 / 1MB); $_ })
    $sweepSec = $clock.Elapsed.TotalSeconds
    $cpuPerHost = ((Get-BusyCoreSeconds) - $busy) / $Hosts
    $cpuBound = $cpuPerHost * $Hosts / $cores
    Step "CPU: $($cpuPerHost.ToString('0.00')) core-s per host; on $cores cores the sweep needs at least $($cpuBound.ToString('0.0')) s"
    $trusted = @($first | Where-Object Verdict -eq 'Trusted').Count
    Step "sweep 1: $trusted/$Hosts Trusted in $($sweepSec.ToString('0.0')) s = $(($sweepSec / $ideal).ToString('0.00')) x ideal"
    Step "admin memory: $($baseMb.ToString('0')) MiB before, $($peakMb.ToString('0')) MiB peak: $((($peakMb - $baseMb) / $ThrottleLimit).ToString('0.0')) MiB per concurrent host"

    $faults = [ordered]@{
        'down' = 'collect.unreachable'; 'no-pwsh' = 'collect.module'; 'no-module' = 'collect.module'
        'swtpm-kill' = 'collect.tpm'; 'swtpm-stop' = 'collect.timeout'
    }
    $expected = @{}
    $k = 0
    foreach ($kind in $faults.Keys) {
        foreach ($n in 1..2) {
            $h = $fleet[5 + 4 * $k + $n]
            & $fleetSh fault $State $h.Index $kind
            $expected[$h.Ip] = $faults[$kind]
        }
        $k++
    }
    $extended = $fleet[-1]
    & $fleetSh exec $State $extended.Index tpm2_pcrextend -T swtpm:host=127.0.0.1,port=2321 `
        "0:sha256=$('ab' * 32)" | Out-Null
    $resultsBefore = @(Get-AttestationResult).Count
    $clock.Restart()
    $second = @(Get-TrustedHost -Tag fleet | Invoke-HostAttestation @ssh -NoEventLog -ThrottleLimit $ThrottleLimit `
            -TimeoutSec $FaultTimeoutSec -RetryCount 0 -ErrorAction SilentlyContinue)
    $faultSec = $clock.Elapsed.TotalSeconds
    $wrong = @()
    foreach ($r in $second) {
        $want = if ($expected.ContainsKey($r.HostName)) { "Unknown $($expected[$r.HostName])" }
        elseif ($r.HostName -eq $extended.Ip) { 'Untrusted' } else { 'Trusted' }
        $got = if ($r.Verdict -eq 'Unknown') { "Unknown $($r.Reasons[0].Id)" } else { "$($r.Verdict)" }
        if ($got -ne $want) { $wrong += "$($r.HostName): wanted $want, got $got ($($r.Reasons -join '; '))" }
    }
    $recorded = @(Get-AttestationResult).Count - $resultsBefore
    Step "sweep 2: $($second.Count) results in $($faultSec.ToString('0.0')) s, $recorded recorded, $($wrong.Count) wrong"
    $wrong | ForEach-Object { Step "  $_" }
    [pscustomobject]@{
        Hosts = $Hosts; ThrottleLimit = $ThrottleLimit; SingleHostSec = $latency; IdealSec = $ideal; SweepSec = $sweepSec
        RatioToIdeal = $sweepSec / $ideal; CpuSecPerHost = $cpuPerHost; CpuBoundSec = $cpuBound; RatioToCpuBound = $sweepSec / $cpuBound; TrustedFirst = $trusted; FaultSweepSec = $faultSec; Results = $second.Count
        Recorded = $recorded; Wrong = $wrong.Count; MiBPerConcurrentHost = ($peakMb - $baseMb) / $ThrottleLimit
    }
}
finally {
    & $fleetSh down $State
    Remove-Item -Recurse -Force $State -ErrorAction Ignore
}
