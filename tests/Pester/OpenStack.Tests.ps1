#Requires -Version 7.4
# The OpenStack cmdlets of the built module against real Keystone, Nova API and Placement (tests/env/openstack.sh).
# Every test skips when the services cannot be started here (packages missing and not root).

BeforeAll {
    Import-Module (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH TrustedCompute.psd1) -Force
    $script:OpenStackCmdlets = 'Connect-OpenStack', 'Disconnect-OpenStack', 'Get-OpenStackTrustedFlavor', 'Set-OpenStackTrustedFlavor',
        'Sync-TrustedPool', 'Get-TrustedPool', 'Set-TrustedAggregate', 'Set-OpenStackTrustedImage'

    $script:SkipReason = $null
    $script:CloudEnv = @{}
    $script:StartedHere = $false
    $script:EnvScript = Join-Path $PSScriptRoot '../env/openstack.sh'
    if (-not $IsLinux -or -not (Test-Path /usr/bin/dpkg-query)) {
        $script:SkipReason = 'the OpenStack test services need Debian packages'
    }
    else {
        & $script:EnvScript status 2>$null
        $script:StartedHere = $LASTEXITCODE -ne 0
        $lines = & $script:EnvScript start 2>$null
        if ($LASTEXITCODE -eq 77) { $script:SkipReason = 'OpenStack test services unavailable (packages missing and not root)'; $script:StartedHere = $false }
        elseif ($LASTEXITCODE -ne 0) { throw "openstack.sh start failed with exit code $LASTEXITCODE" }
        foreach ($line in $lines) {
            $name, $value = $line -split '=', 2
            if ($name -like 'OS_*') { $script:CloudEnv[$name] = $value }
        }
    }

    function script:Use-CloudEnvironment {
        Get-ChildItem env:OS_* | ForEach-Object { Remove-Item "env:$($_.Name)" }
        foreach ($kv in $script:CloudEnv.GetEnumerator()) { Set-Item "env:$($kv.Key)" $kv.Value }
    }
    function script:Skip-WithoutCloud {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason; return $true }
        Use-CloudEnvironment
        return $false
    }
    function script:New-TestName([string] $Prefix) { "$Prefix-$([guid]::NewGuid().ToString('N').Substring(0, 12))" }
    function script:New-TestTrait { 'CUSTOM_TCPESTER_' + [guid]::NewGuid().ToString('N').Substring(0, 12).ToUpperInvariant() }
    function script:Invoke-Core([System.Threading.Tasks.Task] $Task) { $Task.GetAwaiter().GetResult() }
    # Sync-TrustedPool takes only attestation results: the type Invoke-HostAttestation writes
    function script:New-TestResult([string] $HostName, [string] $Verdict, [datetime] $Time) {
        $r = (Get-Command Invoke-HostAttestation).OutputType[0].Type::new()
        $r.HostName = $HostName; $r.Verdict = $Verdict; $r.Time = $Time; $r.Reasons = @()
        $r
    }
    # Core lives in the module's private load context: its types are reached through an object's assembly, not by name
    function script:New-CoreObject([string] $TypeName, [object[]] $Arguments) {
        $type = $Arguments[0].GetType().Assembly.GetType("TrustedCompute.OpenStack.$TypeName", $true)
        [System.Activator]::CreateInstance($type, [object[]] @($Arguments | ForEach-Object { $_.psobject.BaseObject }))
    }
}

AfterAll {
    Get-ChildItem env:OS_* -ErrorAction Ignore | ForEach-Object { Remove-Item "env:$($_.Name)" }
    if ($script:StartedHere) { & $script:EnvScript stop 2>$null }
}

