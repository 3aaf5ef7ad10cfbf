# The fleet Demo (docs/Demo.ps1) run as the README runs it: the built module, a child pwsh, a real netns fleet of
# sshd + swtpm hosts (tests/env/fleet.sh). Checks what a person reading it is told, then that nothing is left running.
BeforeDiscovery {
    $script:noFleet = -not $IsLinux -or -not (Get-Command swtpm -ErrorAction Ignore) -or -not (Test-Path /usr/sbin/sshd) -or
        -not (Get-Command ip -ErrorAction Ignore) -or -not (Get-Command tpm2_pcrextend -ErrorAction Ignore) -or (& id -u) -ne '0'
}

BeforeAll {
    $work = Join-Path ([IO.Path]::GetTempPath()) ('tc-pester-demo-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory $work
    $report = Join-Path $work 'report.html'
    $sweepLine = '^  (?<ip>10\.200\.\d+\.\d+)\s+(?<name>\S+)\s+(?<verdict>Trusted|Untrusted|Unknown)\b(?<reasons>.*)$'
    $diffLine = '^      (?<change>Changed|Added|Removed|Moved) (?<what>.*): ''(?<old>.*)'' -> ''(?<new>.*)'''
    $hostLine = '^(?<name>\S+)\s+(?<ip>10\.200\.\d+\.\d+)\s+(?<netns>tcf\d+h\d+)\s+(?<swtpm>\d+)\s+(?<sshd>\d+)\s*$'

    # The sweeps as printed: one list per sweep of { Ip, Name, Verdict, Reasons, Differences }.
    function Read-Sweeps([string[]] $Lines) {
        $sweeps = [Collections.Generic.List[object]]::new()
        $current = [Collections.Generic.List[object]]::new()
        foreach ($line in $Lines) {
            if ($line -match $sweepLine) {
                $current.Add([pscustomobject]@{
                        Ip = $Matches.ip; Name = $Matches.name; Verdict = $Matches.verdict; Reasons = $Matches.reasons.Trim()
                        Differences = [Collections.Generic.List[object]]::new()
                    })
            }
            elseif ($line -match $diffLine) {
                $current[-1].Differences.Add([pscustomobject]@{
                        Change = $Matches.change; What = $Matches.what; Old = $Matches.old; New = $Matches.new
                    })
            }
            elseif ($line -match '^  Sweep: ') { $sweeps.Add($current.ToArray()); $current.Clear() }
        }
        , $sweeps.ToArray()
    }
    # PIDs that are still running (exited ones and zombies are not).
    function Get-Running([int[]] $Id) {
        $Id | Where-Object { (Get-Content "/proc/$_/stat" -ErrorAction Ignore) -match '^\d+ \(.*\) [^Z]' }
    }
    # Processes whose command line or environment names the demo's state dir (swtpm, sshd, the hosts' remote pwsh).
    function Get-ProcessUsing([string] $Dir) {
        foreach ($p in Get-ChildItem /proc -Directory | Where-Object Name -Match '^\d+$') {
            $cmd = try { [IO.File]::ReadAllText("$($p.FullName)/cmdline") } catch { '' }
            $environ = try { [IO.File]::ReadAllText("$($p.FullName)/environ") } catch { '' }
            if (($cmd + $environ).Contains($Dir)) { [int] $p.Name }
        }
    }

    if (-not $noFleet) {
        $pwsh = @([Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh')) |
            Where-Object { [IO.Path]::GetFileName($_) -eq 'pwsh' -and (Test-Path $_) } | Select-Object -First 1
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $lines = @(& $pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot '../../docs/Demo.ps1') `
                -ModulePath $env:TRUSTEDCOMPUTE_MODULE_PATH -Root (Join-Path $PSScriptRoot '../..') -ReportPath $report 2>&1 |
                ForEach-Object { "$_" -replace '\e\[[0-9;]*m', '' })
        $exitCode = $LASTEXITCODE
        $seconds = $clock.Elapsed.TotalSeconds
        Write-Information ("Demo ran in {0:n1} s, exit code {1}" -f $seconds, $exitCode) -InformationAction Continue
        $text = $lines -join "`n"
        $fleet = @($lines | Where-Object { $_ -match $hostLine } | ForEach-Object {
                $null = $_ -match $hostLine
                [pscustomobject]@{
                    Name = $Matches.name; Ip = $Matches.ip; Netns = $Matches.netns; Swtpm = [int] $Matches.swtpm; Sshd = [int] $Matches.sshd
                }
            })
        $sweeps = Read-Sweeps $lines
        $stateDir = if ($text -match 'state in (?<dir>/\S+),') { $Matches.dir }
        $changedName = if ($text -match '=== (?<name>\S+) reboots into a new kernel') { $Matches.name }
    }
}

AfterAll {
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}

Describe 'Demo: the fleet job from the README command' -Skip:$noFleet {
    It 'exits 0 after showing a fleet of at least four hosts' {
        $exitCode | Should -Be 0 -Because ($lines | Select-Object -Last 30 | Out-String)
        $fleet.Count | Should -BeGreaterOrEqual 4
        @($fleet.Ip | Sort-Object -Unique).Count | Should -Be $fleet.Count
        @($fleet.Netns | Sort-Object -Unique).Count | Should -Be $fleet.Count
        $text | Should -Not -Match 'WARNING|Exception'
    }

    It 'sweeps three times: every host Trusted, then only the changed host Untrusted, then every host Trusted' {
        $sweeps.Count | Should -Be 3
        foreach ($s in $sweeps) { ($s.Ip | Sort-Object) | Should -Be ($fleet.Ip | Sort-Object) }
        foreach ($x in $sweeps[0] + $sweeps[2]) { $x.Verdict | Should -Be 'Trusted' -Because "$($x.Ip): $($x.Reasons)" }
        $changedName | Should -Not -BeNullOrEmpty
        $untrusted = @($sweeps[1] | Where-Object Verdict -NE 'Trusted')
        $untrusted.Count | Should -Be 1
        ($untrusted[0].Name, $untrusted[0].Verdict) | Should -Be @($changedName, 'Untrusted')
        $untrusted[0].Reasons | Should -Match 'policy\.pcr: .*PCR 16 sha256'
        # each host's name comes from its own evidence (its hostname), the address from the registry
        ($sweeps[0].Name | Sort-Object) | Should -Be ($fleet.Name | Sort-Object)
    }

    It 'explains the Untrusted host with the boot event that changed, and no other host with any' {
        $changed = @($sweeps[1] | Where-Object Name -EQ $changedName)[0]
        $changed.Differences.Count | Should -Be 1
        $d = $changed.Differences[0]
        ($d.Change, $d.Old, $d.New) | Should -Be @('Changed', 'linux 6.1.0-13', 'linux 6.1.0-15')
        $d.What | Should -Match '\(PCR 16\)$'
        $others = $sweeps | ForEach-Object { $_ } | Where-Object { $_ -ne $changed }
        @($others).Count | Should -Be (3 * $fleet.Count - 1)
        foreach ($x in $others) { $x.Differences | Should -BeNullOrEmpty }
    }

    It 'approves the change on patch day as a new policy version, after showing it with -WhatIf' {
        $text | Should -Match 'What if: Update policy fleet v1 from \S+ as version 2:\s+add pcrs\.sha256\.16 [0-9a-f]{64}'
        $text | Should -Match 'Policy fleet v2 approved by demo-admin'
    }

    It 'writes the report where it says, naming every host' {
        $lines | Should -Contain "Report: $report"
        Test-Path $report | Should -BeTrue
        $html = Get-Content -Raw $report
        foreach ($h in $fleet) { $html | Should -Match ([regex]::Escape(">$($h.Ip)<")) }
        $html | Should -Match 'data-verdict="Trusted"'
    }

    It 'leaves no swtpm, sshd, remote pwsh, namespace, bridge or temporary file behind' {
        $stateDir | Should -Match '^/tmp/trustedcompute-demo-[0-9a-f]{8}/fleet$'
        Get-Running ($fleet.Swtpm + $fleet.Sshd) | Should -BeNullOrEmpty
        Get-ProcessUsing $stateDir | Should -BeNullOrEmpty
        $namespaces = @(& ip netns list | ForEach-Object { ($_ -split ' ')[0] })
        $namespaces | Where-Object { $_ -in $fleet.Netns } | Should -BeNullOrEmpty
        $bridge = $fleet[0].Netns -replace 'h\d+$', 'br'
        @(& ip -o link show | Where-Object { $_ -match " $bridge[:@]| $($bridge -replace 'br$', 'v')\d+@" }) | Should -BeNullOrEmpty
        Test-Path (Split-Path $stateDir) | Should -BeFalse
        $lines | Should -Contain "Stopped every process in the fleet's namespaces (swtpm, sshd, remote pwsh); deleted $($fleet.Netns -join ', ')."
    }
}
