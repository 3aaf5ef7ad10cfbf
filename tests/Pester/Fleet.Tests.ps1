# Fleet sweeps through the built module: a netns fleet of real sshd + swtpm hosts (tests/env/fleet.sh), enrolled
# in a real SQLite store, attested over SSH remoting with faults injected. Needs root (network namespaces).
BeforeDiscovery {
    $script:noFleet = -not (Get-Command swtpm -ErrorAction Ignore) -or -not (Test-Path /usr/sbin/sshd) -or
        -not (Get-Command ip -ErrorAction Ignore) -or (& id -u) -ne '0'
    $script:noTmux = $noFleet -or -not (Get-Command tmux -ErrorAction Ignore)
    $script:noPostgres = $noFleet -or -not (Test-Path /usr/lib/postgresql/15/bin/initdb)
}

BeforeAll {
    Import-Module (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1') -Force
    $fleetSh = Join-Path $PSScriptRoot '../env/fleet.sh'
    $work = Join-Path ([IO.Path]::GetTempPath()) ('tc-pester-fleet-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory $work
    $state = Join-Path $work 'fleet'
    $store = Join-Path $work 'store.db'
    $PSDefaultParameterValues['*:StoreConnectionString'] = $store
    $pwshPath = (Get-Process -Id $PID).Path
    $size = 6

    function Get-RemotePwsh([int[]] $Index) {
        # pwsh processes left in the hosts' namespaces (the remote side of sessions)
        foreach ($i in $Index) {
            $ns = Get-Content (Join-Path $state "h$i/netns")
            foreach ($p in @(& ip netns pids $ns)) {
                $comm = Get-Content "/proc/$p/comm" -ErrorAction Ignore
                if ($comm -eq 'pwsh') { $p }
            }
        }
    }
    function Wait-NoRemotePwsh([int[]] $Index, [double] $Seconds = 10) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        while (@(Get-RemotePwsh $Index).Count -gt 0 -and $clock.Elapsed.TotalSeconds -lt $Seconds) { Start-Sleep -Milliseconds 200 }
        @(Get-RemotePwsh $Index)
    }
    function Set-Fault([int] $Index, [string] $Kind) { & $fleetSh fault $state $Index $Kind; if ($LASTEXITCODE) { throw "fault $Kind failed" } }
    function Reset-Fleet { foreach ($i in 1..$size) { & $fleetSh heal $state $i } }
    . (Join-Path $PSScriptRoot 'TestFleet.ps1')
    $fleetEvidence = { $null = $null; Get-AttestationEvidence -NoEventLog }

    if (-not $noFleet) {
        $up = Start-TestFleet $state $size $pwshPath
        $fleet, $ssh = $up.Hosts, $up.Ssh
        $roots = New-TestEkRoot $work
        Register-TestFleet $fleet.Ip $ssh $roots -PolicyName fleet -Tag fleet -Evidence $fleetEvidence
    }
}

AfterAll {
    $PSDefaultParameterValues.Remove('*:StoreConnectionString')
    if (-not $noFleet) { & $fleetSh down $state }
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}

Describe 'Fleet sweeps over SSH' -Skip:$noFleet {
    AfterEach { Reset-Fleet }

    It 'attests every enrolled host from Get-TrustedHost, streams one Trusted result each and records them' {
        $before = @(Get-AttestationResult).Count
        $r = @(Get-TrustedHost -Tag fleet | Invoke-HostAttestation @ssh -NoEventLog -ThrottleLimit 3 -TimeoutSec 60)
        $r.Count | Should -Be $size
        ($r.HostName | Sort-Object) | Should -Be ($fleet.Ip | Sort-Object)
        foreach ($x in $r) { $x.Verdict | Should -Be 'Trusted' -Because "$($x.HostName): $($x.Reasons -join '; ')" }
        @(Get-AttestationResult).Count | Should -Be ($before + $size)
        Wait-NoRemotePwsh (1..$size) | Should -BeNullOrEmpty
    }

    It 'gives each faulted host Unknown with its reason and a non-terminating error, and attests the rest' {
        Set-Fault 1 down
        Set-Fault 2 no-pwsh
        Set-Fault 3 no-module
        Set-Fault 4 swtpm-kill
        Set-Fault 5 swtpm-stop
        $r = @(Invoke-HostAttestation -HostName $fleet.Ip @ssh -NoEventLog -ThrottleLimit 6 -TimeoutSec 40 -RetryCount 0 `
                -ErrorVariable failed -ErrorAction SilentlyContinue)
        $by = @{}; foreach ($x in $r) { $by[$x.HostName] = $x }
        $by.Count | Should -Be $size
        $expected = @{ 1 = 'collect.unreachable'; 2 = 'collect.module'; 3 = 'collect.module'; 4 = 'collect.tpm'; 5 = 'collect.timeout' }
        foreach ($i in $expected.Keys) {
            $x = $by[$fleet[$i - 1].Ip]
            $x.Verdict | Should -Be 'Unknown'
            @($x.Reasons.Id) | Should -Be @($expected[$i]) -Because "host ${i}: $($x.Reasons -join '; ')"
        }
        $by[$fleet[5].Ip].Verdict | Should -Be 'Trusted' -Because ($by[$fleet[5].Ip].Reasons -join '; ')
        $failed.Count | Should -Be 5
        foreach ($e in $failed) { $e.FullyQualifiedErrorId | Should -BeLike 'InvokeHostAttestationRemoteFailed,*' }
        ($failed.TargetObject | Sort-Object) | Should -Be ($fleet[0..4].Ip | Sort-Object)
        ($failed | Where-Object TargetObject -eq $fleet[4].Ip).CategoryInfo.Category | Should -Be 'OperationTimeout'
        # every Unknown is in the history too
        (Get-AttestationResult -HostName $fleet[3].Ip -Last 1).Reasons.Id | Should -Be 'collect.tpm'
        Wait-NoRemotePwsh (1..$size) | Should -BeNullOrEmpty
    }

    It 'cuts mid-quote as unreachable and a slow link as a timeout' {
        Set-Fault 1 cut
        & $fleetSh fault $state 2 slow 4kbit
        $r = @(Invoke-HostAttestation -HostName $fleet[0].Ip, $fleet[1].Ip, $fleet[2].Ip @ssh -NoEventLog -TimeoutSec 15 `
                -RetryCount 0 -ErrorAction SilentlyContinue)
        $by = @{}; foreach ($x in $r) { $by[$x.HostName] = $x }
        $by[$fleet[0].Ip].Reasons.Id | Should -Be 'collect.unreachable' -Because ($by[$fleet[0].Ip].Reasons -join '; ')
        # A link this slow runs out of time in the quote (collect.timeout) or, on a loaded machine, already in the SSH
        # handshake (ssh's connect timeout: collect.unreachable); either way Unknown, never Trusted.
        $by[$fleet[1].Ip].Verdict | Should -Be 'Unknown'
        $by[$fleet[1].Ip].Reasons.Id | Should -BeIn @('collect.timeout', 'collect.unreachable') -Because ($by[$fleet[1].Ip].Reasons -join '; ')
        $by[$fleet[2].Ip].Verdict | Should -Be 'Trusted'
    }

    It 'refuses a key the hosts do not know as collect.auth' {
        $wrong = Join-Path $work 'wrong_key'
        & ssh-keygen -q -t ed25519 -N '' -f $wrong
        $other = $ssh.Clone(); $other.KeyFilePath = $wrong
        $r = Invoke-HostAttestation -HostName $fleet[0].Ip @other -TimeoutSec 20 -ErrorVariable failed -ErrorAction SilentlyContinue 2>$null
        $r.Reasons.Id | Should -Be 'collect.auth'
        $failed[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
    }

    It 'writes progress with done/total and the count of each verdict, and completes it' {
        Set-Fault 2 swtpm-kill
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($module, $store, $targets, $ssh)
                Import-Module $module
                Invoke-HostAttestation -HostName $targets @ssh -NoEventLog -ThrottleLimit 2 -TimeoutSec 30 -StoreConnectionString $store
            }).AddArgument((Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1')).AddArgument($store).
            AddArgument(@($fleet[0..2].Ip)).AddArgument($ssh)
        $out = @($ps.Invoke())
        $progress = @($ps.Streams.Progress)
        $ps.Dispose()
        $out.Count | Should -Be 3
        $running = @($progress | Where-Object RecordType -eq 'Processing')
        $running.Count | Should -Be 3
        $running.PercentComplete | Should -Be @(33, 66, 100)
        $running[-1].StatusDescription | Should -Be '3/3 done: 2 Trusted, 0 Untrusted, 1 Unknown'
        $progress[-1].RecordType | Should -Be 'Completed'
    }

    It 'runs as a job with one child per host; Receive-Job gives the results' {
        $job = Get-TrustedHost -Tag fleet | Select-Object -First 3 | Invoke-HostAttestation @ssh -NoEventLog -AsJob -JobName sweep
        $job.Name | Should -Be 'sweep'
        $job.ChildJobs.Count | Should -Be 3
        $null = $job | Wait-Job -Timeout 120
        $job.State | Should -Be 'Completed'
        $r = @($job | Receive-Job)
        $r.Count | Should -Be 3
        foreach ($x in $r) { $x.Verdict | Should -Be 'Trusted' -Because ($x.Reasons -join '; ') }
        ($job.ChildJobs.State | Select-Object -Unique) | Should -Be 'Completed'
        (Get-Job -Name sweep).Id | Should -Be $job.Id
        $job | Remove-Job
    }

    It 'Stop-Job stops every host in flight within 2 s and leaves no remote pwsh' {
        foreach ($i in 1..3) { Set-Fault $i swtpm-stop }
        $job = Invoke-HostAttestation -HostName $fleet[0..2].Ip @ssh -NoEventLog -AsJob -TimeoutSec 300
        # wait until the three remote sides are inside Get-AttestationEvidence (their TPM is frozen)
        $clock = [Diagnostics.Stopwatch]::StartNew()
        while (@(Get-RemotePwsh 1, 2, 3).Count -lt 3 -and $clock.Elapsed.TotalSeconds -lt 60) { Start-Sleep -Milliseconds 200 }
        Start-Sleep -Seconds 2
        $clock.Restart()
        $job | Stop-Job
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 2.5
        $job.State | Should -Be 'Stopped'
        Wait-NoRemotePwsh 1, 2, 3 | Should -BeNullOrEmpty
        $job | Remove-Job -Force
    }

    It 'stops on a real SIGINT (Ctrl+C in a pwsh under tmux) within 2 s and leaves no remote pwsh' -Skip:$noTmux {
        foreach ($i in 1..2) { Set-Fault $i swtpm-stop }
        $marker = Join-Path $work 'sigint.txt'
        $script = Join-Path $work 'sigint.ps1'
        @"
Import-Module '$(Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1')'
`$ssh = @{ UserName = 'root'; KeyFilePath = '$($ssh.KeyFilePath)'; Options = @{ UserKnownHostsFile = '$($ssh.Options.UserKnownHostsFile)'; StrictHostKeyChecking = 'yes' } }
'started' | Set-Content '$marker.start'
try { Invoke-HostAttestation -HostName $($fleet[0].Ip), $($fleet[1].Ip) @ssh -NoEventLog -TimeoutSec 300 -StoreConnectionString '$store' }
finally { [DateTime]::UtcNow.Ticks | Set-Content '$marker' }
"@ | Set-Content $script
        $session = 'tc-sigint-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        & tmux new-session -d -s $session -x 200 -y 50 "$pwshPath -NoProfile -NoLogo -File $script; sleep 30"
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while (@(Get-RemotePwsh 1, 2).Count -lt 2 -and $clock.Elapsed.TotalSeconds -lt 60) { Start-Sleep -Milliseconds 200 }
            Start-Sleep -Seconds 2
            $sent = [DateTime]::UtcNow
            & tmux send-keys -t $session C-c
            $clock.Restart()
            while (-not (Test-Path $marker) -and $clock.Elapsed.TotalSeconds -lt 15) { Start-Sleep -Milliseconds 100 }
            Test-Path $marker | Should -BeTrue
            $stoppedAfter = ([DateTime] [long] (Get-Content $marker) - $sent).TotalSeconds
            $stoppedAfter | Should -BeLessThan 2
            Wait-NoRemotePwsh 1, 2 | Should -BeNullOrEmpty
        }
        finally { & tmux kill-session -t $session 2>$null }
    }
}

Describe 'Invoke-AttestationSweep' -Skip:$noFleet {
    AfterEach { Reset-Fleet }

    It 'sweeps every enrolled host of a tag, records each result and sums up with an exit code' {
        $before = @(Get-AttestationResult).Count
        $summary = Invoke-AttestationSweep -Tag fleet @ssh -NoEventLog -ThrottleLimit 3 -TimeoutSec 60 -PassThru
        $summary.Total | Should -Be $size
        $summary.Trusted | Should -Be $size
        $summary.ExitCode | Should -Be 0
        @(Get-AttestationResult).Count | Should -Be ($before + $size)
    }

    It 'exits 1 and names the hosts that are not Trusted; the others are still attested' {
        Set-Fault 2 swtpm-kill
        $summary = Invoke-AttestationSweep -Tag fleet @ssh -NoEventLog -ThrottleLimit 6 -TimeoutSec 60 -RetryCount 0 `
            -PassThru -ErrorVariable failed -ErrorAction SilentlyContinue
        $summary.ExitCode | Should -Be 1
        $summary.NotTrusted | Should -Be @($fleet[1].Ip)
        $summary.Trusted | Should -Be ($size - 1)
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvokeHostAttestationRemoteFailed,*'
    }

    It 'never runs two sweeps of one store at once' {
        foreach ($i in 1..2) { Set-Fault $i swtpm-stop }
        $other = [powershell]::Create()
        $null = $other.AddScript({
                param($module, $store, $ssh, $targets)
                Import-Module $module
                Invoke-AttestationSweep -Name $targets @ssh -NoEventLog -TimeoutSec 60 -StoreConnectionString $store
            }).AddArgument((Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1')).AddArgument($store).
            AddArgument($ssh).AddArgument(@($fleet[0..1].Ip))
        $running = $other.BeginInvoke()
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while (@(Get-RemotePwsh 1, 2).Count -lt 2 -and $clock.Elapsed.TotalSeconds -lt 60) { Start-Sleep -Milliseconds 200 }
            { Invoke-AttestationSweep @ssh -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvokeAttestationSweepBusy,TrustedCompute.PowerShell.Commands.Fleet.InvokeAttestationSweepCommand'
        }
        finally {
            $other.Stop()
            $other.Dispose()
        }
        # the lock went with the stopped sweep
        (Invoke-AttestationSweep -Name $fleet[2].Ip @ssh -NoEventLog -PassThru).Trusted | Should -Be 1
    }

    It 'after kill -9 half-way a rerun attests every host exactly once more and loses no result' {
        Set-Fault 6 swtpm-stop
        $script = Join-Path $work 'killed.ps1'
        @"
Import-Module '$(Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1')'
`$ssh = @{ UserName = 'root'; KeyFilePath = '$($ssh.KeyFilePath)'; Options = @{ UserKnownHostsFile = '$($ssh.Options.UserKnownHostsFile)'; StrictHostKeyChecking = 'yes' } }
Invoke-AttestationSweep -Tag fleet @ssh -NoEventLog -ThrottleLimit 2 -TimeoutSec 300 -StoreConnectionString '$store'
"@ | Set-Content $script
        $before = @(Get-AttestationResult).Count
        $proc = Start-Process $pwshPath -ArgumentList '-NoProfile', '-File', $script -PassThru
        $clock = [Diagnostics.Stopwatch]::StartNew()
        while (@(Get-AttestationResult).Count -lt $before + 2 -and $clock.Elapsed.TotalSeconds -lt 120) { Start-Sleep -Milliseconds 250 }
        & kill -9 $proc.Id
        $proc.WaitForExit()
        $killedSweep = @(Get-AttestationResult).Count - $before
        $killedSweep | Should -BeGreaterOrEqual 2
        $killedSweep | Should -BeLessThan $size
        & $fleetSh heal $state 6
        $mid = @(Get-AttestationResult).Count
        $summary = Invoke-AttestationSweep -Tag fleet @ssh -NoEventLog -ThrottleLimit 3 -TimeoutSec 60 -PassThru
        $summary.Trusted | Should -Be $size
        (@(Get-AttestationResult).Count - $mid) | Should -Be $size
        foreach ($h in $fleet) { @(Get-AttestationResult -HostName $h.Ip -Last 1).Verdict | Should -Be 'Trusted' }
        Wait-NoRemotePwsh (1..$size) 20 | Should -BeNullOrEmpty
    }
}

Describe 'Sweeps of one PostgreSQL store from two admin nodes' -Skip:$noPostgres {
    BeforeAll {
        $postgresSh = Join-Path $PSScriptRoot '../env/postgres.sh'
        $pgDir = Join-Path $work 'pg'
        $pgSettings = @{}
        & $postgresSh start $pgDir | ForEach-Object { $k, $v = $_ -split '=', 2; $pgSettings[$k] = $v }
        if ($LASTEXITCODE) { throw 'postgres.sh start failed' }
        $pg = $pgSettings.TRUSTEDCOMPUTE_STORE
        Register-TestFleet $fleet.Ip $ssh $roots -PolicyName fleet -Tag fleet -Evidence $fleetEvidence -StoreConnectionString $pg
    }
    AfterAll { & $postgresSh stop $pgDir }
    AfterEach { Reset-Fleet }

    It 'two nodes sweeping at once attest each host exactly once, share the work and agree on the outcome' {
        $before = @(Get-AttestationResult -StoreConnectionString $pg)
        $script = Join-Path $work 'node.ps1'
        @"
param(`$Out)
Import-Module '$(Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1')'
`$ssh = @{ UserName = 'root'; KeyFilePath = '$($ssh.KeyFilePath)'; Options = @{ UserKnownHostsFile = '$($ssh.Options.UserKnownHostsFile)'; StrictHostKeyChecking = 'yes' } }
Invoke-AttestationSweep -Tag fleet @ssh -NoEventLog -ThrottleLimit 2 -TimeoutSec 60 -StoreConnectionString '$pg' -PassThru |
    ConvertTo-Json | Set-Content `$Out
"@ | Set-Content $script
        $nodes = foreach ($n in 1, 2) { Start-Process $pwshPath -ArgumentList '-NoProfile', '-File', $script, "$work/node$n.json" -PassThru }
        $nodes | Wait-Process -Timeout 240
        $summaries = foreach ($n in 1, 2) { Get-Content "$work/node$n.json" -Raw | ConvertFrom-Json }
        $after = @(Get-AttestationResult -StoreConnectionString $pg)
        $new = @($after | Where-Object { $_.Time -gt ($before.Time | Measure-Object -Maximum).Maximum -or $before.Count -eq 0 })
        ($new.HostName | Sort-Object) | Should -Be ($fleet.Ip | Sort-Object)
        foreach ($x in $new) { $x.Verdict | Should -Be 'Trusted' -Because ($x.Reasons -join '; ') }
        foreach ($s in $summaries) {
            $s.Total | Should -Be $size
            $s.Trusted | Should -Be $size
            $s.ExitCode | Should -Be 0
        }
        (($summaries | ForEach-Object { $_.Total - $_.Elsewhere }) | Measure-Object -Sum).Sum | Should -Be $size
        $summaries[0].SweepId | Should -Not -Be $summaries[1].SweepId
        # both sweeps are recorded, finished, in one round, with the counts each had
        $records = @(Get-AttestationSweep -Last 2 -StoreConnectionString $pg)
        ($records.Id | Sort-Object) | Should -Be ($summaries.SweepId | Sort-Object)
        ($records.RoundStart | Select-Object -Unique).Count | Should -Be 1
        foreach ($x in $records) {
            $x.FinishedAt | Should -Not -BeNullOrEmpty
            $x.Hosts | Should -Be $size
            $x.Elsewhere | Should -Be ($summaries | Where-Object SweepId -EQ $x.Id).Elsewhere
        }
    }
}

