# Sweep schedules through the built module: systemd units written to a folder and checked by systemd-analyze, read
# back, removed; the Windows task's XML; and the ExecStart command line, split as systemd splits it, run for real
# against a SQLite store.
BeforeDiscovery {
    $script:noSystemd = -not (Test-Path /usr/bin/systemd-analyze)
    $script:systemdRuns = Test-Path /run/systemd/system
}

BeforeAll {
    Import-Module (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1') -Force
    $script:hostile = @('rack 1', "it's", "‘curly’", '"double"', '$HOME', '${HOME}', '%n', '100%', 'back\slash\', '$(exit 7)', "'; exit 0; '", ';')
    $script:pgConnection = 'Host=db.example;Username=tc;Passfile=/etc/tc/pgpass'

    function New-Folder([string] $Name) { Join-Path $TestDrive ($Name + '-' + [guid]::NewGuid().ToString('N').Substring(0, 6)) }

    # The words of "Command Line:" in systemd's debug dump of the unit, as the program receives them ("$$" -> "$").
    function Get-SystemdArgv([string] $Unit) {
        $env:SYSTEMD_LOG_LEVEL = 'debug'
        try { $dump = & systemd-analyze verify $Unit 2>&1 | ForEach-Object { "$_" } }
        finally { Remove-Item Env:SYSTEMD_LOG_LEVEL }
        $line = @($dump | Where-Object { $_ -match '^\s*Command Line: ' })
        $line.Count | Should -Be 1
        $text = $line[0] -replace '^\s*Command Line: ', ''
        $words = [System.Collections.Generic.List[string]]::new()
        $word = [System.Text.StringBuilder]::new()
        $inWord = $false; $quoted = $false
        for ($i = 0; $i -lt $text.Length; $i++) {
            $c = $text[$i]
            if (-not $quoted -and $c -eq ' ') {
                if ($inWord) { $words.Add($word.ToString()) }
                $null = $word.Clear(); $inWord = $false; continue
            }
            $inWord = $true
            if ($c -eq '"') { $quoted = -not $quoted }
            elseif ($c -eq '\') { $i++; $null = $word.Append($text[$i]) }
            else { $null = $word.Append($c) }
        }
        if ($inWord) { $words.Add($word.ToString()) }
        foreach ($w in $words) {
            $w.Replace('$$', '') | Should -Not -Match '\$[A-Za-z_{]' -Because 'systemd would expand a variable there'
            $w.Replace('$$', '$')
        }
    }
}

Describe 'AttestationSchedule: Register-AttestationSchedule on Linux (to a folder)' {
    BeforeAll {
        $folder = New-Folder units
        $store = Join-Path (New-Folder store) 'store.db'
        $params = @{
            Name = 'nightly'; Path = $folder; OnCalendar = '*-*-* 02:00:00'; RandomizedDelaySec = 600; Tag = $hostile
            UserName = "o'neil"; Port = 2222; ThrottleLimit = 16; TimeoutSec = 30; RetryCount = 2; NoEventLog = $true
            Options = @{ StrictHostKeyChecking = 'yes'; UserKnownHostsFile = '/etc/tc/known hosts' }
            StoreConnectionString = $pgConnection
        }
        $written = Register-AttestationSchedule @params -WarningAction SilentlyContinue
        $service = Join-Path $folder 'nightly.service'
        $timer = Join-Path $folder 'nightly.timer'
    }

    It 'writes a service and a timer that run this pwsh' {
        $written.Name | Should -Be 'nightly'
        $written.Path | Should -Be $folder
        Test-Path $service | Should -BeTrue
        Test-Path $timer | Should -BeTrue
        Test-Path $written.PwshPath | Should -BeTrue
        [IO.Path]::GetFileName($written.PwshPath) | Should -Be 'pwsh'
        Get-Content $timer | Should -Contain 'OnCalendar=*-*-* 02:00:00'
        Get-Content $timer | Should -Contain 'Persistent=true'
        Get-Content $timer | Should -Contain 'RandomizedDelaySec=600s'
        Get-Content $service | Should -Contain 'Type=oneshot'
    }

    It 'passes systemd-analyze verify' -Skip:$noSystemd {
        $out = & systemd-analyze verify $service $timer 2>&1 | ForEach-Object { "$_" }
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Where-Object { $_ -match 'nightly|' + [regex]::Escape($folder) } | Should -BeNullOrEmpty
    }

    It 'fails systemd-analyze verify when the program is missing (the check can fail)' -Skip:$noSystemd {
        $other = New-Folder missing
        $null = Register-AttestationSchedule -Name broken -Path $other -PwshPath /nonexistent/pwsh
        $out = & systemd-analyze verify (Join-Path $other 'broken.service') 2>&1 | ForEach-Object { "$_" }
        $LASTEXITCODE | Should -Not -Be 0
        ($out -join "`n") | Should -Match 'nonexistent'
    }

    It 'reads back the same schedule and sweep arguments' {
        $read = Get-AttestationSchedule -Path $folder
        @($read).Count | Should -Be 1
        $read.Name | Should -Be 'nightly'
        $read.OnCalendar | Should -Be '*-*-* 02:00:00'
        $read.RandomizedDelay | Should -Be ([timespan]::FromSeconds(600))
        $read.Sweep.Tag | Should -Be $hostile
        $read.Sweep.UserName | Should -Be "o'neil"
        $read.Sweep.Port | Should -Be 2222
        $read.Sweep.ThrottleLimit | Should -Be 16
        $read.Sweep.NoEventLog | Should -BeTrue
        $read.Sweep.Options['UserKnownHostsFile'] | Should -Be '/etc/tc/known hosts'
        $read.Sweep.StoreConnectionString | Should -Be $pgConnection
        $read.Command | Should -Be $written.Command
        $read.Modified | Should -BeFalse
        $read.Enabled | Should -BeFalse
        (Get-AttestationSchedule -Path $folder | Format-Table | Out-String) | Should -Match 'nightly'
    }

    It 'gives the sweep every value unchanged, as PowerShell parses the command' {
        $tokens = $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($written.Command, [ref] $tokens, [ref] $errors)
        $errors | Should -BeNullOrEmpty
        $sweep = $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and
                $n.GetCommandName() -eq 'Invoke-AttestationSweep' }, $true) | Select-Object -First 1
        $elements = $sweep.CommandElements
        $tagAt = [array]::IndexOf(@($elements | ForEach-Object { "$_" }), '-Tag')
        @($elements[$tagAt + 1].Elements | ForEach-Object { $_.Value }) | Should -Be $hostile
        ($elements | Where-Object { $_ -is [System.Management.Automation.Language.ExpandableStringExpressionAst] }) | Should -BeNullOrEmpty
        ($elements | Where-Object { $_ -is [System.Management.Automation.Language.SubExpressionAst] }) | Should -BeNullOrEmpty
    }

    It 'refuses to replace it without -Force, and replaces it with -Force' {
        Register-AttestationSchedule -Name nightly -Path $folder -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'RegisterAttestationScheduleExists,TrustedCompute.PowerShell.Commands.Fleet.RegisterAttestationScheduleCommand'
        (Get-AttestationSchedule nightly -Path $folder).Sweep.Tag | Should -Be $hostile
        $replace = $params.Clone()
        $replace.Tag = 'replaced'
        $null = Register-AttestationSchedule @replace -Force -WarningAction SilentlyContinue
        (Get-AttestationSchedule nightly -Path $folder).Sweep.Tag | Should -Be 'replaced'
    }

    It 'sees a hand-edited unit as Modified and an unreadable one as an error' {
        $copy = New-Folder edited
        $null = Register-AttestationSchedule -Name edited -Path $copy -Interval '01:00:00'
        $null = Register-AttestationSchedule -Name injected -Path $copy -Interval '01:00:00'
        $file = Join-Path $copy 'edited.service'
        Set-Content $file ((Get-Content $file) | Where-Object { $_ -ne 'NoNewPrivileges=yes' })
        $file = Join-Path $copy 'injected.service'
        Set-Content $file ((Get-Content -Raw $file) -replace ' -PassThru \}', ' -PassThru; Remove-Item -Recurse / }')
        $read = Get-AttestationSchedule -Path $copy -ErrorVariable e -ErrorAction SilentlyContinue
        $read.Name | Should -Be 'edited'
        $read.Modified | Should -BeTrue
        $e[0].FullyQualifiedErrorId | Should -Be 'GetAttestationScheduleInvalid,TrustedCompute.PowerShell.Commands.Fleet.GetAttestationScheduleCommand'
        $e[0].TargetObject | Should -Be 'injected'
    }
}

Describe 'AttestationSchedule: The service command runs as systemd would run it' -Skip:$noSystemd {
    BeforeAll {
        $folder = New-Folder run
        $work = New-Folder work
        $null = New-Item -ItemType Directory $work
        $store = Join-Path $work "store it's 100%.db"
        $null = Register-AttestationSchedule -Name run -Path $folder -Interval '01:00:00' -Tag 'no such $tag %n', "it's" `
            -StoreConnectionString $store -WorkingDirectory $work -WarningAction SilentlyContinue
        $argv = @(Get-SystemdArgv (Join-Path $folder 'run.service'))
    }

    It 'splits into pwsh, its switches and the command' {
        $argv.Count | Should -Be 5
        $argv[0] | Should -Be (Get-AttestationSchedule run -Path $folder).PwshPath
        $argv[1..3] | Should -Be @('-NoProfile', '-NonInteractive', '-Command')
        $argv[4] | Should -Be (Get-AttestationSchedule run -Path $folder).Command
    }

    It 'sweeps a tag with no hosts: exit code 0, the store made, no result recorded' {
        $out = & $argv[0] $argv[1..($argv.Count - 1)] 2>&1 | ForEach-Object { "$_" }
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        ($out -join "`n") | Should -Match '0/0 Trusted'
        Test-Path -LiteralPath $store | Should -BeTrue
        @(Get-AttestationResult -StoreConnectionString $store).Count | Should -Be 0
    }

    It 'exits 3 when the sweep cannot run (the store is unusable): a failure never reads as success' {
        $bad = New-Folder bad
        $null = Register-AttestationSchedule -Name bad -Path $bad -Interval '01:00:00' -StoreConnectionString '/proc/no-store/store.db'
        $badArgv = @(Get-SystemdArgv (Join-Path $bad 'bad.service'))
        $null = & $badArgv[0] $badArgv[1..($badArgv.Count - 1)] 2>&1
        $LASTEXITCODE | Should -Be 3
    }
}

Describe 'AttestationSchedule: Register-AttestationSchedule refuses what it cannot write safely' {
    It 'writes nothing with -WhatIf' {
        $folder = New-Folder whatif
        Register-AttestationSchedule -Path $folder -WhatIf | Should -BeNullOrEmpty
        Test-Path $folder | Should -BeFalse
        Register-AttestationSchedule -Platform Windows -Path $folder -WhatIf | Should -BeNullOrEmpty
        Test-Path $folder | Should -BeFalse
    }

    It 'refuses a store connection string with a password: <Connection>' -ForEach @(
        @{ Connection = 'Host=db;Username=tc;Password=hunter2' }
        @{ Connection = 'postgresql://tc:hunter2@db/tc' }
    ) {
        $folder = New-Folder secret
        Register-AttestationSchedule -Path $folder -StoreConnectionString $Connection -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'RegisterAttestationScheduleInvalid,TrustedCompute.PowerShell.Commands.Fleet.RegisterAttestationScheduleCommand'
        "$e" | Should -Match 'PGPASSFILE'
        "$e" | Should -Not -Match 'hunter2'
        Test-Path $folder | Should -BeFalse
    }

    It 'refuses a name that leaves the folder: <Name>' -ForEach @(@{ Name = '../x' }, @{ Name = 'a/b' }, @{ Name = 'x@y' }) {
        $folder = New-Folder names
        Register-AttestationSchedule -Name $Name -Path $folder -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'RegisterAttestationScheduleInvalid,TrustedCompute.PowerShell.Commands.Fleet.RegisterAttestationScheduleCommand'
        Test-Path $folder | Should -BeFalse
        Test-Path (Join-Path $TestDrive 'x.service') | Should -BeFalse
    }

    It 'refuses a tag with a line break' {
        $folder = New-Folder newline
        Register-AttestationSchedule -Path $folder -Tag "a`nExecStartPost=/bin/sh" -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'RegisterAttestationScheduleInvalid,TrustedCompute.PowerShell.Commands.Fleet.RegisterAttestationScheduleCommand'
        Test-Path $folder | Should -BeFalse
    }

    It 'writes the store this session uses when none is given, and refuses one whose password is in the environment' {
        $saved = $env:TRUSTEDCOMPUTE_STORE
        try {
            $env:TRUSTEDCOMPUTE_STORE = '/var/lib/tc/fleet store.db'
            (Register-AttestationSchedule -Path (New-Folder default)).Sweep.StoreConnectionString | Should -Be '/var/lib/tc/fleet store.db'
            $env:TRUSTEDCOMPUTE_STORE = 'Host=db;Username=tc;Password=hunter2'
            $folder = New-Folder envsecret
            Register-AttestationSchedule -Path $folder -ErrorVariable e -ErrorAction SilentlyContinue
            $e[0].FullyQualifiedErrorId | Should -Be 'RegisterAttestationScheduleInvalid,TrustedCompute.PowerShell.Commands.Fleet.RegisterAttestationScheduleCommand'
            "$e" | Should -Not -Match 'hunter2'
            Test-Path $folder | Should -BeFalse
        }
        finally { $env:TRUSTEDCOMPUTE_STORE = $saved }
    }

    It '-Enable without systemd as PID 1 is RegisterAttestationScheduleSystemdUnavailable and writes nothing' -Skip:$systemdRuns {
        $name = 'tc-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        Register-AttestationSchedule -Name $name -Enable -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'RegisterAttestationScheduleSystemdUnavailable,TrustedCompute.PowerShell.Commands.Fleet.RegisterAttestationScheduleCommand'
        "$e" | Should -Match 'PID 1'
        Test-Path "/etc/systemd/system/$name.service" | Should -BeFalse
        Test-Path "/etc/systemd/system/$name.timer" | Should -BeFalse
    }

    It '-Enable with -Path is refused: only the system folder is enabled' {
        $folder = New-Folder enable
        Register-AttestationSchedule -Path $folder -Enable -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'RegisterAttestationScheduleInvalid,TrustedCompute.PowerShell.Commands.Fleet.RegisterAttestationScheduleCommand'
        Test-Path $folder | Should -BeFalse
    }

    It 'a Windows schedule without -Path off Windows is RegisterAttestationSchedulePlatformNotSupported' -Skip:$IsWindows {
        Register-AttestationSchedule -Platform Windows -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'RegisterAttestationSchedulePlatformNotSupported,TrustedCompute.PowerShell.Commands.Fleet.RegisterAttestationScheduleCommand'
    }
}

Describe 'AttestationSchedule: Unregister-AttestationSchedule' {
    BeforeAll {
        $folder = New-Folder unregister
        $null = Register-AttestationSchedule -Name one -Path $folder -Interval '02:00:00'
        $null = Register-AttestationSchedule -Name two -Path $folder -OnCalendar hourly
        Set-Content (Join-Path $folder 'foreign.service') "[Service]`nExecStart=/bin/true"
    }

    It 'removes nothing with -WhatIf' {
        Unregister-AttestationSchedule one -Path $folder -WhatIf
        Test-Path (Join-Path $folder 'one.service') | Should -BeTrue
    }

    It 'removes what Get-AttestationSchedule pipes to it, its enable link too, and nothing else' {
        $wants = New-Item -ItemType Directory (Join-Path $folder 'timers.target.wants')
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $wants 'one.timer') -Target (Join-Path $folder 'one.timer')
        (Get-AttestationSchedule one -Path $folder).Enabled | Should -BeTrue
        Get-AttestationSchedule one -Path $folder | Unregister-AttestationSchedule
        Test-Path (Join-Path $folder 'one.service') | Should -BeFalse
        Test-Path (Join-Path $folder 'one.timer') | Should -BeFalse
        Test-Path (Join-Path $wants 'one.timer') | Should -BeFalse
        (Get-AttestationSchedule -Path $folder).Name | Should -Be 'two'
        Test-Path (Join-Path $folder 'foreign.service') | Should -BeTrue
    }

    It 'writes UnregisterAttestationScheduleNotFound for a name that is not there' {
        Unregister-AttestationSchedule one -Path $folder -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'UnregisterAttestationScheduleNotFound,TrustedCompute.PowerShell.Commands.Fleet.UnregisterAttestationScheduleCommand'
        Unregister-AttestationSchedule foreign -Path $folder -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'UnregisterAttestationScheduleInvalid,TrustedCompute.PowerShell.Commands.Fleet.UnregisterAttestationScheduleCommand'
        Test-Path (Join-Path $folder 'foreign.service') | Should -BeTrue
        Register-AttestationSchedule foreign -Path $folder -Force -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'RegisterAttestationScheduleExists,TrustedCompute.PowerShell.Commands.Fleet.RegisterAttestationScheduleCommand'
        Get-Content -Raw (Join-Path $folder 'foreign.service') | Should -Not -Match 'TrustedCompute'
    }
}

