# Attestation cmdlets against a swtpm simulator (tests/env/swtpm.sh); logs are built here and extended into the simulator.
BeforeDiscovery {
    $script:noSimulator = -not (Get-Command swtpm -ErrorAction Ignore) -or -not (Get-Command tpm2_pcrread -ErrorAction Ignore)
}

BeforeAll {
    Import-Module (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1') -Force
    $envScript = Join-Path $PSScriptRoot '../env/swtpm.sh'
    $stateDir = Join-Path ([IO.Path]::GetTempPath()) ("tc-pester-att-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    if (-not $noSimulator) {
        $settings = @{}
        & $envScript start $stateDir | ForEach-Object { $k, $v = $_ -split '=', 2; $settings[$k] = $v }
        $tpm = $settings.TRUSTEDCOMPUTE_TPM
        $ak = New-TpmAttestationKey -Tpm $tpm -Handle 0x81010002 -Force -Confirm:$false
        $otherAk = New-TpmAttestationKey -Tpm $tpm -KeyType EcDsa -Handle 0x81010003 -Force -Confirm:$false
        # Without a policy nothing is Trusted: golden PCR 0 (no test extends it) is the baseline policy.
        $policy = Get-AttestationEvidence -Tpm $tpm -PcrIndex 0 -NoEventLog | New-AttestationPolicy -Name base
    }
    # Evidence from the pipeline or files is only a claim of its host's name: the tests name the host they attest.
    $me = [Environment]::MachineName

    # A crypto-agile TCG log (sha1 + sha256) of EV_EFI_ACTION events; each digest is the hash of the event's text.
    function New-TestLog([object[]] $Events) {
        $s = [IO.MemoryStream]::new()
        $w = [IO.BinaryWriter]::new($s)
        $spec = [byte[]] ([Text.Encoding]::ASCII.GetBytes("Spec ID Event03`0") + @(0, 0, 0, 0, 0, 2, 0, 2) +
            [BitConverter]::GetBytes([uint32] 2) + @(4, 0, 20, 0, 11, 0, 32, 0, 0))
        $w.Write([uint32] 0); $w.Write([uint32] 3); $w.Write([byte[]]::new(20)); $w.Write([uint32] $spec.Length); $w.Write($spec)
        foreach ($e in $Events) {
            $data = [Text.Encoding]::ASCII.GetBytes($e.Text)
            $w.Write([uint32] $e.Pcr); $w.Write([uint32] 2147483655); $w.Write([uint32] 2)
            $w.Write([uint16] 4); $w.Write([Security.Cryptography.SHA1]::HashData($data))
            $w.Write([uint16] 11); $w.Write([Security.Cryptography.SHA256]::HashData($data))
            $w.Write([uint32] $data.Length); $w.Write($data)
        }
        $w.Flush()
        , $s.ToArray()
    }
}

AfterAll {
    if (-not $noSimulator) { & $envScript stop $stateDir; Remove-Item -Recurse -Force $stateDir -ErrorAction Ignore }
}

Describe 'Attestation against swtpm' -Skip:$noSimulator {
    It 'evidence collected by Get-AttestationEvidence verifies: Trusted' {
        $nonce = [byte[]] (1..32)
        $e = Get-AttestationEvidence -Tpm $tpm -Nonce $nonce -PcrIndex 0, 1, 16 -Bank sha1, sha256 -NoEventLog
        $e.Quotes.Count | Should -Be 2
        $e.PcrValues.Count | Should -Be 6
        $r = $e | Invoke-HostAttestation -AttestationKey $ak -Nonce $nonce -Policy $policy -HostName $me
        $r.Verdict | Should -Be 'Trusted'
        $r.Reasons | Should -BeNullOrEmpty
        ($e | Invoke-HostAttestation -AttestationKey $ak -Nonce $nonce -HostName $me).Reasons.Id | Should -Be 'policy.none'
        $claim = $e | Invoke-HostAttestation -AttestationKey $ak -Nonce $nonce -Policy $policy
        ($claim.Verdict, $claim.Reasons.Id, $claim.ClaimedHostName) | Should -Be @('Unknown', 'host.identity', $me)
        $r.EvidenceDigest | Should -Match '^[0-9a-f]{64}$'
    }

    It 'Invoke-HostAttestation on the local TPM uses a fresh nonce and names this host' {
        $r = Invoke-HostAttestation -Tpm $tpm -AttestationKey $ak -Policy $policy -NoEventLog
        $r.Verdict | Should -Be 'Trusted'
        $r.HostName | Should -Be ([Environment]::MachineName)
        # The evidence's own name and the signing key are shown beside the verifier's name.
        ($r | Format-List | Out-String) | Should -Match "ClaimedHostName\s*: $([regex]::Escape($r.ClaimedHostName))"
        ($r | Format-List | Out-String) | Should -Match "AttestationKeyName\s*: $($r.AttestationKeyName)"
    }

    It 'a replayed bundle (old nonce) is Untrusted with quote.nonce' {
        $old = [byte[]] (5..36)
        $e = Get-AttestationEvidence -Tpm $tpm -Nonce $old -NoEventLog
        $r = $e | Invoke-HostAttestation -AttestationKey $ak -Nonce ([byte[]] (6..37)) -Policy $policy -HostName $me
        $r.Verdict | Should -Be 'Untrusted'
        $r.Reasons.Id | Should -Be @('quote.nonce', 'policy.bank', 'policy.pcr')
        $r.Reasons[0].Actual | Should -Be ([Convert]::ToHexString($old).ToLowerInvariant())
    }

    It 'saved evidence without an expected nonce is at best Unknown' {
        $r = Get-AttestationEvidence -Tpm $tpm -NoEventLog | Invoke-HostAttestation -AttestationKey $ak -Policy $policy -HostName $me
        $r.Verdict | Should -Be 'Unknown'
        $r.Reasons.Id | Should -Be @('quote.freshness')
    }

    It 'evidence quoted by another attestation key is Untrusted' {
        $nonce = [byte[]] (1..20)
        $e = Get-AttestationEvidence -Tpm $tpm -AttestationKey 0x81010003 -Nonce $nonce -NoEventLog
        $r = $e | Invoke-HostAttestation -AttestationKey $ak -Nonce $nonce -Policy $policy -HostName $me
        $r.Verdict | Should -Be 'Untrusted'
        $r.Reasons.Id | Should -Contain 'quote.key'
        ($e | Invoke-HostAttestation -AttestationKey $otherAk -Nonce $nonce -Policy $policy -HostName $me).Verdict | Should -Be 'Trusted'
    }

    It 'takes the expected key as a PEM file and as TPM2B_PUBLIC bytes' {
        $pem = Join-Path $TestDrive 'ak.pem'
        $spki = $ak.Public.ExportSubjectPublicKeyInfo()
        Set-Content -Path $pem -Value ("-----BEGIN PUBLIC KEY-----`n" + [Convert]::ToBase64String($spki, 'InsertLineBreaks') + "`n-----END PUBLIC KEY-----")
        # A bare public key cannot show the TPM attributes of an attestation key.
        $bare = Invoke-HostAttestation -Tpm $tpm -AttestationKey $pem -Policy $policy -NoEventLog
        ($bare.Verdict, $bare.Reasons.Id) | Should -Be @('Unknown', 'quote.key.attributes')
        (Invoke-HostAttestation -Tpm $tpm -AttestationKey $ak.Public.ToTpm2BPublic() -Policy $policy -NoEventLog).Verdict | Should -Be 'Trusted'
        (Invoke-HostAttestation -Tpm $tpm -AttestationKey $otherAk.Public.ToTpm2BPublic() -Policy $policy -NoEventLog).Verdict | Should -Be 'Untrusted'
        $own = Invoke-HostAttestation -Tpm $tpm -TrustEvidenceKey -Policy $policy -NoEventLog
        ($own.Verdict, $own.Reasons.Id) | Should -Be @('Unknown', 'quote.key.untrusted')
        (Invoke-HostAttestation -Tpm $tpm -Policy $policy -NoEventLog).Verdict | Should -Be 'Unknown'
    }

    It 'a log edited after quoting is Untrusted with eventlog.replay on the edited PCR' {
        $events = @(@{ Pcr = 8; Text = 'kernel /vmlinuz-6.1' }, @{ Pcr = 9; Text = 'initrd /initrd-6.1' })
        $logFile = Join-Path $TestDrive 'boot.log'
        [IO.File]::WriteAllBytes($logFile, (New-TestLog $events))
        foreach ($e in $events) { $null = Update-TpmPcr -Tpm $tpm -Index $e.Pcr -Text $e.Text -Confirm:$false }

        $boot = Get-AttestationEvidence -Tpm $tpm -PcrIndex 8, 9 -Bank sha1, sha256 -NoEventLog | New-AttestationPolicy -Name boot
        (Invoke-HostAttestation -Tpm $tpm -AttestationKey $ak -Policy $boot -EventLogPath $logFile -PcrIndex 8, 9 -Bank sha1, sha256).Verdict | Should -Be 'Trusted'
        $nonce = [byte[]] (40..71)
        $evidence = Get-AttestationEvidence -Tpm $tpm -Nonce $nonce -EventLogPath $logFile -PcrIndex 8, 9 -Bank sha1, sha256
        ($evidence | Invoke-HostAttestation -AttestationKey $ak -Nonce $nonce -Policy $boot -HostName $me).Verdict | Should -Be 'Trusted'

        $evidence.EventLog = New-TestLog @(@{ Pcr = 8; Text = 'kernel /vmlinuz-6.1' }, @{ Pcr = 9; Text = 'initrd /initrd-evil' })
        $r = $evidence | Invoke-HostAttestation -AttestationKey $ak -Nonce $nonce -Policy $boot -HostName $me
        $r.Verdict | Should -Be 'Untrusted'
        $r.Reasons.Id | Select-Object -Unique | Should -Be 'eventlog.replay'
        $r.Reasons.Pcr | Select-Object -Unique | Should -Be 9
        ($r | Format-List | Out-String) | Should -Match 'eventlog.replay: .*\(PCR 9 sha1\)'
    }

    It 'golden policy from the simulator: Trusted, then Untrusted naming the PCR after an extend' {
        $golden = Get-AttestationEvidence -Tpm $tpm -PcrIndex 0, 7, 16 -NoEventLog | New-AttestationPolicy -Name lab
        $file = Join-Path $TestDrive 'golden.yaml'
        $golden | Export-AttestationPolicy -Path $file
        Test-AttestationPolicy -Path $file | Should -BeTrue
        (Invoke-HostAttestation -Tpm $tpm -AttestationKey $ak -PolicyPath $file -NoEventLog).Verdict | Should -Be 'Trusted'
        $null = Update-TpmPcr -Tpm $tpm -Index 16 -Text 'rogue' -Confirm:$false
        $r = Invoke-HostAttestation -Tpm $tpm -AttestationKey $ak -Policy (Import-AttestationPolicy $file) -NoEventLog
        $r.Verdict | Should -Be 'Untrusted'
        $r.Reasons.Id | Should -Be @('policy.pcr')
        $r.Reasons[0].Pcr | Should -Be 16
        ($r | Format-Table | Out-String) | Should -Match 'Untrusted\s+\S+ \S+\s+policy\.pcr\[16\]'
        $golden | Export-AttestationPolicy -Path $file -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ExportAttestationPolicyFileExists,*'
    }

    It '-Previous: the same boot is Trusted with no reboot reported; counters are kept on the result' {
        $first = Invoke-HostAttestation -Tpm $tpm -AttestationKey $ak -Policy $policy -NoEventLog
        $first.ResetCount | Should -Not -BeNullOrEmpty
        $first.AttestationKeyName | Should -Be ([Convert]::ToHexString($ak.Name).ToLowerInvariant())
        $second = Invoke-HostAttestation -Tpm $tpm -AttestationKey $ak -Policy $policy -NoEventLog -Previous $first
        $second.Verdict | Should -Be 'Trusted'
        $second.Reasons | Should -BeNullOrEmpty
        $second.Clock | Should -BeGreaterOrEqual $first.Clock
    }

    It 'evidence survives JSON files and CliXml (remoting) and still verifies' {
        $nonce = [byte[]] (9..40)
        $e = Get-AttestationEvidence -Tpm $tpm -Nonce $nonce -NoEventLog
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'ev')
        $file = $e | Export-AttestationEvidence -Path $dir -PassThru
        $file.Name | Should -BeLike '*.evidence.json'
        $trust = @{ AttestationKey = $ak; Nonce = $nonce; Policy = $policy; HostName = $me }
        (Import-AttestationEvidence $file.FullName | Invoke-HostAttestation @trust).Verdict | Should -Be 'Trusted'
        (Invoke-HostAttestation -Path (Join-Path $dir '*.json') @trust).Verdict | Should -Be 'Trusted'
        $xml = Join-Path $TestDrive 'e.xml'
        $e | Export-Clixml $xml
        $d = Import-Clixml $xml
        $d.PSObject.TypeNames[0] | Should -Be 'Deserialized.TrustedCompute.Attestation.AttestationEvidence'
        ($d | Invoke-HostAttestation @trust).Verdict | Should -Be 'Trusted'
        $e | Export-AttestationEvidence -Path $file.FullName -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ExportAttestationEvidenceFileExists,TrustedCompute.PowerShell.Commands.Attestation.ExportAttestationEvidenceCommand'
    }
}