Describe 'OpenStack cmdlet help' {
    It '<_> has a synopsis, a description, an example and text for every parameter' -ForEach @(
        'Connect-OpenStack', 'Disconnect-OpenStack', 'Get-OpenStackTrustedFlavor', 'Set-OpenStackTrustedFlavor', 'Sync-TrustedPool', 'Get-TrustedPool',
        'Set-TrustedAggregate', 'Set-OpenStackTrustedImage'
    ) {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$_*"   # not the auto-generated syntax line
        ($help.Description.Text -join '') | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($name in (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common }) {
            $text = (Get-Help $_ -Parameter $name).Description.Text -join ''
            $text | Should -Not -BeNullOrEmpty -Because "-$name needs help"
        }
    }

    It 'every state-changing OpenStack cmdlet supports -WhatIf' {
        foreach ($name in 'Disconnect-OpenStack', 'Set-OpenStackTrustedFlavor', 'Sync-TrustedPool', 'Set-TrustedAggregate', 'Set-OpenStackTrustedImage') {
            (Get-Command $name).Parameters.Keys | Should -Contain 'WhatIf'
        }
    }
}

Describe 'Connect-OpenStack' {
    It 'connects from the OS_* environment, like openstackclient' {
        if (Skip-WithoutCloud) { return }
        $connection = Connect-OpenStack -PassThru
        $connection.ProjectName | Should -Be 'admin'
        $connection.Catalog.ServiceType | Should -Contain 'placement'
        ($connection | Out-String) | Should -Not -Match ([regex]::Escape($script:CloudEnv.OS_PASSWORD))
    }

    It 'explicit parameters win over the environment' {
        if (Skip-WithoutCloud) { return }
        $env:OS_PASSWORD = 'not-the-password'
        $credential = [pscredential]::new('admin', (ConvertTo-SecureString $script:CloudEnv.OS_PASSWORD -AsPlainText -Force))
        $connection = Connect-OpenStack -Credential $credential -PassThru
        $connection.UserName | Should -Be 'admin'
    }

    It 'reads a clouds.yaml cloud named by OS_CLOUD' {
        if (Skip-WithoutCloud) { return }
        $file = Join-Path $TestDrive 'clouds.yaml'
        @"
clouds:
  pester:
    auth:
      auth_url: $($script:CloudEnv.OS_AUTH_URL)
      username: admin
      password: $($script:CloudEnv.OS_PASSWORD)
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
"@ | Set-Content $file
        Get-ChildItem env:OS_* | ForEach-Object { Remove-Item "env:$($_.Name)" }
        $env:OS_CLIENT_CONFIG_FILE = $file
        $env:OS_CLOUD = 'pester'
        try {
            (Connect-OpenStack -PassThru).Cloud.Name | Should -Be 'pester'
        }
        finally { Remove-Item env:OS_CLIENT_CONFIG_FILE, env:OS_CLOUD }
    }

    It 'a wrong password is OpenStackAuthenticationFailed and the secret is nowhere' {
        if (Skip-WithoutCloud) { return }
        $secret = 'Wrong-' + [guid]::NewGuid()
        $credential = [pscredential]::new('admin', (ConvertTo-SecureString $secret -AsPlainText -Force))
        $err = $null
        try { Connect-OpenStack -Credential $credential -Verbose 4>&1 | Out-String -OutVariable verbose | Out-Null }
        catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'OpenStackAuthenticationFailed,TrustedCompute.PowerShell.Commands.OpenStack.ConnectOpenStackCommand'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        ($err | Out-String) + $err.Exception.ToString() + ($verbose -join '') | Should -Not -Match $secret
        (Get-History | Out-String) | Should -Not -Match $secret
    }
}

