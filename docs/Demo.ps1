<#
.SYNOPSIS
    The main job for a fleet, end to end on one machine: a simulated fleet of hosts (each a network namespace with
    its own sshd and swtpm, reached over SSH remoting), enrolled, swept (all Trusted), one host's boot changed
    (Untrusted, with the event that changed), the change approved on patch day (Trusted again), and the HTML report.
.DESCRIPTION
    The fleet needs root (network namespaces), swtpm, tpm2-tools and openssh-server (build.ps1 -Task Bootstrap
    installs them). Everything runs against a temporary SQLite store and is stopped and removed at the end, the
    report excepted. Without root or network namespaces it shows one TPM end to end instead: $env:TRUSTEDCOMPUTE_TPM,
    a TPM device this user can open, or a swtpm simulator it starts.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Root,
    [ValidateRange(4, 32)] [int] $HostCount = 4,
    [string] $ReportPath = (Join-Path $Root 'out/demo-report.html')
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $ModulePath 'TrustedCompute.psd1')
$clock = [Diagnostics.Stopwatch]::StartNew()
function Show([string] $Title) {
    Write-Information ("`n=== {0}   [{1:n1} s]" -f $Title, $clock.Elapsed.TotalSeconds) -InformationAction Continue
}
function Get-ShortId { [guid]::NewGuid().ToString('N').Substring(0, 8) }

# Why this machine cannot run the fleet, or $null when it can.
function Get-FleetObstacle {
    if (-not $IsLinux) { return 'the fleet runs on Linux only' }
    if ((& id -u) -ne '0') { return 'the fleet needs root (network namespaces)' }
    foreach ($tool in 'swtpm', 'swtpm_setup', 'tpm2_pcrextend', 'tpm2_pcrreset', 'ip', 'unshare', 'ssh-keygen') {
        if (-not (Get-Command $tool -ErrorAction Ignore)) { return "$tool is not installed (build.ps1 -Task Bootstrap)" }
    }
    if (-not (Test-Path /usr/sbin/sshd)) { return 'openssh-server is not installed (build.ps1 -Task Bootstrap)' }
    $probe = 'tcdemo' + (Get-ShortId)
    & ip netns add $probe 2>$null
    if ($LASTEXITCODE -ne 0) { return 'network namespaces are not available here' }
    & ip netns delete $probe
    $null
}

# One TPM end to end: its identity, EK, an AK, a quote, and Trusted then Untrusted against a golden policy.
function Invoke-SingleTpmDemo {
    $stateDir = $null
    $tpm = $env:TRUSTEDCOMPUTE_TPM
    if (-not $tpm -and $IsLinux -and [IO.File]::Exists('/dev/tpmrm0')) {
        try { [IO.File]::Open('/dev/tpmrm0', 'Open', 'ReadWrite').Dispose(); $tpm = 'device:/dev/tpmrm0' }
        catch { Write-Verbose "No access to /dev/tpmrm0: $_" }
    }
    if (-not $tpm) {
        if (-not (Get-Command swtpm -ErrorAction Ignore)) {
            throw 'No TPM and no swtpm: install swtpm swtpm-tools tpm2-tools (build.ps1 -Task Bootstrap does it as root).'
        }
        $stateDir = Join-Path ([IO.Path]::GetTempPath()) ('trustedcompute-demo-' + (Get-ShortId))
        $settings = @{}
        & (Join-Path $Root 'tests/env/swtpm.sh') start $stateDir |
            ForEach-Object { $k, $v = $_ -split '=', 2; $settings[$k] = $v }
        $tpm = $settings.TRUSTEDCOMPUTE_TPM
        "Started a swtpm simulator: $tpm"
    }
    $policyFile = Join-Path ([IO.Path]::GetTempPath()) ('tc-demo-golden-' + (Get-ShortId) + '.yaml')
    try {
        Show 'Get-TpmDevice and Get-TpmEndorsementKey'
        Get-TpmDevice -Tpm $tpm | Format-List | Out-String
        Get-TpmEndorsementKey -Tpm $tpm | Format-Table | Out-String

        Show 'New-TpmAttestationKey, then Get-TpmQuote over sha256 PCRs 0-7 with a fresh nonce'
        $ak = New-TpmAttestationKey -Tpm $tpm -KeyType RsaSsa -Force -Confirm:$false
        $quote = $ak | Get-TpmQuote -Tpm $tpm -PcrIndex (0..7) -Bank sha256
        $quote | Format-List | Out-String

        Show 'A golden policy from this TPM: Invoke-HostAttestation -> Trusted'
        Get-AttestationEvidence -Tpm $tpm -PcrIndex 0, 7, 16 -NoEventLog | New-AttestationPolicy -Name demo-golden |
            Export-AttestationPolicy -Path $policyFile
        Invoke-HostAttestation -Tpm $tpm -AttestationKey $ak -PolicyPath $policyFile -NoEventLog | Format-Table | Out-String

        Show 'Update-TpmPcr 16, then Invoke-HostAttestation -> Untrusted, naming the PCR'
        $null = Update-TpmPcr 16 -Tpm $tpm -Text 'demo-rogue' -Confirm:$false
        Invoke-HostAttestation -Tpm $tpm -AttestationKey $ak -PolicyPath $policyFile -NoEventLog | Format-List | Out-String
        Remove-TpmAttestationKey 0x81010002 -Tpm $tpm -Confirm:$false
    }
    finally {
        Remove-Item $policyFile -ErrorAction Ignore
        if ($stateDir) {
            & (Join-Path $Root 'tests/env/swtpm.sh') stop $stateDir
            Remove-Item -Recurse -Force $stateDir -ErrorAction Ignore
            'Stopped the simulator.'
        }
    }
}