Describe 'Attestation input that is malformed' {
    It 'a truncated evidence file is a clear error, and Invoke-HostAttestation gives Untrusted, not an exception' {
        $bad = Join-Path $TestDrive 'bad.json'
        Set-Content $bad '{"version": 1, "hostName": "x", "quotes": [{"attest": "AAEC'
        Import-AttestationEvidence $bad -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'ImportAttestationEvidenceInvalid,TrustedCompute.PowerShell.Commands.Attestation.ImportAttestationEvidenceCommand'
        $r = Invoke-HostAttestation -Path $bad -TrustEvidenceKey -ErrorVariable err2 -ErrorAction SilentlyContinue
        $r.Verdict | Should -Be 'Untrusted'
        $r.Reasons.Id | Should -Be 'evidence.format'
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'InvokeHostAttestationEvidenceInvalid,*'
    }

    It 'objects that are not evidence give Untrusted evidence.format, one per input' {
        $r = 'not-evidence.json', 42 | Invoke-HostAttestation -TrustEvidenceKey -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Count | Should -Be 2
        $r.Verdict | Should -Be @('Untrusted', 'Untrusted')
        $r.Reasons.Id | Should -Be @('evidence.format', 'evidence.format')
        $err.Count | Should -Be 2
    }

    It 'wrong types in evidence JSON are rejected' {
        $bad = Join-Path $TestDrive 'types.json'
        Set-Content $bad '{"version": "1", "quotes": 7}'
        Import-AttestationEvidence $bad -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -BeLike 'Evidence is not valid JSON evidence*'
    }

    It 'policy files with an alias bomb, a custom tag or an unknown key are invalid, naming the line' {
        $bomb = Join-Path $TestDrive 'bomb.yaml'
        Set-Content $bomb "schemaVersion: 1`na: &a [x, x, x]`nb: &b [*a, *a, *a]`n"
        Test-AttestationPolicy $bomb -WarningVariable warn -WarningAction SilentlyContinue | Should -BeFalse
        $warn[0] | Should -Match 'line 2: YAML anchors are not allowed'
        $tag = Join-Path $TestDrive 'tag.yaml'
        Set-Content $tag "schemaVersion: 1`nname: !!python/object:os.system x`n"
        Import-AttestationPolicy $tag -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ImportAttestationPolicyInvalid,*'
        $err[0].Exception.Message | Should -Match 'line 2: YAML tags'
        $unknown = Join-Path $TestDrive 'unknown.yaml'
        Set-Content $unknown "schemaVersion: 1`npcrs:`n  sha256:`n    7: [$('0' * 64)]`nsecureboot: true`n"
        Import-AttestationPolicy $unknown -ErrorAction SilentlyContinue -ErrorVariable err3
        $err3[0].Exception.Message | Should -Match 'line 5: .*secureboot'
    }

    It 'a bad -PolicyPath is a terminating error with a stable id' {
        $bad = Join-Path $TestDrive 'v2.yaml'
        Set-Content $bad 'schemaVersion: 2'
        $e = { Invoke-HostAttestation -PolicyPath $bad -TrustEvidenceKey -Path $bad } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be 'InvokeHostAttestationPolicyInvalid,TrustedCompute.PowerShell.Commands.Attestation.InvokeHostAttestationCommand'
    }

    It 'Unknown and Untrusted results format one line per host, deserialized too' {
        $results = @(
            Invoke-HostAttestation -Path (Join-Path $TestDrive 'missing-*.json') -TrustEvidenceKey -ErrorAction SilentlyContinue
        )
        $results | Should -BeNullOrEmpty
        $bad = Join-Path $TestDrive 'x.json'
        Set-Content $bad 'null'
        $r = Invoke-HostAttestation -Path $bad, $bad -TrustEvidenceKey -ErrorAction SilentlyContinue
        $xml = Join-Path $TestDrive 'r.xml'
        $r | Export-Clixml $xml
        $lines = @(Import-Clixml $xml | Format-Table | Out-String -Stream | Where-Object { $_ -match 'Untrusted' })
        $lines.Count | Should -Be 2
        $lines[0] | Should -Match 'evidence\.format'
    }
}