Describe 'AttestationSchedule: The Windows task (XML written to a folder)' {
    BeforeAll {
        $folder = New-Folder tasks
        $linux = New-Folder linux
        $common = @{ Name = 'fleet'; Interval = '06:00:00'; Tag = $hostile; ThrottleLimit = 8; StoreConnectionString = $pgConnection }
        $task = Register-AttestationSchedule @common -Platform Windows -Path $folder -User 'CORP\svc-tc'
        $unit = Register-AttestationSchedule @common -Path $linux -WarningAction SilentlyContinue
        [xml] $xml = Get-Content -Raw (Join-Path $folder 'fleet.xml')
        $ns = [System.Xml.XmlNamespaceManager]::new($xml.NameTable)
        $ns.AddNamespace('t', 'http://schemas.microsoft.com/windows/2004/02/mit/task')
    }

    It 'is a well-formed schema 1.2 task that runs pwsh as the given user' {
        $xml.DocumentElement.LocalName | Should -Be 'Task'
        $xml.DocumentElement.version | Should -Be '1.2'
        $xml.SelectSingleNode('/t:Task/t:Actions/t:Exec/t:Command', $ns).InnerText | Should -Be 'C:\Program Files\PowerShell\7\pwsh.exe'
        $xml.SelectSingleNode('//t:Principal/t:UserId', $ns).InnerText | Should -Be 'CORP\svc-tc'
        $xml.SelectSingleNode('//t:Repetition/t:Interval', $ns).InnerText | Should -Be 'PT6H'
        $xml.SelectSingleNode('//t:RegistrationInfo/t:URI', $ns).InnerText | Should -Be '\TrustedCompute\fleet'
    }

    It 'carries the same sweep command as the systemd service' {
        $arguments = $xml.SelectSingleNode('/t:Task/t:Actions/t:Exec/t:Arguments', $ns).InnerText
        $arguments | Should -Match '^-NoProfile -NonInteractive -EncodedCommand [A-Za-z0-9+/=]+$'
        $command = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String(($arguments -split ' ')[-1]))
        $command | Should -Be $task.Command
        $command.Replace($task.ModulePath, $unit.ModulePath) | Should -Be $unit.Command
        $read = Get-AttestationSchedule -Platform Windows -Path $folder
        $read.Sweep.Tag | Should -Be $hostile
        $read.Sweep.StoreConnectionString | Should -Be $pgConnection
        $read.Modified | Should -BeFalse
        $read.Interval | Should -Be ([timespan] '06:00:00')
    }

    It 'refuses a systemd calendar for Windows' {
        Register-AttestationSchedule -Platform Windows -Path (New-Folder cal) -OnCalendar daily -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'RegisterAttestationScheduleInvalid,TrustedCompute.PowerShell.Commands.Fleet.RegisterAttestationScheduleCommand'
    }

    It 'is removed by Unregister-AttestationSchedule -Platform Windows -Path' {
        Get-AttestationSchedule -Platform Windows -Path $folder | Unregister-AttestationSchedule
        Test-Path (Join-Path $folder 'fleet.xml') | Should -BeFalse
    }
}