Describe 'Connect-OpenStack errors and -Debug' {
    It '-Debug shows each HTTP call (method, URL, status, time) and never the password or the token' {
        if (Skip-WithoutCloud) { return }
        # what -Debug turns on, without its Inquire prompt (this pwsh is -NonInteractive)
        $DebugPreference = 'Continue'
        $connection = Connect-OpenStack -PassThru 5>&1 | Tee-Object -Variable debugOut | Where-Object { $_ -isnot [System.Management.Automation.DebugRecord] }
        $lines = @($debugOut | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
        $lines | Should -Match '^OpenStack identity POST http://127\.0\.0\.1:\d+/v3/auth/tokens -> 201 Created in \d+ ms'
        $trait = New-TestTrait
        $more = @(Get-TrustedPool -Trait $trait -Connection $connection 5>&1 | ForEach-Object Message)
        $more | Should -Match "^OpenStack placement GET http://127\.0\.0\.1:\d+/traits/$trait \[placement 1\.6\] -> 404 Not ?Found"
        $token = $connection.GetTokenAsync([System.Threading.CancellationToken]::None).GetAwaiter().GetResult()
        ($lines + $more) -join "`n" | Should -Not -Match ([regex]::Escape($script:CloudEnv.OS_PASSWORD))
        ($lines + $more) -join "`n" | Should -Not -Match ([regex]::Escape($token))
        $DebugPreference = 'SilentlyContinue'
        @(Get-TrustedPool -Trait $trait -Connection $connection 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }).Count | Should -Be 0
    }

    It 'a project that does not exist is ConnectOpenStackScopeRefused, told apart from a wrong password' {
        if (Skip-WithoutCloud) { return }
        $name = New-TestName 'tc-missing'
        $err = { Connect-OpenStack -ProjectName $name } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'ConnectOpenStackScopeRefused,TrustedCompute.PowerShell.Commands.OpenStack.ConnectOpenStackCommand'
        $err.Exception.Message | Should -BeLike "*accepted the credentials of user admin*refused the scope: project $name in domain Default does not exist*"
        ($err | Out-String) | Should -Not -Match ([regex]::Escape($script:CloudEnv.OS_PASSWORD))
    }

    It 'an auth URL that is not Keystone says so' {
        if (Skip-WithoutCloud) { return }
        $err = { Connect-OpenStack -AuthUrl "$($script:CloudEnv.OS_PLACEMENT_URL)/v3" } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'ConnectOpenStackFailed,TrustedCompute.PowerShell.Commands.OpenStack.ConnectOpenStackCommand'
        $err.Exception.Message | Should -BeLike '*is not a Keystone v3 endpoint*It points to Keystone at*'
    }
}

Describe 'Set-OpenStackTrustedFlavor and Get-OpenStackTrustedFlavor' {
    BeforeAll {
        if (-not $script:SkipReason) {
            Use-CloudEnvironment
            $script:Connection = Connect-OpenStack -PassThru
            $script:Nova = New-CoreObject NovaClient @($script:Connection, '2.86')
            $script:Flavor = Invoke-Core ($script:Nova.CreateFlavorAsync((New-TestName 'tc-pester'), 512, 1, 1, $true, [System.Threading.CancellationToken]::None))
        }
    }
    AfterAll {
        if ($script:Flavor) { Invoke-Core ($script:Nova.DeleteFlavorAsync($script:Flavor.Id, [System.Threading.CancellationToken]::None)) }
    }

    It '-WhatIf changes nothing' {
        if (Skip-WithoutCloud) { return }
        Set-OpenStackTrustedFlavor -Flavor $script:Flavor.Name -Mode Both -WhatIf
        (Get-OpenStackTrustedFlavor $script:Flavor.Id).Mode | Should -Be 'None'
    }

    It 'sets both keys by name, then removes the trait key, from the pipeline' {
        if (Skip-WithoutCloud) { return }
        $result = $script:Flavor.Name | Set-OpenStackTrustedFlavor -Mode Both -PassThru
        $result.TraitValue | Should -Be 'required'
        $result.LegacyValue | Should -Be 'trusted'

        $after = Get-OpenStackTrustedFlavor $script:Flavor.Name | Set-OpenStackTrustedFlavor -Mode Trait -Remove -PassThru
        $after.TraitValue | Should -BeNullOrEmpty
        $after.Mode | Should -Be 'Legacy'
        (Get-OpenStackTrustedFlavor | Where-Object Id -EQ $script:Flavor.Id).LegacyValue | Should -Be 'trusted'
    }

    It 'an unknown flavor is a non-terminating SetOpenStackTrustedFlavorNotFound error' {
        if (Skip-WithoutCloud) { return }
        Set-OpenStackTrustedFlavor -Flavor 'no-such-flavor-x', $script:Flavor.Id -Forbidden -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'SetOpenStackTrustedFlavorNotFound,TrustedCompute.PowerShell.Commands.OpenStack.SetOpenStackTrustedFlavorCommand'
        (Get-OpenStackTrustedFlavor $script:Flavor.Id).TraitValue | Should -Be 'forbidden'
    }
}