Describe 'Attestation policies and evidence that are hostile or changed after reading' {
    BeforeAll {
        $goodPolicy = Join-Path $TestDrive 'good.yaml'
        Set-Content $goodPolicy "schemaVersion: 1`npcrs:`n  sha256:`n    7: [$('a' * 64)]`n"
        function New-Fifo([string] $Name) {
            $path = Join-Path $TestDrive $Name
            & mkfifo $path
            $path
        }
    }

    It 'a policy object made invalid in code is not exported, naming the field; the export names each PCR' {
        $policy = Import-AttestationPolicy $goodPolicy
        $file = Join-Path $TestDrive 'out.yaml'
        $policy | Export-AttestationPolicy -Path $file
        Get-Content -Raw $file | Should -Match "(?m)^    # PCR 7: Secure Boot policy.*`n    7:"
        (Import-AttestationPolicy $file).Pcrs['sha256'][7] | Should -Be @('a' * 64)

        $policy.Pcrs['sha256'][7][0] = 'zz'
        $policy | Export-AttestationPolicy -Path $file -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ExportAttestationPolicyInvalid,*'
        $err[0].Exception.Message | Should -BeLike "pcrs.sha256.7``[0``]: 'zz' is not hexadecimal"
        $err[0].Exception.Field | Should -Be 'pcrs.sha256.7[0]'
    }

    It 'keys naming one PCR twice and null rules are invalid files, naming field and line' {
        $dup = Join-Path $TestDrive 'dup.yaml'
        Set-Content $dup "schemaVersion: 1`npcrs:`n  sha256:`n    7: [$('a' * 64)]`n    07: [$('e' * 64)]`n"
        Import-AttestationPolicy $dup -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ImportAttestationPolicyInvalid,*'
        $err[0].Exception.Message | Should -BeLike "line 5: pcrs.sha256: '07' is not a PCR index*"
        $null = Set-Content (Join-Path $TestDrive 'null.yaml') "schemaVersion: 1`nevents:`n  secureBoot: ~`n"
        Test-AttestationPolicy (Join-Path $TestDrive 'null.yaml') -WarningVariable warn -WarningAction SilentlyContinue |
            Should -BeFalse
        $warn[0] | Should -Match 'line 3: events\.secureBoot: no value'
    }

    It 'endless devices are cut off at the size limit' -Skip:(-not (Test-Path /dev/zero)) {
        Import-AttestationPolicy -LiteralPath /dev/zero -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ImportAttestationPolicyInvalid,*'
        $err[0].Exception.Message | Should -Match 'limit'
        Import-AttestationEvidence -LiteralPath /dev/urandom -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'ImportAttestationEvidenceInvalid,*'
    }

    It 'a FIFO without a writer is an error within the timeout, as a policy, evidence or key file' -Skip:(-not $IsLinux) {
        $fifo = New-Fifo 'nobody.fifo'
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Test-AttestationPolicy -LiteralPath $fifo -WarningVariable warn -WarningAction SilentlyContinue | Should -BeFalse
        $warn[0] | Should -Match 'did not reach its end within 5 s'
        Import-AttestationEvidence -LiteralPath $fifo -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ImportAttestationEvidenceUnreadable,*'
        $e = { Invoke-HostAttestation -AttestationKey $fifo -Path $goodPolicy } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'InvokeHostAttestationKeyInvalid,*'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 25
    }
}