# A crypto-agile (sha1, sha256) TCG event log of EV_EFI_ACTION events in PCR 16, each digest the hash of its text.
function New-BootLog([string] $Path, [string[]] $Component) {
    $stream = [IO.MemoryStream]::new()
    $w = [IO.BinaryWriter]::new($stream)
    [byte[]] $specId = [Text.Encoding]::ASCII.GetBytes("Spec ID Event03`0") + [byte[]](0, 0, 0, 0, 0, 2, 0, 2) +
        [BitConverter]::GetBytes([uint32]2) + [byte[]](4, 0, 20, 0, 0x0B, 0, 32, 0) + [byte[]]0
    $w.Write([uint32]0); $w.Write([uint32]3); $w.Write([byte[]]::new(20))   # PCR 0, EV_NO_ACTION, no digest
    $w.Write([uint32]$specId.Length); $w.Write($specId)
    foreach ($text in $Component) {
        $data = [Text.Encoding]::ASCII.GetBytes($text)
        $w.Write([uint32]16); $w.Write([uint32]0x80000007u); $w.Write([uint32]2)
        $w.Write([uint16]4); $w.Write([Security.Cryptography.SHA1]::HashData($data))
        $w.Write([uint16]0x0B); $w.Write([Security.Cryptography.SHA256]::HashData($data))
        $w.Write([uint32]$data.Length); $w.Write($data)
    }
    $w.Flush()
    [IO.File]::WriteAllBytes($Path, $stream.ToArray())
}

# A host "boots": its PCR 16 is reset and extended with each component, and its event log (~/boot.log) matches.
function Set-HostBoot($HostInfo, [string[]] $Component) {
    New-BootLog (Join-Path $HostInfo.Dir 'home/boot.log') $Component
    $tcti = 'swtpm:host=127.0.0.1,port=2321'
    $commands = @("tpm2_pcrreset -T $tcti 16") + @($Component | ForEach-Object {
            $data = [Text.Encoding]::ASCII.GetBytes($_)
            $sha1 = [Convert]::ToHexString([Security.Cryptography.SHA1]::HashData($data))
            $sha256 = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($data))
            "tpm2_pcrextend -T $tcti 16:sha1=$sha1,sha256=$sha256"
        })
    & $fleetSh exec $state $HostInfo.Index sh -ec ($commands -join "`n")
    if ($LASTEXITCODE -ne 0) { throw "Could not extend PCR 16 on $($HostInfo.Name)" }
}

