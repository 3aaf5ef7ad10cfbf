# Enrollment, the host registry and the result history, through the built module: swtpm simulators, a real SQLite
# store per test file, and a loopback SSH session to a second simulator.
BeforeDiscovery {
    $script:noSimulator = -not (Get-Command swtpm -ErrorAction Ignore) -or -not (Get-Command tpm2_pcrread -ErrorAction Ignore)
    $script:noSsh = $noSimulator -or -not (Test-Path /usr/sbin/sshd)
}

BeforeAll {
    Import-Module (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1') -Force
    $envScript = Join-Path $PSScriptRoot '../env/swtpm.sh'
    $work = Join-Path ([IO.Path]::GetTempPath()) ("tc-pester-reg-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory $work
    $store = Join-Path $work 'store.db'
    $PSDefaultParameterValues['*:StoreConnectionString'] = $store
    function Start-Tpm([string] $Name) {
        $settings = @{}
        & $envScript start (Join-Path $work $Name) | ForEach-Object { $k, $v = $_ -split '=', 2; $settings[$k] = $v }
        $settings
    }
    if (-not $noSimulator) {
        $a = Start-Tpm tpm-a
        $b = Start-Tpm tpm-b
        $roots = New-Item -ItemType Directory (Join-Path $work 'roots')
        Copy-Item (Join-Path $a.CA_DIR 'issuercert.pem'), (Join-Path $a.CA_DIR 'swtpm-localca-rootca-cert.pem') $roots
        $empty = New-Item -ItemType Directory (Join-Path $work 'no-roots')
        $akA = New-TpmAttestationKey -Tpm $a.TRUSTEDCOMPUTE_TPM -Force -Confirm:$false
        $akB = New-TpmAttestationKey -Tpm $b.TRUSTEDCOMPUTE_TPM -Force -Confirm:$false
        Get-AttestationEvidence -Tpm $a.TRUSTEDCOMPUTE_TPM -PcrIndex 0, 16 -NoEventLog | New-AttestationPolicy -Name fleet |
            Export-AttestationPolicy -Path (Join-Path $work 'fleet.yaml')
    }
}

AfterAll {
    $PSDefaultParameterValues.Remove('*:StoreConnectionString')
    if (-not $noSimulator) { foreach ($n in 'tpm-a', 'tpm-b') { & $envScript stop (Join-Path $work $n) } }
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}

Describe 'Host registry on swtpm and SQLite' -Skip:$noSimulator {
    It 'stores policies as versions of a name' {
        $v1 = Register-AttestationPolicy -PolicyPath (Join-Path $work 'fleet.yaml') -Comment first
        $v2 = Import-AttestationPolicy (Join-Path $work 'fleet.yaml') | Register-AttestationPolicy -Comment second
        ($v1.Name, $v1.Version, $v2.Version) | Should -Be @('fleet', 1, 2)
        (Get-AttestationPolicy fleet).Version | Should -Be 2
        (Get-AttestationPolicy fl* -AllVersions).Comment | Should -Be @('first', 'second')
        (Get-AttestationPolicy fleet -Version 1).Yaml | Should -Match 'fleet'
        Register-AttestationPolicy -PolicyPath (Join-Path $work 'fleet.yaml') -WhatIf | Should -BeNullOrEmpty
        (Get-AttestationPolicy fleet).Version | Should -Be 2
    }

    It 'refuses an EK certificate that chains to no anchor the admin chose, and stores nothing' {
        $r = Register-TrustedHost -Tpm $a.TRUSTEDCOMPUTE_TPM -HostName host-a -EkTrustPath $empty -ErrorVariable err -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RegisterTrustedHostRejected,*'
        "$($err[0])" | Should -Match 'ek\.chain'
        Get-TrustedHost | Should -BeNullOrEmpty
    }

    It 'enrolls a host: the AK bound to a validated EK, with policy and tags' {
        $h = Register-TrustedHost -Tpm $a.TRUSTEDCOMPUTE_TPM -HostName host-a -EkTrustPath $roots -PolicyName fleet -Tag lab, rack1
        $h.Name | Should -Be 'host-a'
        $h.AttestationKeyName | Should -Be ([Convert]::ToHexString($akA.Name).ToLowerInvariant())
        $h.EndorsementKeyReasons | Should -BeNullOrEmpty
        @($h.EndorsementKeyChain).Count | Should -BeGreaterThan 0
        $h.PolicyName | Should -Be 'fleet'
        $h.Tags | Should -Be @('lab', 'rack1')
        $h.EnrolledBy | Should -Be ([Environment]::UserName)
        $again = Register-TrustedHost -Tpm $a.TRUSTEDCOMPUTE_TPM -HostName host-a -EkTrustPath $roots -ErrorVariable err -ErrorAction SilentlyContinue
        $again | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RegisterTrustedHostExists,*'
        Register-TrustedHost -Tpm $b.TRUSTEDCOMPUTE_TPM -HostName host-b -EkTrustPath $roots -WhatIf | Should -BeNullOrEmpty
        (Get-TrustedHost host-b -ErrorAction SilentlyContinue) | Should -BeNullOrEmpty
    }

    It 'attests the enrolled host through the registry: Trusted, recorded, named by the registry' {
        $r = Invoke-HostAttestation -Tpm $a.TRUSTEDCOMPUTE_TPM -HostName host-a -NoEventLog
        $r.Verdict | Should -Be 'Trusted' -Because ($r.Reasons -join '; ')
        $r.HostName | Should -Be 'host-a'
        $saved = Get-AttestationResult host-a -Last 1
        $saved.EvidenceDigest | Should -Be $r.EvidenceDigest
        $saved.Verdict | Should -Be 'Trusted'
        # Evidence of unknown origin is named after the enrolled key that signed it.
        $e = Get-AttestationEvidence -Tpm $a.TRUSTEDCOMPUTE_TPM -PcrIndex 0, 16 -NoEventLog
        ($e | Invoke-HostAttestation).HostName | Should -Be 'host-a'
        (Get-TrustedHost host-a).Verdict | Should -Be 'Unknown' # saved evidence without its nonce
    }

    It 'Get-TrustedHost | Invoke-HostAttestation works by property name' {
        $r = Get-TrustedHost -Tag rack1 | Invoke-HostAttestation -Tpm $a.TRUSTEDCOMPUTE_TPM -NoEventLog
        $r.HostName | Should -Be 'host-a'
        $r.Verdict | Should -Be 'Trusted'
        (Get-TrustedHost -Verdict Trusted).Name | Should -Be 'host-a'
        (Get-TrustedHost -Verdict Untrusted) | Should -BeNullOrEmpty
    }

    It 'another TPM presenting itself under the enrolled name is Untrusted; an unenrolled host is Unknown' {
        $r = Invoke-HostAttestation -Tpm $b.TRUSTEDCOMPUTE_TPM -HostName host-a -NoEventLog
        $r.Verdict | Should -Be 'Untrusted'
        $r.Reasons.Id | Should -Contain 'enrollment.mismatch'
        $u = Invoke-HostAttestation -Tpm $b.TRUSTEDCOMPUTE_TPM -HostName stranger -PolicyPath (Join-Path $work 'fleet.yaml') -NoEventLog
        $u.Verdict | Should -Be 'Unknown'
        $u.Reasons[0].Id | Should -Be 'enrollment.none'
        Get-AttestationResult stranger | Should -BeNullOrEmpty
    }

    It 'a new AK on the enrolled TPM that was never activated is Untrusted until enrolled again with -Force' {
        $null = New-TpmAttestationKey -Tpm $a.TRUSTEDCOMPUTE_TPM -Force -Confirm:$false
        $r = Invoke-HostAttestation -Tpm $a.TRUSTEDCOMPUTE_TPM -HostName host-a -NoEventLog
        $r.Verdict | Should -Be 'Untrusted'
        $r.Reasons[0].Id | Should -Be 'enrollment.mismatch'
        $h = Register-TrustedHost -Tpm $a.TRUSTEDCOMPUTE_TPM -HostName host-a -EkTrustPath $roots -Force
        $h.PolicyName | Should -Be 'fleet'
        $h.Tags | Should -Be @('lab', 'rack1')
        (Invoke-HostAttestation -Tpm $a.TRUSTEDCOMPUTE_TPM -HostName host-a -NoEventLog).Verdict | Should -Be 'Trusted'
    }

    It 'a PCR change is Untrusted by the stored policy, and the history keeps every verdict in order' {
        $null = Update-TpmPcr -Tpm $a.TRUSTEDCOMPUTE_TPM -Index 16 -Text 'rogue' -Confirm:$false
        $r = Invoke-HostAttestation -Tpm $a.TRUSTEDCOMPUTE_TPM -HostName host-a -NoEventLog
        $r.Verdict | Should -Be 'Untrusted'
        ($r.Reasons | Where-Object Id -eq 'policy.pcr').Pcr | Should -Be 16
        $history = Get-AttestationResult host-a
        $history[0].Verdict | Should -Be 'Untrusted'
        @($history).Count | Should -Be 7
        @(Get-AttestationResult host-a -Verdict Trusted).Count | Should -Be 3
        @(Get-AttestationResult host-a -Last 2).Count | Should -Be 2
        Get-AttestationResult host-a -Since ([datetime]::UtcNow.AddMinutes(5)) | Should -BeNullOrEmpty
    }

    It 'Set-TrustedHost changes tags and policy; a policy that is not stored is refused' {
        Set-TrustedHost host-a -Tag web -PassThru | Select-Object -ExpandProperty Tags | Should -Be @('web')
        Set-TrustedHost host-a -PolicyName missing -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SetTrustedHostPolicyNotFound,*'
        (Get-TrustedHost host-a).PolicyName | Should -Be 'fleet'
        Set-TrustedHost host-a -Tag x -WhatIf
        (Get-TrustedHost host-a).Tags | Should -Be @('web')
    }

    It 'Unregister-TrustedHost removes the host and keeps its history' {
        Get-TrustedHost nobody -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GetTrustedHostNotFound,*'
        Get-TrustedHost host-a | Unregister-TrustedHost -Confirm:$false
        Get-TrustedHost | Should -BeNullOrEmpty
        @(Get-AttestationResult host-a).Count | Should -Be 7
        $r = Invoke-HostAttestation -Tpm $a.TRUSTEDCOMPUTE_TPM -HostName host-a -NoEventLog
        $r.Verdict | Should -Be 'Unknown'
        $r.Reasons[0].Id | Should -Be 'enrollment.none'
    }

    It 'a store that cannot be opened is a terminating StoreUnavailable error' {
        $bad = Join-Path $work 'not-a-db'
        Set-Content $bad 'this is not SQLite'
        { Get-TrustedHost -StoreConnectionString $bad } | Should -Throw -ErrorId 'StoreUnavailable,*'
    }
}

Describe 'Enrollment over a loopback SSH PSSession' -Skip:$noSsh {
    BeforeAll {
        $ssh = @{}
        & (Join-Path $PSScriptRoot '../env/sshd.sh') start (Join-Path $work 'sshd') ([Environment]::ProcessPath) |
            ForEach-Object { $k, $v = $_ -split '=', 2; $ssh[$k] = $v }
        $session = New-PSSession -HostName 127.0.0.1 -Port $ssh.PORT -UserName $ssh.USER -KeyFilePath $ssh.KEY -Options @{
            UserKnownHostsFile = $ssh.KNOWN_HOSTS; StrictHostKeyChecking = 'yes'; BatchMode = 'yes'
        }
        Invoke-Command -Session $session -ArgumentList (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1'), $b.TRUSTEDCOMPUTE_TPM -ScriptBlock {
            param($module, $tpm)
            Import-Module $module
            $env:TRUSTEDCOMPUTE_TPM = $tpm
        }
        $null = Register-AttestationPolicy -PolicyPath (Join-Path $work 'fleet.yaml')
    }

    AfterAll {
        if ($session) { Remove-PSSession $session }
        & (Join-Path $PSScriptRoot '../env/sshd.sh') stop (Join-Path $work 'sshd')
    }

    It 'enrolls the remote host, which is then Trusted; a swapped AK is Untrusted; another TPM under its name is Untrusted' {
        $h = Register-TrustedHost -Session $session -EkTrustPath $roots -PolicyName fleet
        $h.Name | Should -Be '127.0.0.1'
        $r = Invoke-HostAttestation -Session $session -NoEventLog
        $r.Verdict | Should -Be 'Trusted' -Because ($r.Reasons -join '; ')
        $r.HostName | Should -Be '127.0.0.1'

        # Evidence of another TPM (A) under the enrolled name.
        $other = Get-AttestationEvidence -Tpm $a.TRUSTEDCOMPUTE_TPM -PcrIndex 0, 16 -NoEventLog
        ($other | Invoke-HostAttestation -HostName '127.0.0.1').Verdict | Should -Be 'Untrusted'

        # A new AK on the remote TPM, never activated.
        Invoke-Command -Session $session { $null = New-TpmAttestationKey -Force -Confirm:$false }
        $r = Invoke-HostAttestation -Session $session -NoEventLog
        $r.Verdict | Should -Be 'Untrusted'
        $r.Reasons.Id | Should -Contain 'enrollment.mismatch'
    }
}
