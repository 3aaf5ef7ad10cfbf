# The module as users load it: the built layout, in a fresh pwsh.
BeforeDiscovery {
    $manifestPath = Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1'
    Import-Module $manifestPath -Force
    $script:commands = Get-Command -Module TrustedCompute -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } }
    # -WhatIf/-Confirm exactly where a command changes state (the TPM, files, the cloud, a signed list). Making an
    # object (New-AttestationPolicy, New-LaunchControlPolicy*), quoting and verifying change nothing.
    $script:changesState = @(
        'Disconnect-OpenStack', 'Export-AttestationEvidence', 'Export-AttestationPolicy', 'Export-LaunchControlPolicy',
        'New-TpmAttestationKey', 'Register-AttestationPolicy', 'Register-TrustedHost', 'Remove-TpmAttestationKey',
        'Set-LaunchControlPolicy', 'Set-OpenStackTrustedImage', 'Set-TrustedAggregate', 'Set-TrustedHost', 'Unregister-TrustedHost',
        'Set-LaunchControlPolicyListSignature', 'Set-OpenStackTrustedFlavor', 'Start-AttestationService', 'Stop-AttestationService',
        'Sync-TrustedPool', 'Update-TpmPcr', 'Register-AttestationSchedule', 'Unregister-AttestationSchedule',
        'Write-TpmNvIndex', 'Export-AttestationReport', 'Update-AttestationPolicy', 'Install-TrustedComputeModule')
    $script:whatIfTable = $script:commands | ForEach-Object { @{ Name = $_.Name; Expected = $_.Name -in $script:changesState } }
}

BeforeAll {
    $manifestPath = Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH 'TrustedCompute.psd1'
    Import-Module $manifestPath -Force
    $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Module manifest' {
    It 'is valid and carries the version from Directory.Build.props' {
        $info = Test-ModuleManifest $manifestPath
        [xml] $props = Get-Content -Raw (Join-Path $PSScriptRoot '../../Directory.Build.props')
        $info.Version | Should -Be ([version] ($props.Project.PropertyGroup.ModuleVersion | Where-Object { $_ } | Select-Object -First 1))
    }

    It 'exports cmdlets by explicit name, no wildcards, no functions, variables or aliases' {
        $data = Import-PowerShellDataFile $manifestPath
        $data.CmdletsToExport | Should -Not -BeNullOrEmpty
        $data.CmdletsToExport | Where-Object { $_ -match '[\*\?]' } | Should -BeNullOrEmpty
        @($data.FunctionsToExport).Count | Should -Be 0
        @($data.VariablesToExport).Count | Should -Be 0
        @($data.AliasesToExport).Count | Should -Be 0
        (Get-Command -Module TrustedCompute).Name | Sort-Object | Should -Be ($data.CmdletsToExport | Sort-Object)
    }

    It 'ships only the allow-listed files' {
        $files = Get-ChildItem $env:TRUSTEDCOMPUTE_MODULE_PATH -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($env:TRUSTEDCOMPUTE_MODULE_PATH, $_.FullName).Replace('\', '/') }
        $files | Where-Object { $_ -notmatch '^(TrustedCompute\.(psd1|psm1|types\.ps1xml|PowerShell\.dll)|[A-Za-z]+\.format\.ps1xml|dependencies/[A-Za-z0-9._]+\.dll|dependencies/runtimes/(linux-x64|linux-arm64)/native/libe_sqlite3\.so|dependencies/runtimes/win-x64/native/e_sqlite3\.dll|service/([A-Za-z0-9._]+\.(dll|json)|runtimes/[a-z0-9-]+/native/(lib)?e_sqlite3\.(so|dylib|dll))|en-US/(about_[A-Za-z_]+\.help\.txt|TrustedCompute\.PowerShell\.dll-Help\.xml))$' } | Should -BeNullOrEmpty
        $files | Should -Contain 'dependencies/TrustedCompute.Core.dll'
        foreach ($native in 'linux-x64/native/libe_sqlite3.so', 'linux-arm64/native/libe_sqlite3.so', 'win-x64/native/e_sqlite3.dll') {
            $files | Should -Contain "dependencies/runtimes/$native"
        }
    }

    It 'keeps Core out of the default load context' {
        $null = Get-Command Get-TpmPcr | Select-Object -ExpandProperty OutputType
        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'TrustedCompute.Core' }
        $core | Should -Not -BeNullOrEmpty
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core[0]).Name | Should -Be 'TrustedCompute'
        $cmdlets = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'TrustedCompute.PowerShell' }
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($cmdlets[0]) | Should -Be ([System.Runtime.Loader.AssemblyLoadContext]::Default)
    }

    It 'opens a SQLite store through Core in the private load context, native SQLite included, in a fresh pwsh' {
        $storePath = Join-Path $TestDrive 'module store/store.db'
        $probe = Join-Path $TestDrive 'store-probe.ps1'
        Set-Content -LiteralPath $probe -Value @'
param([string] $Manifest, [string] $StorePath)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$null = (Get-Command Get-TpmPcr).OutputType
$core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'TrustedCompute.Core' } | Select-Object -First 1
$store = $core.GetType('TrustedCompute.Store.AttestationStoreFactory', $true).GetMethod('Open').Invoke($null, @($StorePath))
$info = [Enum]::Parse($core.GetType('TrustedCompute.Attestation.ReasonSeverity', $true), 'Info')
$result = $core.GetType('TrustedCompute.Attestation.AttestationResult', $true).GetMethod('Failed').Invoke($null,
    @('pester-host', 'probe.pester', 'from a fresh pwsh', $info))