Describe 'Invoke-AttestationSweep -WebhookUri' -Skip:$noFleet {
    BeforeAll {
        function Start-Receiver([string[]] $Arguments) {
            $log = Join-Path $work ("hook-" + [guid]::NewGuid().ToString('N').Substring(0, 6))
            $process = Start-Process python3 -ArgumentList (@((Join-Path $PSScriptRoot '../env/webhook.py'), "$log.jsonl") + $Arguments) `
                -RedirectStandardOutput "$log.port" -PassThru
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while (-not (Get-Content "$log.port" -ErrorAction Ignore) -and $clock.Elapsed.TotalSeconds -lt 20) { Start-Sleep -Milliseconds 100 }
            [pscustomobject]@{ Process = $process; Port = [int] (Get-Content "$log.port"); Log = "$log.jsonl" }
        }
    }
    AfterEach { Reset-Fleet; if ($script:receiver) { $script:receiver.Process | Stop-Process -ErrorAction Ignore; $script:receiver = $null } }

    It 'posts each verdict change once, as JSON, and tries again after a 503' {
        # a baseline of its own, so the test does not depend on what earlier tests recorded
        $baseline = Invoke-AttestationSweep -Tag fleet @ssh -NoEventLog -ThrottleLimit 6 -TimeoutSec 60 -PassThru
        $baseline.Trusted | Should -Be $size
        $script:receiver = Start-Receiver '--fail-first', '1'
        Set-Fault 2 swtpm-kill
        $summary = Invoke-AttestationSweep -Tag fleet @ssh -NoEventLog -ThrottleLimit 6 -TimeoutSec 60 -RetryCount 0 `
            -WebhookUri "http://127.0.0.1:$($receiver.Port)/hook" -PassThru -ErrorAction SilentlyContinue
        $changed = @($fleet.Ip | Where-Object { (Get-AttestationResult -HostName $_ -Last 1).Verdict -ne 'Trusted' })
        $changed | Should -Be @($fleet[1].Ip)
        $posts = @(Get-Content $receiver.Log | ConvertFrom-Json)
        $posts.Count | Should -Be 1
        $post = $posts[0]
        $post.host | Should -Be $fleet[1].Ip
        $post.event | Should -Be 'trustedcompute.verdict.changed'
        $post.verdict | Should -Be 'Unknown'
        $post.previous | Should -Be 'Trusted'
        $post.reasons.id | Should -Be 'collect.tpm'
        $post.sweep | Should -Be $summary.SweepId
        $summary.WebhookDelivered | Should -Be $changed.Count
    }

    It 'signs each post so the receiver can check it, and a receiver with another secret takes nothing' {
        $secret = ConvertTo-SecureString 'hook-secret-0123456789' -AsPlainText -Force
        (Invoke-AttestationSweep -Name $fleet[2].Ip @ssh -NoEventLog -TimeoutSec 60 -PassThru).Trusted | Should -Be 1 # a baseline of its own
        $script:receiver = Start-Receiver '--secret', 'hook-secret-0123456789'
        Set-Fault 3 swtpm-kill
        $summary = Invoke-AttestationSweep -Name $fleet[2].Ip @ssh -NoEventLog -TimeoutSec 60 -RetryCount 0 `
            -WebhookUri "http://127.0.0.1:$($receiver.Port)/hook" -WebhookSecret $secret -PassThru -ErrorAction SilentlyContinue
        $summary.WebhookDelivered | Should -Be 1
        (Get-Content $receiver.Log | ConvertFrom-Json).host | Should -Be $fleet[2].Ip
        Test-Path "$($receiver.Log).rejected" | Should -BeFalse

        Reset-Fleet # Trusted again: a change to post
        $wrong = ConvertTo-SecureString 'not-the-hook-secret-987' -AsPlainText -Force
        $summary = Invoke-AttestationSweep -Name $fleet[2].Ip @ssh -NoEventLog -TimeoutSec 60 -RetryCount 0 `
            -WebhookUri "http://127.0.0.1:$($receiver.Port)/hook" -WebhookSecret $wrong -PassThru -ErrorVariable failed -ErrorAction SilentlyContinue
        $summary.Trusted | Should -Be 1
        $summary.WebhookDelivered | Should -Be 0
        @($failed | Where-Object FullyQualifiedErrorId -Like 'InvokeAttestationSweepWebhookFailed,*').Count | Should -Be 1
        @(Get-Content "$($receiver.Log).rejected").Count | Should -Be 1 # a 401 is not tried again
        @(Get-Content $receiver.Log).Count | Should -Be 1
        "$failed" | Should -Not -Match 'hook-secret|not-the-hook'
    }

    It 'refuses a short webhook secret, or one without a webhook, before it attests anything' {
        $before = @(Get-AttestationResult).Count
        $short = ConvertTo-SecureString 'short' -AsPlainText -Force
        { Invoke-AttestationSweep @ssh -WebhookUri 'https://hooks.example/x' -WebhookSecret $short -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvokeAttestationSweepWebhookInvalid,TrustedCompute.PowerShell.Commands.Fleet.InvokeAttestationSweepCommand'
        { Invoke-AttestationSweep @ssh -WebhookSecret $short -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvokeAttestationSweepWebhookInvalid,TrustedCompute.PowerShell.Commands.Fleet.InvokeAttestationSweepCommand'
        { Invoke-AttestationSweep @ssh -WebhookUri 'https://hooks.example/x' -WebhookSecret 'plain-text-secret-123' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,TrustedCompute.PowerShell.Commands.Fleet.InvokeAttestationSweepCommand'
        @(Get-AttestationResult).Count | Should -Be $before
    }

    It 'verifies the receiver''s TLS certificate: a self-signed one gets nothing, and the sweep still ends' {
        $cert = Join-Path $work 'hook-cert.pem'; $key = Join-Path $work 'hook-key.pem'
        & openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $key -out $cert -days 1 `
            -subj '/CN=127.0.0.1' -addext 'subjectAltName=IP:127.0.0.1' 2>$null
        $script:receiver = Start-Receiver '--tls', $cert, $key
        Set-Fault 3 swtpm-kill
        $summary = Invoke-AttestationSweep -Name $fleet[2].Ip @ssh -NoEventLog -TimeoutSec 60 -RetryCount 0 `
            -WebhookUri "https://127.0.0.1:$($receiver.Port)/hook" -PassThru -ErrorVariable failed -ErrorAction SilentlyContinue
        $summary.Total | Should -Be 1
        $summary.WebhookDelivered | Should -Be 0
        @($failed | Where-Object FullyQualifiedErrorId -Like 'InvokeAttestationSweepWebhookFailed,*').Count | Should -Be 1
        Test-Path $receiver.Log | Should -BeFalse
    }

    It 'refuses plain HTTP to another machine before it attests anything' {
        { Invoke-AttestationSweep @ssh -WebhookUri 'http://10.200.0.1/hook' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvokeAttestationSweepWebhookInvalid,TrustedCompute.PowerShell.Commands.Fleet.InvokeAttestationSweepCommand'
    }
}

Describe 'Enrollment and evidence over SSH without sessions' -Skip:$noFleet {
    AfterEach { Reset-Fleet }

    It 'Register-TrustedHost -HostName enrolls each reachable host under its target name; a dead one is an error and the rest go on' {
        $other = Join-Path $work 'ssh-enroll.db'
        Set-Fault 1 down
        $enrolled = @(Register-TrustedHost -HostName $fleet[0..2].Ip @ssh -EkTrustPath $roots -StoreConnectionString $other `
                -ErrorVariable failed -ErrorAction SilentlyContinue)
        ($enrolled.Name | Sort-Object) | Should -Be ($fleet[1..2].Ip | Sort-Object)
        $failed.Count | Should -Be 1
        $failed[0].TargetObject | Should -Be $fleet[0].Ip
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'RegisterTrustedHostCollectFailed,*'
        $failed[0].Exception.ReasonId | Should -Be 'collect.unreachable'
        # the same TPMs as the session enrollment in the main store: same EK, same AK
        foreach ($h in $enrolled) { $h.AttestationKeyName | Should -Be (Get-TrustedHost -Name $h.Name).AttestationKeyName }
        Register-TrustedHost -HostName $fleet[3].Ip @ssh -EkTrustPath $roots -StoreConnectionString $other -WhatIf | Should -BeNullOrEmpty
        Get-TrustedHost -Name $fleet[3].Ip -StoreConnectionString $other -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'Get-AttestationEvidence -HostName brings one bundle per host over one nonce, which the registry then trusts' {
        $nonce = [byte[]] (1..32)
        $bundles = @(Get-AttestationEvidence -HostName $fleet[0..1].Ip @ssh -Nonce $nonce -NoEventLog)
        $bundles.Count | Should -Be 2
        foreach ($b in $bundles) { [Convert]::ToHexString($b.Nonce) | Should -Be ([Convert]::ToHexString($nonce)) }
        $r = $bundles[0] | Invoke-HostAttestation -HostName $fleet[0].Ip -Nonce $nonce
        $r.Verdict | Should -Be 'Trusted' -Because ($r.Reasons -join '; ')
        # the other host's bundle named as the first: the registry sees the key of another host
        $swapped = $bundles[1] | Invoke-HostAttestation -HostName $fleet[0].Ip -Nonce $nonce
        $swapped.Verdict | Should -Be 'Untrusted'
        $swapped.Reasons.Id | Should -Contain 'enrollment.mismatch'
    }
}

Describe 'Invoke-AttestationSweep -SyncOpenStack' -Skip:$noFleet {
    BeforeAll {
        $openstackSh = Join-Path $PSScriptRoot '../env/openstack.sh'
        & $openstackSh status 2>$null
        $cloudStartedHere = $LASTEXITCODE -ne 0
        $lines = & $openstackSh start 2>$null
        $noCloud = $LASTEXITCODE -ne 0
        if ($noCloud) { $cloudStartedHere = $false }
        $savedOs = @(Get-ChildItem env:OS_* -ErrorAction Ignore)
        foreach ($line in $lines) { $k, $v = $line -split '=', 2; if ($k -like 'OS_*') { Set-Item "env:$k" $v } }
        if (-not $noCloud) {
            $connection = Connect-OpenStack -PassThru
            $coreType = { param($name) $connection.GetType().Assembly.GetType("TrustedCompute.OpenStack.$name", $true) }
            $placement = [Activator]::CreateInstance((& $coreType PlacementClient), [object[]] @($connection.psobject.BaseObject))
            $none = [Threading.CancellationToken]::None
            $providers = foreach ($h in $fleet) { $placement.CreateProviderAsync($h.Ip, $null, $none).GetAwaiter().GetResult() }
        }
    }
    AfterAll {
        foreach ($p in @($providers)) { if ($p) { $null = $placement.DeleteProviderAsync($p.Uuid, $none).GetAwaiter().GetResult() } }
        if (-not $noCloud) { Disconnect-OpenStack -ErrorAction Ignore }
        Get-ChildItem env:OS_* -ErrorAction Ignore | Remove-Item
        foreach ($v in $savedOs) { Set-Item "env:$($v.Name)" $v.Value }
        if ($cloudStartedHere) { & $openstackSh stop 2>$null }
    }
    AfterEach { Reset-Fleet }

    It 'puts the Trusted hosts in the pool, and takes out a host whose latest result is not Trusted' {
        if ($noCloud) { Set-ItResult -Skipped -Because 'the OpenStack test cloud is not running here (tests/env/openstack.sh start failed)'; return }
        $first = Invoke-AttestationSweep -Tag fleet @ssh -NoEventLog -ThrottleLimit 6 -TimeoutSec 60 -SyncOpenStack -PassThru
        $first.Trusted | Should -Be $size
        (@(Get-TrustedPool).HostName | Where-Object { $_ -in $fleet.Ip } | Sort-Object) | Should -Be ($fleet.Ip | Sort-Object)
        Set-Fault 4 swtpm-kill
        $second = Invoke-AttestationSweep -Tag fleet @ssh -NoEventLog -ThrottleLimit 6 -TimeoutSec 60 -RetryCount 0 -SyncOpenStack `
            -PassThru -ErrorAction SilentlyContinue
        $second.NotTrusted | Should -Be @($fleet[3].Ip)
        @($second.PoolChanges | Where-Object Action -EQ 'Remove').HostName | Should -Be @($fleet[3].Ip)
        $pool = @(Get-TrustedPool).HostName
        $pool | Should -Not -Contain $fleet[3].Ip
        @($pool | Where-Object { $_ -in $fleet.Ip }).Count | Should -Be ($size - 1)
    }
}

Describe 'Install-TrustedComputeModule' -Skip:$noFleet {
    AfterEach { Reset-Fleet }

    It 'puts the module on a host that lacks it, after which it is attested; -WhatIf copies nothing' {
        Set-Fault 3 no-module
        $target = $fleet[2].Ip
        (Invoke-HostAttestation -HostName $target @ssh -NoEventLog -RetryCount 0 -ErrorAction SilentlyContinue).Reasons.Id |
            Should -Be 'collect.module'
        $s = New-PSSession -HostName $target @ssh
        try {
            Install-TrustedComputeModule -Session $s -WhatIf | Should -BeNullOrEmpty
            $r = Install-TrustedComputeModule -Session $s
            $r.Copied | Should -BeTrue
            $r.Version | Should -Be (Get-Module TrustedCompute).Version
            (Install-TrustedComputeModule -Session $s).Copied | Should -BeFalse
            $a = Invoke-HostAttestation -HostName $target @ssh -NoEventLog
            $a.Verdict | Should -Be 'Trusted' -Because ($a.Reasons -join '; ')
            Invoke-Command -Session $s -ArgumentList $r.Path { param($p) $null = $null; Remove-Item -Recurse -Force (Split-Path $p) }
        }
        finally { Remove-PSSession $s }
    }
}
