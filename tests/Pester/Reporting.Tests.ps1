# Boot diffs, patch-day policy updates and the fleet report through the built module: one swtpm simulator (PCR 16,
# resettable, stands for a boot component), tpm2-tools to reset and extend it, a real SQLite store.
BeforeDiscovery {
    $script:noSimulator = -not (Get-Command swtpm -ErrorAction Ignore) -or -not (Get-Command tpm2_pcrreset -ErrorAction Ignore)
}

BeforeAll {
    Import-Module (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1') -Force
    $envScript = Join-Path $PSScriptRoot '../env/swtpm.sh'
    $work = Join-Path ([IO.Path]::GetTempPath()) ("tc-pester-rep-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory $work
    $store = Join-Path $work 'store.db'
    $PSDefaultParameterValues['*:StoreConnectionString'] = $store

    . (Join-Path $PSScriptRoot 'TestEventLog.ps1')
    # Resets PCR 16, extends the events of a boot into it and writes its log; returns the log's path.
    function Start-Boot([string] $Name, [string[]] $Text) {
        $path = Join-Path $work "$Name.bin"
        New-TestEventLog $path $Text
        & tpm2_pcrreset -T $tcti 16
        foreach ($t in $Text) {
            $data = [Text.Encoding]::ASCII.GetBytes($t)
            $sha1 = [Convert]::ToHexString([Security.Cryptography.SHA1]::HashData($data))
            $sha256 = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($data))
            & tpm2_pcrextend -T $tcti "16:sha1=$sha1,sha256=$sha256"
        }
        $path
    }
    function Get-Verdict([string] $Log) {
        Invoke-HostAttestation -Tpm $tpm -HostName host-a -PcrIndex 16 -Bank sha256 -EventLogPath $Log -RetainEvidence
    }

    if (-not $noSimulator) {
        $settings = @{}
        & $envScript start (Join-Path $work 'tpm') | ForEach-Object { $k, $v = $_ -split '=', 2; $settings[$k] = $v }
        $tpm = $settings.TRUSTEDCOMPUTE_TPM
        $tcti = "swtpm:host=127.0.0.1,port=$($settings.PORT)"
        $roots = New-Item -ItemType Directory (Join-Path $work 'roots')
        Copy-Item (Join-Path $settings.CA_DIR 'issuercert.pem'), (Join-Path $settings.CA_DIR 'swtpm-localca-rootca-cert.pem') $roots
        $null = New-TpmAttestationKey -Tpm $tpm -Force -Confirm:$false
        $golden = @('shim 15.7', 'grub 2.06-13', 'linux 6.1.0-13')
        $patched = @('shim 15.7', 'grub 2.06-14', 'linux 6.1.0-13')
        $goldenLog = Start-Boot golden $golden
        $goldenEvidence = Get-AttestationEvidence -Tpm $tpm -PcrIndex 16 -Bank sha256 -EventLogPath $goldenLog
        $goldenPolicy = $goldenEvidence | New-AttestationPolicy -Name fleet -KeepReferenceLog
        $null = $goldenPolicy | Register-AttestationPolicy -Comment golden
        $null = Register-TrustedHost -Tpm $tpm -HostName host-a -EkTrustPath $roots -PolicyName fleet
    }
}

AfterAll {
    $PSDefaultParameterValues.Remove('*:StoreConnectionString')
    if (-not $noSimulator) { & $envScript stop (Join-Path $work 'tpm') }
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}

Describe 'Reporting: boot diffs, patch day and the fleet report on swtpm' -Skip:$noSimulator {
    It 'keeps the golden log in the policy and trusts the golden boot' {
        (Get-AttestationPolicy fleet).Yaml | Should -Match 'referenceLog:'
        $r = Get-Verdict (Start-Boot golden $golden)
        $r.Verdict | Should -Be 'Trusted'
        $r.EventDifferences | Should -BeNullOrEmpty
    }

    It 'names the changed component of an Untrusted boot, and Compare-AttestationEvidence shows the same' {
        $log = Start-Boot patched $patched
        $r = Get-Verdict $log
        $r.Verdict | Should -Be 'Untrusted'
        $r.Reasons.Id | Should -Be 'policy.pcr'
        $d = @($r.EventDifferences)
        $d.Count | Should -Be 1
        ($d[0].Change, $d[0].Pcr, $d[0].OldDescription, $d[0].NewDescription) | Should -Be @('Changed', 16, 'grub 2.06-13', 'grub 2.06-14')
        $script:patchedEvidence = Get-AttestationEvidence -Tpm $tpm -PcrIndex 16 -Bank sha256 -EventLogPath $log
        $c = @(Compare-AttestationEvidence $goldenEvidence $patchedEvidence)
        $c.Count | Should -Be 1
        $c[0].NewDigest | Should -Be $d[0].NewDigest
        $fromPolicy = @(Compare-AttestationEvidence $goldenPolicy $patchedEvidence)
        $fromPolicy[0].OldDigest | Should -Be $d[0].OldDigest
        Compare-AttestationEvidence $goldenEvidence $goldenEvidence | Should -BeNullOrEmpty
        $text = $c | Format-Table | Out-String
        $text | Should -Match 'Changed'
    }

    It 'shows with -WhatIf exactly what it would add, and stores nothing' {
        $path = Join-Path $work 'patched.json'
        $patchedEvidence | Export-AttestationEvidence -Path $path
        $pwsh = [Environment]::ProcessPath
        $out = & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$env:TRUSTEDCOMPUTE_MODULE_PATH/TrustedCompute.psd1';
            Update-AttestationPolicy fleet -Evidence '$path' -StoreConnectionString '$store' -WhatIf" 2>&1 | Out-String
        $value = ($patchedEvidence.PcrValues | Where-Object Index -EQ 16).Value
        $out | Should -Match ([regex]::Escape("add pcrs.sha256.16 $([Convert]::ToHexString($value).ToLowerInvariant())"))
        $out | Should -Match 'add referenceLog|reference referenceLog'
        $out | Should -Not -Match 'retire'
        (Get-AttestationPolicy fleet).Version | Should -Be 1
    }

    It 'adds the updated boot, records who approved it, and keeps the old boot until -Retire' {
        $v2 = Update-AttestationPolicy fleet -Evidence $patchedEvidence -Comment 'grub 2.06-14' -ApprovedBy alice
        ($v2.Version, $v2.CreatedBy, $v2.Comment) | Should -Be @(2, 'alice', 'grub 2.06-14')
        $v2.Yaml | Should -Match 'by: alice'
        $judged = Get-Verdict (Start-Boot patched $patched)
        $judged.Verdict | Should -Be 'Trusted'
        $judged.Policy | Should -Be 'fleet v2'
        $judged.PolicyDigest | Should -Be ([Convert]::ToHexString([Security.Cryptography.SHA256]::HashData(
            [Text.Encoding]::UTF8.GetBytes((Get-AttestationPolicy fleet | Select-Object -ExpandProperty Yaml)))).ToLowerInvariant())
        (Get-Verdict (Start-Boot golden $golden)).Verdict | Should -Be 'Trusted'
        (Get-Verdict (Start-Boot other ($patched + 'rootkit'))).Verdict | Should -Be 'Untrusted'
        (Get-Verdict (Start-Boot other2 @('shim 15.8', 'grub 2.06-14', 'linux 6.1.0-13'))).Verdict | Should -Be 'Untrusted'

        $log = Start-Boot patched $patched
        $e = Get-AttestationEvidence -Tpm $tpm -PcrIndex 16 -Bank sha256 -EventLogPath $log
        $v3 = $e | Update-AttestationPolicy fleet -Retire
        $v3.Version | Should -Be 3
        $judged = Get-Verdict (Start-Boot patched $patched)
        $judged.Verdict | Should -Be 'Trusted'
        $judged.Policy | Should -Be 'fleet v3'
        (Get-Verdict (Start-Boot golden $golden)).Verdict | Should -Be 'Untrusted'
        $e | Update-AttestationPolicy fleet -WarningVariable w -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        $w | Should -Match 'nothing to store'
    }

    It 'refuses a policy that is not stored and evidence of a host that is not enrolled' {
        Update-AttestationPolicy nosuch -Evidence $patchedEvidence -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'UpdateAttestationPolicyNotFound,TrustedCompute.PowerShell.Commands.Reporting.UpdateAttestationPolicyCommand'
        Update-AttestationPolicy fleet -Evidence $patchedEvidence -HostName stranger -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -Match '^UpdateAttestationPolicyHostNotFound,'
        $forged = Import-AttestationEvidence (Join-Path $work 'patched.json')
        ($forged.PcrValues | Where-Object Index -EQ 16).Value = [byte[]]::new(32)
        Update-AttestationPolicy fleet -Evidence $forged -ErrorVariable err3 -ErrorAction SilentlyContinue
        $err3[0].FullyQualifiedErrorId | Should -Match '^UpdateAttestationPolicyRejected,'
        (Get-AttestationPolicy fleet).Version | Should -Be 3
    }

    It 'writes the HTML and CSV fleet report from the store' {
        $html = Join-Path $work 'report.html'
        Export-AttestationReport -Path $html -WhatIf | Should -BeNullOrEmpty
        Test-Path $html | Should -BeFalse
        $file = Export-AttestationReport -Path $html
        $file.FullName | Should -Be $html
        $text = Get-Content $html -Raw
        $text | Should -Match 'host-a'
        $text | Should -Match 'data-verdict="Untrusted"'
        $text | Should -Match 'What changed in the boot'
        $text | Should -Not -Match '<(link|img|iframe)\b|src='
        Export-AttestationReport -Path $html -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Match '^ExportAttestationReportFileExists,'
        $csv = Join-Path $work 'report.csv'
        $null = Export-AttestationReport -Path $csv -Format Csv
        $rows = @(Import-Csv $csv)
        $rows.Count | Should -Be 1
        ($rows[0].HostName, $rows[0].Verdict, $rows[0].PolicyName, $rows[0].PolicyVersion) | Should -Be @('host-a', 'Untrusted', 'fleet', '3')
        $rows[0].Changes | Should -Match 'Changed action'
        $rows[0].JudgedBy | Should -Be 'fleet v3'
    }
}