$store.AddResult($result, $null)
$read = $store.GetResults([Activator]::CreateInstance($core.GetType('TrustedCompute.Store.ResultQuery', $true)))
"location=$($store.Location)"
"read=$($read.Count) $($read[0].HostName) $($read[0].Reasons[0].Id)"
foreach ($name in 'TrustedCompute.Core', 'Microsoft.Data.Sqlite', 'SQLitePCLRaw.core', 'Npgsql') {
    $assembly = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq $name } | Select-Object -First 1
    "context $name=$([System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).Name)"
}
if ($IsLinux) { "native=" + ((Get-Content "/proc/$PID/maps") -match 'e_sqlite3' | ForEach-Object { ($_ -split '\s+')[-1] } | Select-Object -First 1) }
$store.Dispose()
'@
        $pwsh = @([Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh'), (Join-Path $PSHOME 'unix/pwsh'), (Join-Path $PSHOME 'pwsh.exe')) |
            Where-Object { $_ -and [IO.Path]::GetFileNameWithoutExtension($_) -eq 'pwsh' -and (Test-Path $_) } | Select-Object -First 1
        $out = (& $pwsh -NoProfile -NonInteractive -File $probe -Manifest $manifestPath -StorePath $storePath 2>&1) -join "`n"
        $LASTEXITCODE | Should -Be 0 -Because $out
        $out | Should -Match ([regex]::Escape("location=sqlite:$storePath"))
        $out | Should -Match 'read=1 pester-host probe\.pester'
        $out | Should -Match 'context TrustedCompute.Core=TrustedCompute'
        $out | Should -Match 'context Microsoft.Data.Sqlite=TrustedCompute'
        $out | Should -Match 'context SQLitePCLRaw.core=TrustedCompute'
        if ($IsLinux) {
            $rid = 'linux-' + [System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture.ToString().ToLowerInvariant()
            $staged = Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH "dependencies/runtimes/$rid/native/libe_sqlite3.so"
            $out | Should -Match ([regex]::Escape("native=$((Resolve-Path $staged).Path)"))
            (Get-Item $storePath).UnixFileMode | Should -Be ([IO.UnixFileMode] 'UserRead, UserWrite')
        }
    }

    It 'names no command like those of Windows'' TrustedPlatformModule module' {
        $windows = 'Clear-Tpm', 'ConvertTo-TpmOwnerAuth', 'Disable-TpmAutoProvisioning', 'Enable-TpmAutoProvisioning', 'Get-Tpm',
            'Get-TpmEndorsementKeyInfo', 'Get-TpmSupportedFeature', 'Import-TpmOwnerAuth', 'Initialize-Tpm', 'Set-TpmOwnerAuth', 'Unblock-Tpm'
        (Get-Command -Module TrustedCompute).Name | Where-Object { $_ -in $windows } | Should -BeNullOrEmpty
    }

    It 'loads in a pwsh where an older YamlDotNet was loaded first' {
        $nuget = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim() }
        $oldYaml = Join-Path $nuget 'yamldotnet/13.7.1/lib/net6.0/YamlDotNet.dll'
        if (-not (Test-Path $oldYaml)) { Set-ItResult -Skipped -Because "YamlDotNet 13.7.1 is not in the NuGet cache ($oldYaml)" ; return }
        $script = "Add-Type -Path '$oldYaml'; Import-Module '$manifestPath'; " +
            '$old = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq ''YamlDotNet'' } | ForEach-Object { $_.GetName().Version.Major }; ' +
            'Get-TpmEventLog -LiteralPath /nonexistent -ErrorAction SilentlyContinue; $null = Get-Command Sync-TrustedPool; ' +
            '[System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq TrustedCompute | ForEach-Object { $_.Assemblies.GetName().Name }; "old=$($old -join ",")"'
        $pwsh = @([Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh'), (Join-Path $PSHOME 'unix/pwsh'), (Join-Path $PSHOME 'pwsh.exe')) |
            Where-Object { $_ -and [IO.Path]::GetFileNameWithoutExtension($_) -eq 'pwsh' -and (Test-Path $_) } | Select-Object -First 1
        $out = & $pwsh -NoProfile -NonInteractive -Command $script 2>&1
        $LASTEXITCODE | Should -Be 0
        ($out -join "`n") | Should -Match 'old=13'
        ($out -join "`n") | Should -Match 'TrustedCompute.Core'
    }
}

Describe 'Cmdlet <Name>' -ForEach $commands {
    BeforeAll {
        $command = Get-Command $Name
        $help = Get-Help $Name -Full
    }

    It 'has an approved verb' {
        (Get-Verb).Verb | Should -Contain $command.Verb
    }

    It 'declares its output type' {
        $command.OutputType | Should -Not -BeNullOrEmpty
    }

    It 'has a synopsis, a description and an example in its MAML help' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$Name\s"
        ($help.Description.Text -join '') | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        $help.Examples.Example[0].Code | Should -Not -BeNullOrEmpty
    }

    It 'names in INPUTS every parameter that binds from the pipeline, and None when none does' {
        $piped = @($command.Parameters.Values | Where-Object { $_.Name -notin $common } | Where-Object {
                $_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and
                    ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName) } })
        $inputs = @($help.inputTypes.inputType)
        $inputs | Should -Not -BeNullOrEmpty
        $text = ($inputs | ForEach-Object { $_.description.Text }) -join ' '
        foreach ($p in $piped) { $text | Should -Match "-$($p.Name)\b" -Because "-$($p.Name) binds from the pipeline" }
        if ($piped.Count -eq 0) { $inputs.type.name | Should -Be 'None' }
    }

    It 'describes its output types in OUTPUTS' {
        $outputs = @($help.returnValues.returnValue)
        $outputs.type.name | Should -Be @($command.OutputType.Name)
        ($outputs[0].description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'describes every parameter' {
        $undocumented = foreach ($p in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $entry = $help.Parameters.Parameter | Where-Object Name -EQ $p
            if (-not $entry -or -not ($entry.Description.Text -join '').Trim()) { $p }
        }
        $undocumented | Should -BeNullOrEmpty
    }
}

Describe 'ShouldProcess' {
    It 'the table names only real cmdlets' {
        $changesState | Where-Object { -not (Get-Command $_ -ErrorAction Ignore) } | Should -BeNullOrEmpty
    }

    It '<Name> supports -WhatIf and -Confirm: <Expected>' -ForEach $whatIfTable {
        $command = Get-Command $Name
        $command.Parameters.ContainsKey('WhatIf') | Should -Be $Expected
        $command.Parameters.ContainsKey('Confirm') | Should -Be $Expected
    }
}

Describe 'Error ids' {
    BeforeAll {
        $table = [TrustedCompute.PowerShell.Infrastructure.ErrorIds]
        $ids = $table.GetFields() | Where-Object IsLiteral | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Value = $_.GetValue($null) } }
        $nouns = (Get-Command -Module TrustedCompute).Name | ForEach-Object { $_ -replace '-', '' }
        $shared = 'TpmUnavailable', 'OpenStackAuthenticationFailed', 'OpenStackConnectFailed', 'OpenStackNotConnected',
            'StoreUnavailable', 'StoreOperationFailed'
    }

    It 'each const is its own name, and no id is listed twice' {
        $ids.Count | Should -BeGreaterThan 50
        $ids | Where-Object { $_.Name -cne $_.Value } | Should -BeNullOrEmpty
        ($ids.Value | Sort-Object -Unique).Count | Should -Be $ids.Count
    }

    It 'every id is <Verb><Noun><Problem> of an exported cmdlet, or one of the shared ids' {
        $odd = $ids.Value | Where-Object { $_ -notin $shared } | Where-Object {
            $id = $_
            -not ($nouns | Where-Object { $id.StartsWith($_, 'Ordinal') -and $id.Length -gt $_.Length -and [char]::IsUpper($id[$_.Length]) })
        }
        $odd | Should -BeNullOrEmpty
    }

    It 'no cmdlet source writes a literal error id' {
        $sources = Get-ChildItem (Join-Path $PSScriptRoot '../../src/TrustedCompute.PowerShell/Commands') -Recurse -Filter *.cs
        $literal = $sources | Select-String -Pattern '(WriteError|ThrowTerminatingError|ToErrorRecord|RunTpm|ReadEach)\(.*"[A-Z][A-Za-z]+(Failed|NotFound|Invalid[A-Za-z]*|Unavailable|Exists|Error|Conflict)"'
        $literal | ForEach-Object { "$($_.Filename):$($_.LineNumber)" } | Should -BeNullOrEmpty
    }
}

Describe 'about topics' {
    It 'Get-Help about_TrustedCompute works' {
        $text = Get-Help about_TrustedCompute | Out-String
        $text | Should -Match 'TPM 2.0 remote attestation'
    }
}