Describe 'Attestation over a loopback SSH PSSession' -Skip:($noSimulator -or -not (Test-Path /usr/sbin/sshd)) {
    BeforeAll {
        $sshDir = Join-Path ([IO.Path]::GetTempPath()) ("tc-pester-sshd-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $remoteDir = Join-Path ([IO.Path]::GetTempPath()) ("tc-pester-remote-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $ssh = @{}
        & (Join-Path $PSScriptRoot '../env/sshd.sh') start $sshDir ([Environment]::ProcessPath) | ForEach-Object { $k, $v = $_ -split '=', 2; $ssh[$k] = $v }
        $remote = @{}
        & $envScript start $remoteDir | ForEach-Object { $k, $v = $_ -split '=', 2; $remote[$k] = $v }
        $remoteTpm = $remote.TRUSTEDCOMPUTE_TPM
        $remoteAk = New-TpmAttestationKey -Tpm $remoteTpm -Handle 0x81010002 -Force -Confirm:$false
        $session = New-PSSession -HostName 127.0.0.1 -Port $ssh.PORT -UserName $ssh.USER -KeyFilePath $ssh.KEY -Options @{
            UserKnownHostsFile = $ssh.KNOWN_HOSTS; StrictHostKeyChecking = 'yes'; BatchMode = 'yes'
        }
        # The remote host has the module and its own TPM.
        Invoke-Command -Session $session -ArgumentList (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1'), $remoteTpm, "$remoteDir.db" -ScriptBlock {
            param($module, $tpm, $store)
            Import-Module $module
            $env:TRUSTEDCOMPUTE_TPM = $tpm
            $env:TRUSTEDCOMPUTE_STORE = $store
        }
    }

    AfterAll {
        if ($session) { Remove-PSSession $session }
        & (Join-Path $PSScriptRoot '../env/sshd.sh') stop $sshDir
        & $envScript stop $remoteDir
        Remove-Item -Recurse -Force $sshDir, $remoteDir, "$remoteDir.db*" -ErrorAction Ignore
    }

    It 'Get-AttestationEvidence -Session returns evidence from the remote TPM' {
        $e = Get-AttestationEvidence -Session $session -PcrIndex 0, 16 -NoEventLog
        $e.PSObject.TypeNames[0] | Should -Be 'TrustedCompute.Attestation.AttestationEvidence'
        [Convert]::ToHexString($e.AttestationKeyName) | Should -Be ([Convert]::ToHexString($remoteAk.Name))
        $e.Quotes.Count | Should -Be 1
        $e.PcrValues.Index | Should -Be @(0, 16)
        $e.PcrValues[0].Bank | Should -Be 'sha256'
    }

    It 'results made on the remote side keep their reasons through remoting and format as Deserialized' {
        $r = Invoke-Command -Session $session { Invoke-HostAttestation -NoEventLog -PcrIndex 0 }
        $r.PSObject.TypeNames[0] | Should -Be 'Deserialized.TrustedCompute.Attestation.AttestationResult'
        $r.Verdict.ToString() | Should -Be 'Unknown' # a deserialized enum is its number, with its name as ToString()
        # No key given: the remote side's registry decides, and that host is not enrolled there.
        $r.Reasons.Id | Should -Be @('enrollment.none', 'policy.none', 'quote.key.untrusted')
        ($r | Format-Table | Out-String -Width 250) | Should -Match 'Unknown\s+\S+ \S+\s+enrollment\.none'
        ($r | Format-List | Out-String) | Should -Match '\[Indeterminate\] enrollment\.none: .* is not enrolled'
    }

    It 'Invoke-HostAttestation -Session: Trusted, then Untrusted after a PCR extend on the remote swtpm, with the remote name' {
        $policy = Get-AttestationEvidence -Session $session -PcrIndex 0, 7, 16 -NoEventLog | New-AttestationPolicy
        $r = Invoke-HostAttestation -Session $session -AttestationKey $remoteAk -Policy $policy -NoEventLog
        $r.Verdict | Should -Be 'Trusted'
        $r.HostName | Should -Be '127.0.0.1'
        (Invoke-HostAttestation -Session $session -AttestationKey $ak -Policy $policy -NoEventLog).Verdict | Should -Be 'Untrusted'

        Invoke-Command -Session $session { $null = Update-TpmPcr -Index 16 -Text 'remote-rogue' -Confirm:$false }
        $r = Invoke-HostAttestation -Session $session -AttestationKey $remoteAk -Policy $policy -NoEventLog
        $r.Verdict | Should -Be 'Untrusted'
        # The session names the host; the evidence's own name differs (an address was dialled) and is shown.
        $r.Reasons.Id | Should -Be @('host.name', 'policy.pcr')
        $r.Reasons[1].Pcr | Should -Be 16
        $r.HostName | Should -Be '127.0.0.1'
        $r.ClaimedHostName | Should -Be (Invoke-Command -Session $session { [Environment]::MachineName })
    }

    It 'a remote host without the attestation key gives Unknown and a non-terminating error' {
        $r = Invoke-HostAttestation -Session $session -AttestationKey $remoteAk -AttestationKeyHandle 0x81010077 -NoEventLog -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Verdict | Should -Be 'Unknown'
        $r.Reasons.Id | Should -Be 'collect.tpm'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvokeHostAttestationRemoteFailed,*'
    }
}