# The pwsh executable for the hosts' SSH subsystem (this process may be dotnet running pwsh.dll).
function Get-PwshPath {
    @([Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh')) |
        Where-Object { [IO.Path]::GetFileName($_) -eq 'pwsh' -and (Test-Path $_) } | Select-Object -First 1
}

# The PIDs still alive (not exited, not a zombie) after up to 5 s.
function Wait-ProcessExit([int[]] $Id) {
    $deadline = [DateTime]::UtcNow.AddSeconds(5)
    do {
        $alive = @($Id | Where-Object { (Get-Content "/proc/$_/stat" -ErrorAction Ignore) -match '^\d+ \(.*\) [^Z]' })
        if (-not $alive) { return }
        Start-Sleep -Milliseconds 100
    } while ([DateTime]::UtcNow -lt $deadline)
    $alive
}

function Get-Prefix([string] $Hex) { $Hex.Substring(0, [Math]::Min(12, $Hex.Length)) }

function Show-Sweep([object[]] $Results) {
    foreach ($r in $Results | Sort-Object HostName) {
        # Info reasons (such as the host calling itself by its name, not by the address it is enrolled as) are left out.
        $reasons = @($r.Reasons | Where-Object Severity -NE 'Info')
        '  {0,-14} {1,-16} {2,-10} {3}' -f $r.HostName, $r.ClaimedHostName, $r.Verdict, ($reasons -join '; ')
        foreach ($d in $r.EventDifferences) {
            "      {0}: '{1}' -> '{2}' ({3} {4}.. -> {5}..)" -f $d.Summary, $d.OldDescription, $d.NewDescription,
                $d.Bank, (Get-Prefix $d.OldDigest), (Get-Prefix $d.NewDigest)
        }
    }
    $counts = $Results | Group-Object Verdict | ForEach-Object { "$($_.Count) $($_.Name)" }
    "  Sweep: $($Results.Count) hosts, $($counts -join ', ')"
}

function Invoke-FleetDemo {
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ('trustedcompute-demo-' + (Get-ShortId))
    $script:state = Join-Path $work 'fleet'
    $script:fleetSh = Join-Path $Root 'tests/env/fleet.sh'
    $null = New-Item -ItemType Directory $work
    $savedStore = $env:TRUSTEDCOMPUTE_STORE
    $env:TRUSTEDCOMPUTE_STORE = Join-Path $work 'store.db'
    $pcrs = @(0..7) + 16
    $golden = 'shim 15.7', 'grub 2.06-13', 'linux 6.1.0-13'
    $newKernel = 'shim 15.7', 'grub 2.06-13', 'linux 6.1.0-15'
    $sessions = @()
    $netns = @()
    $script:fleet = @()
    try {
        Show "A fleet of $HostCount hosts, each a network namespace with its own hostname, sshd and swtpm"
        $settings = @{}
        & $fleetSh up $state $HostCount (Get-PwshPath) $ModulePath |
            ForEach-Object { $k, $v = $_ -split '=', 2; $settings[$k] = $v }
        if ($LASTEXITCODE -ne 0) { throw "tests/env/fleet.sh up failed (see $state/h*.setup.log)" }
        $script:fleet = @(Get-Content $settings.HOSTS | ForEach-Object {
                $i, $name, $address, $ns = $_ -split "`t"
                $dir = Join-Path $state "h$i"
                [pscustomobject]@{
                    Index = [int] $i; Name = $name; Ip = $address; Netns = $ns; Dir = $dir
                    Swtpm = [int] (Get-Content "$dir/swtpm.pid"); Sshd = [int] (Get-Content "$dir/sshd.pid")
                }
            })
        $netns = $fleet.Netns
        $fleet | Format-Table Name, Ip, Netns, @{ n = 'swtpm PID'; e = 'Swtpm' }, @{ n = 'sshd PID'; e = 'Sshd' } |
            Out-String
        "Subnet $($settings.SUBNET), state in $state, store $env:TRUSTEDCOMPUTE_STORE"
        foreach ($h in $fleet) { Set-HostBoot $h $golden }
        "Every host booted: $($golden -join ', ') (PCR 16 and ~/boot.log on each host)"

        $ssh = @{
            UserName = $settings.USER; KeyFilePath = $settings.KEY
            Options  = @{ UserKnownHostsFile = $settings.KNOWN_HOSTS; StrictHostKeyChecking = 'yes' }
        }
        Show 'Over SSH remoting: one host up close (Get-TpmDevice, Get-TpmEndorsementKey run on it)'
        $sessions = @(New-PSSession -HostName $fleet.Ip @ssh)
        Invoke-Command -Session $sessions[0] {
            $null = $null
            hostname
            Get-TpmDevice | Format-List | Out-String
            Get-TpmEndorsementKey | Format-Table | Out-String
        }

        Show 'Enroll: an AK on every host, bound to its EK certificate (chain to the swtpm CA) by credential activation'
        Invoke-Command -Session $sessions { $null = $null; $null = New-TpmAttestationKey -Force -Confirm:$false }
        $goldenEvidence = Invoke-Command -Session $sessions[0] -ArgumentList (, $pcrs) {
            param($pcrs) $null = $null; Get-AttestationEvidence -PcrIndex $pcrs -EventLogPath ~/boot.log
        }
        $policy = $goldenEvidence | New-AttestationPolicy -Name fleet -KeepReferenceLog
        $stored = $policy | Register-AttestationPolicy -Comment "golden: $($fleet[0].Name)"
        "Policy $($stored.Name) v$($stored.Version): sha256 PCRs $($pcrs -join ','), $($fleet[0].Name)'s event log as reference"
        $roots = New-Item -ItemType Directory (Join-Path $work 'ek-roots')
        $ca = Join-Path (Split-Path (& (Join-Path $Root 'tests/env/swtpm.sh') template)) 'localca'
        Copy-Item (Join-Path $ca 'issuercert.pem'), (Join-Path $ca 'swtpm-localca-rootca-cert.pem') $roots
        Register-TrustedHost -Session $sessions -EkTrustPath $roots -PolicyName fleet -Tag demo -Confirm:$false |
            Sort-Object Name | Format-Table Name, TpmManufacturer, PolicyName, Tags, EnrolledAt | Out-String
        Remove-PSSession $sessions
        $sessions = @()

        $sweep = @{ Tag = 'demo'; EventLogPath = '~/boot.log'; ThrottleLimit = $HostCount; TimeoutSec = 60 } + $ssh
        Show 'Invoke-AttestationSweep: a fresh quote from every enrolled host, verified here'
        Show-Sweep @(Invoke-AttestationSweep @sweep)

        $changed = $fleet[1]
        Show "$($changed.Name) reboots into a new kernel (PCR 16 extended with 'linux 6.1.0-15'), then a sweep"
        Set-HostBoot $changed $newKernel
        Show-Sweep @(Invoke-AttestationSweep @sweep)

        Show "Patch day: $($changed.Name) is checked and good; approve its boot (Update-AttestationPolicy -WhatIf, then for real)"
        $patched = Invoke-Command -HostName $changed.Ip @ssh -ArgumentList (, $pcrs) {
            param($pcrs) $null = $null; Get-AttestationEvidence -PcrIndex $pcrs -EventLogPath ~/boot.log
        }
        $patched | Update-AttestationPolicy fleet -WhatIf
        $v2 = $patched | Update-AttestationPolicy fleet -ApprovedBy demo-admin -Comment 'linux 6.1.0-15' -Confirm:$false
        "Policy fleet v$($v2.Version) approved by $($v2.CreatedBy): the old boot stays allowed until -Retire"

        Show 'Invoke-AttestationSweep after the approval'
        Show-Sweep @(Invoke-AttestationSweep @sweep)

        Show 'Export-AttestationReport: the fleet report from the store'
        $null = New-Item -ItemType Directory -Force (Split-Path $ReportPath)
        $report = Export-AttestationReport -Path $ReportPath -Force
        "Report: $($report.FullName)"
    }
    finally {
        Show 'Stop everything the demo started'
        if ($sessions) { Remove-PSSession $sessions -ErrorAction Ignore }
        if (Test-Path (Join-Path $state 'fleet')) { & $fleetSh down $state }
        $env:TRUSTEDCOMPUTE_STORE = $savedStore
        $left = @(Wait-ProcessExit @($fleet | ForEach-Object { $_.Swtpm; $_.Sshd }))
        $leftNetns = @(& ip netns list | ForEach-Object { ($_ -split ' ')[0] } | Where-Object { $_ -in $netns })
        Remove-Item -Recurse -Force $work -ErrorAction Ignore
        if ($left -or $leftNetns) { Write-Warning "Still running: PIDs $($left -join ', '); namespaces $($leftNetns -join ', ')" }
        else { "Stopped every process in the fleet's namespaces (swtpm, sshd, remote pwsh); deleted $($netns -join ', ')." }
    }
}

$obstacle = Get-FleetObstacle
if ($obstacle) {
    Write-Warning "No fleet demo: $obstacle. Showing one TPM end to end instead."
    Invoke-SingleTpmDemo
}
else { Invoke-FleetDemo }
"Demo done in {0:n1} s" -f $clock.Elapsed.TotalSeconds