Describe 'Sync-TrustedPool and Get-TrustedPool' {
    BeforeAll {
        if (-not $script:SkipReason) {
            Use-CloudEnvironment
            $script:Connection = Connect-OpenStack -PassThru
            $script:Placement = New-CoreObject PlacementClient @($script:Connection)
            $script:None = [System.Threading.CancellationToken]::None
            $script:Providers = 1..3 | ForEach-Object {
                Invoke-Core ($script:Placement.CreateProviderAsync((New-TestName 'tc-pester-node'), $null, $script:None))
            }
            $script:Trait = New-TestTrait
        }
    }
    AfterAll {
        foreach ($p in $script:Providers) { Invoke-Core ($script:Placement.DeleteProviderAsync($p.Uuid, $script:None)) }
        if ($script:Trait) { Invoke-Core ($script:Placement.DeleteTraitAsync($script:Trait, $script:None)) }
    }

    It '-WhatIf shows the plan and changes nothing' {
        if (Skip-WithoutCloud) { return }
        $records = New-TestResult $script:Providers[0].Name 'Trusted' ([datetime]::UtcNow) |
            Sync-TrustedPool -Trait $script:Trait -WhatIf
        $records.Action | Should -Be 'Add'
        $records.Status | Should -Be 'Skipped'
        @(Get-TrustedPool -Trait $script:Trait).Count | Should -Be 0
    }

    It 'takes attestation results (live and deserialized), fails closed, writes one record per host and a summary' {
        if (Skip-WithoutCloud) { return }
        $now = [datetime]::UtcNow
        $file = Join-Path $TestDrive 'unknown.xml'
        New-TestResult $script:Providers[1].Name 'Unknown' $now | Export-Clixml $file
        $results = @(
            New-TestResult $script:Providers[0].Name 'Trusted' $now
            Import-Clixml $file
            New-TestResult $script:Providers[2].Name 'Trusted' $now.AddHours(-3)
            New-TestResult 'no-such-host-pester' 'Trusted' $now
        )
        $changes = $results | Sync-TrustedPool -Trait $script:Trait -InformationVariable info -ErrorVariable errs -ErrorAction SilentlyContinue
        $changes.Count | Should -Be 3
        ($changes | Where-Object HostName -EQ $script:Providers[0].Name).Status | Should -Be 'Changed'
        ($changes | Where-Object HostName -EQ $script:Providers[1].Name).Reason | Should -Be 'Unknown'
        ($changes | Where-Object HostName -EQ $script:Providers[2].Name).Reason | Should -Be 'Stale'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'SyncTrustedPoolProviderNotFound,TrustedCompute.PowerShell.Commands.OpenStack.SyncTrustedPoolCommand'
        $summary = ($info | Where-Object Tags -Contains 'TrustedPoolSummary').MessageData
        $summary.Added | Should -Be 1
        $summary.Failed | Should -Be 1

        $pool = Get-TrustedPool -Trait $script:Trait
        $pool.ProviderUuid | Should -Be $script:Providers[0].Uuid
        $required = Invoke-Core ($script:Placement.ListProvidersAsync($null, $script:Trait, $script:None))
        @($required.Uuid) | Should -Be @($pool.ProviderUuid)
    }

    It 'a host in the pool without a result loses the trait, other traits stay' {
        if (Skip-WithoutCloud) { return }
        $p = $script:Providers[0]
        $traits = Invoke-Core ($script:Placement.GetTraitsAsync($p.Uuid, $script:None))
        $null = Invoke-Core ($script:Placement.PutTraitsAsync($p.Uuid, [string[]] (@($traits.Traits) + 'HW_CPU_X86_AVX2'), $traits.Generation, $script:None))
        # the pool's only host goes: a mass removal, so -Force
        $change = Sync-TrustedPool -HostName $script:Providers[1].Name -Verdict Untrusted -Time ([datetimeoffset]::UtcNow) -Trait $script:Trait -Force |
            Where-Object HostName -EQ $p.Name
        $change.Reason | Should -Be 'Absent'
        $change.Action | Should -Be 'Remove'
        @(Get-TrustedPool -Trait $script:Trait).Count | Should -Be 0
        (Invoke-Core ($script:Placement.GetTraitsAsync($p.Uuid, $script:None))).Traits | Should -Be @('HW_CPU_X86_AVX2')
    }

    It 'Get-TrustedHost | Invoke-HostAttestation | Sync-TrustedPool: an enrolled host named as its provider joins the pool' {
        if (Skip-WithoutCloud) { return }
        if (-not (Get-Command swtpm -ErrorAction Ignore)) { Set-ItResult -Skipped -Because 'swtpm is not installed'; return }
        $swtpm = Join-Path $PSScriptRoot '../env/swtpm.sh'
        $dir = Join-Path $TestDrive 'tpm'
        $tpm = @{}
        & $swtpm start $dir | ForEach-Object { $k, $v = $_ -split '=', 2; $tpm[$k] = $v }
        try {
            $store = Join-Path $TestDrive 'store.db'
            $roots = New-Item -ItemType Directory (Join-Path $TestDrive 'roots')
            Copy-Item (Join-Path $tpm.CA_DIR 'issuercert.pem'), (Join-Path $tpm.CA_DIR 'swtpm-localca-rootca-cert.pem') $roots
            $null = New-TpmAttestationKey -Tpm $tpm.TRUSTEDCOMPUTE_TPM -Force -Confirm:$false
            $null = Get-AttestationEvidence -Tpm $tpm.TRUSTEDCOMPUTE_TPM -PcrIndex 0 -NoEventLog | New-AttestationPolicy -Name pool |
                Register-AttestationPolicy -StoreConnectionString $store
            $name = $script:Providers[1].Name
            $null = Register-TrustedHost -Tpm $tpm.TRUSTEDCOMPUTE_TPM -HostName $name -EkTrustPath $roots -PolicyName pool -StoreConnectionString $store
            $changes = Get-TrustedHost -StoreConnectionString $store |
                Invoke-HostAttestation -Tpm $tpm.TRUSTEDCOMPUTE_TPM -NoEventLog -StoreConnectionString $store |
                Sync-TrustedPool -Trait $script:Trait -Force
            ($changes | Where-Object HostName -EQ $name).Action | Should -Be 'Add'
            @((Get-TrustedPool -Trait $script:Trait).ProviderUuid) | Should -Contain $script:Providers[1].Uuid
        }
        finally { & $swtpm stop $dir }
    }

    Context 'guard rails' {
        BeforeEach {
            if (-not $script:SkipReason) {
                Use-CloudEnvironment
                $now = [datetime]::UtcNow
                # pool: providers 0 and 2
                $null = @(New-TestResult $script:Providers[0].Name 'Trusted' $now; New-TestResult $script:Providers[2].Name 'Trusted' $now) |
                    Sync-TrustedPool -Trait $script:Trait -Force
                $script:PoolBefore = @((Get-TrustedPool -Trait $script:Trait).ProviderUuid | Sort-Object)
            }
        }

        It 'an empty input (@() or $null) changes nothing and says why' {
            if (Skip-WithoutCloud) { return }
            $script:PoolBefore.Count | Should -Be 2
            $out = @() | Sync-TrustedPool -Trait $script:Trait -WarningVariable warned -InformationVariable info 3>$null
            $out | Should -BeNullOrEmpty
            "$warned" | Should -Match 'no attestation results.*changes nothing.*never empties the pool'
            ($info | Where-Object Tags -Contains 'TrustedPoolSummary').MessageData.Hosts | Should -Be 0
            $null | Sync-TrustedPool -Trait $script:Trait -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $file = Join-Path $TestDrive 'none.xml'
            @() | Export-Clixml $file   # an empty result file, as a failed sweep leaves it
            Import-Clixml $file | Sync-TrustedPool -Trait $script:Trait -WarningAction SilentlyContinue
            @((Get-TrustedPool -Trait $script:Trait).ProviderUuid | Sort-Object) | Should -Be $script:PoolBefore
        }

        It 'a removal of more than -MaxRemovalPercent stops without -Force, under -Confirm:$false or with nobody to ask' {
            if (Skip-WithoutCloud) { return }
            $now = [datetime]::UtcNow
            # one of two hosts (50%) fails attestation: above the default 25%
            $results = @(New-TestResult $script:Providers[0].Name 'Untrusted' $now; New-TestResult $script:Providers[2].Name 'Trusted' $now)
            { $results | Sync-TrustedPool -Trait $script:Trait -Confirm:$false } |
                Should -Throw -ErrorId 'SyncTrustedPoolMassRemoval,TrustedCompute.PowerShell.Commands.OpenStack.SyncTrustedPoolCommand' `
                    -ExpectedMessage '*remove 1 of the 2 hosts in the pool (50%, limit 25%)*nothing was changed*-Force*'
            # this pwsh is -NonInteractive: the confirmation cannot be asked, so it refuses too
            { $results | Sync-TrustedPool -Trait $script:Trait } | Should -Throw -ErrorId 'SyncTrustedPoolMassRemoval*'
            $results | Sync-TrustedPool -Trait $script:Trait -WhatIf -WarningVariable warned 3>$null | Out-Null
            "$warned" | Should -Match 'would remove 1 of the 2 hosts'
            @((Get-TrustedPool -Trait $script:Trait).ProviderUuid | Sort-Object) | Should -Be $script:PoolBefore

            $changes = $results | Sync-TrustedPool -Trait $script:Trait -MaxRemovalPercent 50
            ($changes | Where-Object Action -EQ 'Remove').HostName | Should -Be $script:Providers[0].Name
            (Get-TrustedPool -Trait $script:Trait).ProviderUuid | Should -Be $script:Providers[2].Uuid
        }

        It 'removing every host needs -Force whatever -MaxRemovalPercent says' {
            if (Skip-WithoutCloud) { return }
            $now = [datetime]::UtcNow
            $results = @(New-TestResult $script:Providers[0].Name 'Unknown' $now; New-TestResult $script:Providers[2].Name 'Untrusted' $now)
            { $results | Sync-TrustedPool -Trait $script:Trait -MaxRemovalPercent 100 -Confirm:$false } |
                Should -Throw -ErrorId 'SyncTrustedPoolMassRemoval*'
            @((Get-TrustedPool -Trait $script:Trait).ProviderUuid | Sort-Object) | Should -Be $script:PoolBefore
            $changes = $results | Sync-TrustedPool -Trait $script:Trait -Force
            @($changes | Where-Object Status -EQ 'Changed').Count | Should -Be 2
            @(Get-TrustedPool -Trait $script:Trait).Count | Should -Be 0
        }
    }

    It 'an unreachable Placement is a clear terminating SyncTrustedPoolPlanFailed error' {
        if (Skip-WithoutCloud) { return }
        $env:OS_PLACEMENT_ENDPOINT_OVERRIDE = 'http://127.0.0.1:9/'
        try {
            $dead = Connect-OpenStack -PassThru
            { Sync-TrustedPool -HostName x -Verdict Trusted -Connection $dead -Trait $script:Trait -ErrorAction Stop } |
                Should -Throw -ErrorId 'SyncTrustedPoolPlanFailed,TrustedCompute.PowerShell.Commands.OpenStack.SyncTrustedPoolCommand' -ExpectedMessage '*placement GET /resource_providers failed: Connection refused*'
        }
        finally {
            Remove-Item env:OS_PLACEMENT_ENDPOINT_OVERRIDE
            Connect-OpenStack
        }
    }

    It 'change records format after a CliXml round trip (Deserialized views)' {
        if (Skip-WithoutCloud) { return }
        $file = Join-Path $TestDrive 'changes.xml'
        Sync-TrustedPool -HostName $script:Providers[0].Name -Verdict Trusted -Time ([datetimeoffset]::UtcNow) -Trait $script:Trait -WhatIf |
            Export-Clixml $file
        $back = Import-Clixml $file
        $back.PSObject.TypeNames[0] | Should -Be 'Deserialized.TrustedCompute.OpenStack.TrustedPoolChange'
        $text = $back | Format-Table | Out-String
        $text | Should -Match 'HostName\s+Action\s+Status\s+Reason'
    }
}

Describe 'Set-TrustedAggregate and Set-OpenStackTrustedImage' {
    It 'the aggregate isolates exactly the pool, and -WhatIf changes nothing' {
        if (Skip-WithoutCloud) { return }
        $connection = Connect-OpenStack -PassThru
        $placement = New-CoreObject PlacementClient @($connection)
        $none = [System.Threading.CancellationToken]::None
        $node = Invoke-Core ($placement.CreateProviderAsync((New-TestName 'tc-pester-agg'), $null, $none))
        $trait = New-TestTrait
        $name = New-TestName 'tc-pester-agg'
        try {
            Sync-TrustedPool -HostName $node.Name -Verdict Trusted -Time ([datetimeoffset]::UtcNow) -Trait $trait -Force | Out-Null
            Set-TrustedAggregate -Name $name -Trait $trait -WhatIf | Out-Null
            $result = Set-TrustedAggregate -Name $name -Trait $trait
            $result.Isolated | Should -BeTrue
            $result.Members | Should -Be @($node.Name)
            ($result | Format-Table | Out-String) | Should -Match 'Isolated'
        }
        finally {
            $aggregates = New-CoreObject TrustedAggregateManager @($connection)
            foreach ($a in (Invoke-Core ($aggregates.ListAggregatesAsync($none))) | Where-Object Name -EQ $name) {
                $null = Invoke-Core ($aggregates.DeleteAggregateAsync($a.Id, $none))
            }
            $null = Invoke-Core ($placement.DeleteProviderAsync($node.Uuid, $none))
            $null = Invoke-Core ($placement.DeleteTraitAsync($trait, $none))
        }
    }

    It 'sets the trait on an image and reads it back through Glance' {
        if (Skip-WithoutCloud) { return }
        $connection = Connect-OpenStack -PassThru
        $images = New-CoreObject TrustedImageManager @($connection)
        $none = [System.Threading.CancellationToken]::None
        $image = Invoke-Core ($images.CreateAsync((New-TestName 'tc-pester-image'), 'CUSTOM_TRUSTED_HOST', $none))
        try {
            Set-OpenStackTrustedImage -Image $image.Name -WhatIf
            (Invoke-Core ($images.GetAsync($image.Id.ToString(), 'CUSTOM_TRUSTED_HOST', $none))).TraitValue | Should -BeNullOrEmpty
            (Set-OpenStackTrustedImage -Image $image.Id -PassThru).TraitValue | Should -Be 'required'
            (Invoke-Core ($images.GetAsync($image.Name, 'CUSTOM_TRUSTED_HOST', $none))).TraitValue | Should -Be 'required'
            Set-OpenStackTrustedImage -Image 'no-such-image-x' -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].FullyQualifiedErrorId | Should -Be 'SetOpenStackTrustedImageNotFound,TrustedCompute.PowerShell.Commands.OpenStack.SetOpenStackTrustedImageCommand'
        }
        finally { $null = Invoke-Core ($images.DeleteAsync($image.Id, $none)) }
    }
}

Describe 'Disconnect-OpenStack' {
    It 'after a disconnect, the cmdlets connect again from OS_* on first use' {
        if (Skip-WithoutCloud) { return }
        Connect-OpenStack
        Disconnect-OpenStack
        $trait = New-TestTrait
        @(Get-TrustedPool -Trait $trait).Count | Should -Be 0   # a fresh connection made from the environment
    }

    It 'revokes the token and clears the default connection' {
        if (Skip-WithoutCloud) { return }
        $connection = Connect-OpenStack -PassThru
        $token = $connection.GetTokenAsync([System.Threading.CancellationToken]::None).GetAwaiter().GetResult()
        Disconnect-OpenStack
        Get-ChildItem env:OS_* | ForEach-Object { Remove-Item "env:$($_.Name)" }
        { Get-TrustedPool -ErrorAction Stop } | Should -Throw -ErrorId 'OpenStackNotConnected,TrustedCompute.PowerShell.Commands.OpenStack.GetTrustedPoolCommand'
        # Keystone no longer accepts the revoked token
        $headers = @{ 'X-Auth-Token' = $token; 'X-Subject-Token' = $token }
        { Invoke-RestMethod -Uri "$($script:CloudEnv.OS_AUTH_URL)/auth/tokens" -Headers $headers } | Should -Throw '*401*'
    }
}
