<#
Every example the module documents runs as written, against a swtpm simulator, and writes no error.

Sources, one topic each, examples in document order:
  - Get-Help <cmdlet> -Examples for every exported cmdlet of the built module (from docs/help/*.psd1);
  - en-US/about_*.help.txt: an example is a run of lines whose text starts with "PS> " (after the indent);
    a line starting with ">> " continues it. Indented lines without "PS> " are prose or output, never run;
  - README.md: every ```powershell block is one example.

A topic's examples run in order in one fresh pwsh (so an example may use what an earlier one made), in the
script scope of a runner, with $ErrorActionPreference 'Continue'. An example fails when it throws or writes an
error record; its output is formatted (Out-String) and dropped.

The fixture prologue each topic gets before its first example (none of it is shown in the examples):
  - the built module imported; the working directory is a new empty temp folder, holding:
      out/TrustedCompute   a link to the built module, so README's "Import-Module ./out/..." works as written
      golden.yaml          a policy (name golden) over sha256 PCRs 0-7 of the simulator
      ak.pub, ak.pem       the attestation key's TPM2B_PUBLIC bytes and its PEM public key
      log.bin              a small crypto-agile (sha1, sha256) event log of EV_EFI_ACTION events in PCRs 0-7
      lcp_key.pem          an RSA-3072 private key (PEM) for signing launch control policy lists
      ek-roots/            the root and issuer certificates of the simulator's EK certificate CA
  - $env:TRUSTEDCOMPUTE_STORE names store.db in the working directory: a new, empty SQLite store;
  - $env:TRUSTEDCOMPUTE_TPM names a swtpm simulator of its own (tests/env/swtpm.sh), with an RSA attestation key
    at the default handle 0x81010002;
  - Read-Host and Get-Credential are functions that answer without a prompt (an empty SecureString; user
    "admin" with an empty password): examples that would prompt a person run unattended;
  - when an example needs a remote host (it uses $s, $sessions, -Session or New-PSSession): $s and $sessions
    hold one PSSession over SSH to a private sshd on 127.0.0.1 (tests/env/sshd.sh) whose pwsh has the module
    imported and $env:TRUSTEDCOMPUTE_TPM set to the same simulator;
  - when an example uses the OpenStack cmdlets: the OS_* variables of the running test cloud
    (tests/env/openstack.sh env), a flavor m1.secure, compute-node providers compute-1 and 127.0.0.1 (removed
    afterwards), and results.xml in the working directory (a saved Trusted result for compute-1).
An example whose remote host or test cloud is missing is not run and is reported as skipped with the reason.
#>
BeforeDiscovery {
    Import-Module (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1') -Force
    $root = Join-Path $PSScriptRoot '../..'

    function Get-Need([string] $Code) {
        $needs = @()
        if ($Code -match '\$s\b|\$sessions\b|-Session\b|New-PSSession') { $needs += 'ssh' }
        if ($Code -match '\b(Connect|Disconnect)-OpenStack\b|OpenStackTrusted(Flavor|Image)|\b(Sync|Get)-TrustedPool\b|\bSet-TrustedAggregate\b') { $needs += 'openstack' }
        $needs
    }
    function New-Topic([string] $Name, [string[]] $Code) {
        $i = 0
        $examples = @($Code | ForEach-Object {
                $i++
                $line = ($_ -split "\r?\n")[0]
                $title = if ($line.Length -gt 70) { $line.Substring(0, 70) + '...' } else { $line }
                @{ Index = $i; Code = $_; Title = $title; Needs = @(Get-Need $_) }
            })
        @{ Name = $Name; Examples = $examples }
    }

    $script:topics = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($cmd in Get-Command -Module TrustedCompute -CommandType Cmdlet | Sort-Object Name) {
        $code = @((Get-Help $cmd.Name -Examples).Examples.Example | ForEach-Object { "$($_.Code)".Trim() } | Where-Object { $_ })
        $topics.Add((New-Topic $cmd.Name $code))
    }
    foreach ($file in Get-ChildItem (Join-Path $root 'en-US') -Filter 'about_*.help.txt' | Sort-Object Name) {
        $blocks = [System.Collections.Generic.List[string]]::new()
        $current = $null
        foreach ($line in Get-Content $file.FullName) {
            if ($line -match '^\s*PS> (.*)$') {
                if ($null -ne $current) { $blocks.Add($current) }
                $current = $Matches[1]
            }
            elseif ($null -ne $current -and $line -match '^\s*>> (.*)$') { $current += "`n" + $Matches[1] }
            elseif ($null -ne $current) { $blocks.Add($current); $current = $null }
        }
        if ($null -ne $current) { $blocks.Add($current) }
        $topics.Add((New-Topic ($file.Name -replace '\.help\.txt$') $blocks))
    }
    $readme = Get-Content -Raw (Join-Path $root 'README.md')
    $blocks = [regex]::Matches($readme, '(?ms)^```powershell\r?\n(.*?)^```') | ForEach-Object { $_.Groups[1].Value }
    $topics.Add((New-Topic 'README.md' @($blocks)))
    $script:noSimulator = -not (Get-Command swtpm -ErrorAction Ignore) -or -not (Get-Command tpm2_pcrread -ErrorAction Ignore)
}

BeforeAll {
    $envDir = Join-Path $PSScriptRoot '../env'
    # The NAME=value lines the env scripts print, as a hashtable.
    function ConvertFrom-Setting([string[]] $Line) {
        $settings = @{}
        foreach ($l in $Line) { $k, $v = $l -split '=', 2; $settings[$k] = $v }
        $settings
    }

    # A crypto-agile TCG log: EV_EFI_ACTION events whose digests are the hashes of their text, PCRs 0-7.
    function New-FixtureEventLog {
        $s = [IO.MemoryStream]::new()
        $w = [IO.BinaryWriter]::new($s)
        $spec = [byte[]] ([Text.Encoding]::ASCII.GetBytes("Spec ID Event03`0") + @(0, 0, 0, 0, 0, 2, 0, 2) +
            [BitConverter]::GetBytes([uint32] 2) + @(4, 0, 20, 0, 11, 0, 32, 0, 0))
        $w.Write([uint32] 0); $w.Write([uint32] 3); $w.Write([byte[]]::new(20)); $w.Write([uint32] $spec.Length); $w.Write($spec)
        foreach ($pcr in 0..7) {
            $data = [Text.Encoding]::ASCII.GetBytes("fixture event $pcr")
            $w.Write([uint32] $pcr); $w.Write([uint32] 2147483655); $w.Write([uint32] 2)
            $w.Write([uint16] 4); $w.Write([Security.Cryptography.SHA1]::HashData($data))
            $w.Write([uint16] 11); $w.Write([Security.Cryptography.SHA256]::HashData($data))
            $w.Write([uint32] $data.Length); $w.Write($data)
        }
        $w.Flush()
        , $s.ToArray()
    }
    # The OS_* settings of the test cloud when it runs, else why not.
    $cloud = @{}
    & (Join-Path $envDir 'openstack.sh') status 2>$null
    if ($LASTEXITCODE -eq 0) {
        $all = ConvertFrom-Setting (& (Join-Path $envDir 'openstack.sh') env 2>$null)
        foreach ($k in $all.Keys -like 'OS_*') { $cloud[$k] = $all[$k] }
    }
    # The fixture, made once: a simulator state holding the AK (a private swtpm.sh template that every topic's
    # simulator is copied from) and the files every topic's working directory gets.
    Import-Module (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1') -Force
    $fixtureEnv = Join-Path ([IO.Path]::GetTempPath()) ('tc-help-env-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $files = Join-Path $fixtureEnv 'files'
    $null = New-Item -ItemType Directory $files
    if ((Get-Command swtpm -ErrorAction Ignore) -and (Get-Command tpm2_pcrread -ErrorAction Ignore)) {
        $settings = ConvertFrom-Setting (& (Join-Path $envDir 'swtpm.sh') start "$fixtureEnv/base")
        try {
            $ak = New-TpmAttestationKey -Tpm $settings.TRUSTEDCOMPUTE_TPM -Force -Confirm:$false
            [IO.File]::WriteAllBytes("$files/ak.pub", $ak.Public.ToTpm2BPublic())
            $spki = [Convert]::ToBase64String($ak.Public.ExportSubjectPublicKeyInfo(), 'InsertLineBreaks')
            Set-Content "$files/ak.pem" "-----BEGIN PUBLIC KEY-----`n$spki`n-----END PUBLIC KEY-----"
            Get-AttestationEvidence -Tpm $settings.TRUSTEDCOMPUTE_TPM -NoEventLog | New-AttestationPolicy -Name golden |
                Export-AttestationPolicy -Path "$files/golden.yaml"
        }
        finally { & (Join-Path $envDir 'swtpm.sh') stop "$fixtureEnv/base" }
        $null = New-Item -ItemType Directory "$files/ek-roots"
        Copy-Item (Join-Path $settings.CA_DIR 'issuercert.pem'), (Join-Path $settings.CA_DIR 'swtpm-localca-rootca-cert.pem') "$files/ek-roots"
        Move-Item "$fixtureEnv/base" "$fixtureEnv/swtpm-template"
        Remove-Item "$fixtureEnv/swtpm-template/swtpm.log" -ErrorAction Ignore
        $null = New-Item "$fixtureEnv/swtpm-template/.ready"
    }
    [IO.File]::WriteAllBytes("$files/log.bin", (New-FixtureEventLog))
    # With the test cloud: the flavor and compute nodes the OpenStack examples name, and saved results for them.
    $cloudObjects = $null
    if ($cloud.Count -gt 0) {
        foreach ($kv in $cloud.GetEnumerator()) { Set-Item "env:$($kv.Key)" $kv.Value }
        $connection = (Connect-OpenStack -PassThru).psobject.BaseObject
        $core = $connection.GetType().Assembly
        $none = [Threading.CancellationToken]::None
        $nova = [Activator]::CreateInstance($core.GetType('TrustedCompute.OpenStack.NovaClient', $true), [object[]] @($connection, '2.86'))
        $placement = [Activator]::CreateInstance($core.GetType('TrustedCompute.OpenStack.PlacementClient', $true), [object[]] @($connection))
        $cloudObjects = @{
            Nova = $nova; Placement = $placement
            Flavor = $nova.CreateFlavorAsync('m1.secure', 512, 1, 1, $true, $none).GetAwaiter().GetResult()
            Image = [Activator]::CreateInstance($core.GetType('TrustedCompute.OpenStack.TrustedImageManager', $true), [object[]] @($connection)).
                CreateAsync('secure-image', 'CUSTOM_TRUSTED_HOST', $none).GetAwaiter().GetResult()
            Providers = @('compute-1', '127.0.0.1' | ForEach-Object { $placement.CreateProviderAsync($_, $null, $none).GetAwaiter().GetResult() })
        }
        $saved = (Get-Command Invoke-HostAttestation).OutputType[0].Type::new()
        $saved.HostName = 'compute-1'; $saved.Verdict = 'Trusted'; $saved.Time = [datetime]::UtcNow; $saved.Reasons = @()
        $saved | Export-Clixml "$files/results.xml"
        Get-ChildItem env:OS_* | ForEach-Object { Remove-Item "env:$($_.Name)" }
    }
    $rsa = [Security.Cryptography.RSA]::Create(3072)
    Set-Content "$files/lcp_key.pem" $rsa.ExportPkcs8PrivateKeyPem()
    $rsa.Dispose()
    $context = @{
        EnvDir       = $envDir
        TestEnv      = $fixtureEnv
        Files        = $files
        Pwsh         = [Environment]::ProcessPath
        Runner       = Join-Path $PSScriptRoot '../tools/Invoke-HelpExample.ps1'
        Module       = $env:TRUSTEDCOMPUTE_MODULE_PATH
        TimeoutSeconds = 300
        Cloud        = $cloud
        CloudMissing = $(if ($cloud.Count -eq 0) { 'the OpenStack test cloud is not running (build.ps1 -Task Test starts it)' })
        SshMissing   = $(if (-not $IsLinux -or -not (Test-Path /usr/sbin/sshd)) {
                'needs a PSSession over SSH: openssh-server is not installed' })
    }

    # Runs the examples of one topic in one fresh pwsh; returns one outcome per example (Index, Skipped, Errors).
    function Invoke-Topic([hashtable] $Topic, [hashtable] $Context) {
        $work = Join-Path ([IO.Path]::GetTempPath()) ('tc-help-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $null = New-Item -ItemType Directory $work
        $started = @()
        try {
            # swtpm.sh copies the fixture's template (with the AK) instead of its own.
            $swtpm = Join-Path $Context.EnvDir 'swtpm.sh'
            $settings = ConvertFrom-Setting (& env "TRUSTEDCOMPUTE_TEST_ENV=$($Context.TestEnv)" $swtpm start "$work.tpm")
            $started += @{ Script = 'swtpm.sh'; Dir = "$work.tpm" }
            $ssh = @{}
            if ('ssh' -in @($Topic.Examples.Needs) -and -not $Context.SshMissing) {
                $ssh = ConvertFrom-Setting (& (Join-Path $Context.EnvDir 'sshd.sh') start "$work.ssh" $Context.Pwsh)
                $started += @{ Script = 'sshd.sh'; Dir = "$work.ssh" }
            }
            $plan = @($Topic.Examples | ForEach-Object {
                    $skip = if ('ssh' -in $_.Needs -and $Context.SshMissing) { $Context.SshMissing }
                    elseif ('openstack' -in $_.Needs -and $Context.CloudMissing) { $Context.CloudMissing }
                    @{ Index = $_.Index; Code = $_.Code; Skip = $skip }
                })
            @{ Module = $Context.Module; Tpm = $settings.TRUSTEDCOMPUTE_TPM; Files = $Context.Files; Ssh = $ssh; Cloud = $Context.Cloud
                Examples = $plan } | ConvertTo-Json -Depth 5 | Set-Content "$work.job.json"
            $start = [Diagnostics.ProcessStartInfo]::new($Context.Pwsh)
            foreach ($a in '-NoProfile', '-NonInteractive', '-File', $Context.Runner, '-JobPath', "$work.job.json", '-WorkPath', $work,
                '-ResultPath', "$work.result.json") { $start.ArgumentList.Add($a) }
            $start.RedirectStandardOutput = $start.RedirectStandardError = $true
            $process = [Diagnostics.Process]::Start($start)
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            if (-not $process.WaitForExit($Context.TimeoutSeconds * 1000)) {
                $process.Kill($true)
                throw "The examples of $($Topic.Name) did not finish within $($Context.TimeoutSeconds) s"
            }
            if (-not (Test-Path "$work.result.json")) {
                throw "The example runner wrote no result (exit code $($process.ExitCode)): $($stdout.Result)$($stderr.Result)"
            }
            Get-Content -Raw "$work.result.json" | ConvertFrom-Json
        }
        finally {
            foreach ($s in $started) { & (Join-Path $Context.EnvDir $s.Script) stop $s.Dir }
            Remove-Item -Recurse -Force $work, "$work.tpm", "$work.ssh", "$work.job.json", "$work.result.json" -ErrorAction Ignore
        }
    }

    # The selected topics run three at a time up front (each in its own pwsh and simulator). The selection is
    # read from Pester's run state; without it each topic runs on its own in its Describe.
    $script:outcomesByTopic = @{}
    $selected = @(try { $____Pester.CurrentBlock.Blocks | Where-Object ShouldRun | ForEach-Object { $_.Data } } catch { $null })
    $fn = ${function:Invoke-Topic}.ToString()
    $settingFn = ${function:ConvertFrom-Setting}.ToString()
    $selected | Where-Object { $_ -is [hashtable] -and $_.Name } | ForEach-Object -ThrottleLimit 3 -Parallel {
        ${function:Invoke-Topic} = $using:fn
        ${function:ConvertFrom-Setting} = $using:settingFn
        $topic = $_
        try { @{ Name = $topic.Name; Outcomes = @(Invoke-Topic $topic $using:context) } }
        catch { @{ Name = $topic.Name; Failure = "$_" } }
    } | ForEach-Object { $outcomesByTopic[$_.Name] = $_ }
}

AfterAll {
    Remove-Item -Recurse -Force $fixtureEnv -ErrorAction Ignore
    if ($cloudObjects) {
        $none = [Threading.CancellationToken]::None
        $null = $cloudObjects.Nova.DeleteFlavorAsync($cloudObjects.Flavor.Id, $none).GetAwaiter().GetResult()
        foreach ($p in $cloudObjects.Providers) { $null = $cloudObjects.Placement.DeleteProviderAsync($p.Uuid, $none).GetAwaiter().GetResult() }
        $images = [Activator]::CreateInstance($core.GetType('TrustedCompute.OpenStack.TrustedImageManager', $true), [object[]] @($connection))
        $null = $images.DeleteAsync($cloudObjects.Image.Id, $none).GetAwaiter().GetResult()
        $aggregates = [Activator]::CreateInstance($core.GetType('TrustedCompute.OpenStack.TrustedAggregateManager', $true), [object[]] @($connection))
        foreach ($a in $aggregates.ListAggregatesAsync($none).GetAwaiter().GetResult() | Where-Object Name -EQ 'trusted-hosts') {
            $null = $aggregates.DeleteAggregateAsync($a.Id, $none).GetAwaiter().GetResult()
        }
        Disconnect-OpenStack -Confirm:$false
    }
}

# One Describe per topic, named literally so that -TestFilter 'Examples of <topic>' selects it.
foreach ($topic in $topics) {
    Describe "Examples of $($topic.Name)" -ForEach @($topic) -Skip:$noSimulator {
        BeforeAll {
            $done = $outcomesByTopic[$Name]
            if ($done.Failure) { throw $done.Failure }
            $outcomes = if ($done) { @($done.Outcomes) } else { @(Invoke-Topic @{ Name = $Name; Examples = $Examples } $context) }
        }

        It 'has examples' {
            $Examples.Count | Should -BeGreaterThan 0
        }

        It 'example <Index> runs without error: <Title>' -ForEach $Examples {
            $outcome = $outcomes | Where-Object Index -EQ $Index
            $outcome | Should -Not -BeNullOrEmpty -Because 'the runner reports every example'
            if ($outcome.Skipped) { Set-ItResult -Skipped -Because $outcome.Skipped; return }
            ($outcome.Errors -join "`n") | Should -BeNullOrEmpty -Because "example $Index of $Name must run as written:`n$Code`n"
        }
    }
}
