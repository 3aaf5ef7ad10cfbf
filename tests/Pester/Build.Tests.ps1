# build.ps1's own logic, dot-sourced (it then defines its functions and runs no task); native calls are mocked.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../build.ps1')
    $ErrorActionPreference = 'Continue'
}

Describe 'build.ps1 Bootstrap' {
    BeforeEach {
        $script:calls = [System.Collections.Generic.List[object]]::new()
        Mock Invoke-Native { $script:calls.Add([pscustomobject]@{ FilePath = $FilePath; Arguments = @($ArgumentList) }) }
        Mock Test-CanInstallPackage { $true }
        Mock Get-NuGetPackageFolder { $TestDrive }
    }

    It 'passes every missing apt package to apt-get install as one argument list' {
        Mock Test-DebianPackage { $Name -notin 'swtpm', 'openssh-server' }
        Invoke-Bootstrap 6>$null
        $install = @($calls | Where-Object { $_.FilePath -eq 'apt-get' -and $_.Arguments[0] -eq 'install' })
        $install.Count | Should -Be 1
        $install[0].Arguments | Should -Be @('install', '-y', '-qq', '--no-install-recommends', 'swtpm', 'openssh-server')
        @($calls | Where-Object FilePath -EQ 'apt-get' | ForEach-Object { $_.Arguments[0] }) | Should -Be @('update', 'install')
    }

    It 'runs no apt-get when every package is installed' {
        Mock Test-DebianPackage { $true }
        Invoke-Bootstrap 6>$null
        $calls | Where-Object FilePath -EQ 'apt-get' | Should -BeNullOrEmpty
    }

    It 'only warns when it may not install' {
        Mock Test-DebianPackage { $false }
        Mock Test-CanInstallPackage { $false }
        $warnings = Invoke-Bootstrap 3>&1 6>$null
        $calls | Where-Object FilePath -EQ 'apt-get' | Should -BeNullOrEmpty
        $warnings -join ' ' | Should -Match 'swtpm, swtpm-tools, tpm2-tools'
    }
}

Describe 'build.ps1 ship list' {
    It 'names the store packages, native SQLite for linux-x64, linux-arm64 and win-x64, and PostgreSQL for the tests' {
        foreach ($dll in 'Microsoft.Data.Sqlite.dll', 'SQLitePCLRaw.core.dll', 'SQLitePCLRaw.batteries_v2.dll',
            'SQLitePCLRaw.provider.e_sqlite3.dll', 'Npgsql.dll', 'Microsoft.Extensions.Logging.Abstractions.dll') {
            $ShippedDependencies | Should -Contain $dll
        }
        @($ShippedNative.Keys) | Should -Be @('linux-x64', 'linux-arm64', 'win-x64')
        $ShippedNative['win-x64'] | Should -Be 'e_sqlite3.dll'
        $AptPackages | Should -Contain 'postgresql'
        Get-Content -Raw (Join-Path $PSScriptRoot '../../.ci/run') | Should -Match 'apt-get install[^\n]* postgresql'
    }
}

Describe 'build.ps1 skip policy' {
    It 'reads each skipped xunit test and its reason from a trx file' {
        [xml] $trx = @'
<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results>
<UnitTestResult testName="A.Passes" outcome="Passed" />
<UnitTestResult testName="A.NoOracle(name: x)" outcome="NotExecuted"><Output><ErrorInfo><Message>x.bin has no replay-py oracle</Message></ErrorInfo></Output></UnitTestResult>
<UnitTestResult testName="A.NoTool" outcome="NotExecuted"><Output><StdOut>swtpm and tpm2-tools are not installed</StdOut></Output></UnitTestResult>
</Results></TestRun>
'@
        $skips = @(Get-TrxSkip $trx)
        $skips.Name | Should -Be @('A.NoOracle(name: x)', 'A.NoTool')
        $skips.Reason | Should -Be @('x.bin has no replay-py oracle', 'swtpm and tpm2-tools are not installed')
    }

    It 'expects only the narrow reasons: absent ../shared, another OS, fixed data set gaps, no cloud started' {
        Test-ExpectedSkip '../shared/testdata is not present' $false | Should -BeTrue
        Test-ExpectedSkip '/work/x/../shared/testdata/eventlogs/a.bin is not present' $false | Should -BeTrue
        Test-ExpectedSkip 'tpm2-tools/specid-vendordata.bin has no replay-py oracle' $false | Should -BeTrue
        Test-ExpectedSkip 'the OpenStack test cloud is not running (build.ps1 -Task Test starts it)' $false | Should -BeTrue
        Test-ExpectedSkip 'FIFOs are a POSIX thing' $false | Should -Be ([bool] $IsWindows)
        foreach ($reason in '', 'swtpm and tpm2-tools are not installed', 'YamlDotNet 13.7.1 is not in the NuGet cache',
            'openssl is not installed', '/usr/sbin/lcp2_crtpolelt is not present',
            'PostgreSQL 15 is not installed (apt-get install postgresql)', 'x has no replay-py oracle; also other') {
            Test-ExpectedSkip $reason $false | Should -BeFalse -Because "'$reason' is not an expected skip"
        }
        Test-ExpectedSkip 'the OpenStack test cloud is not running' $true | Should -BeFalse
    }

    It 'lists the unexpected skips of every suite with their reasons' {
        $results = @(
            [pscustomobject]@{ Suite = 'xunit'; Skips = @([pscustomobject]@{ Name = 'A'; Reason = 'a.bin has no replay-py oracle' }) }
            [pscustomobject]@{ Suite = 'Pester'; Skips = @([pscustomobject]@{ Name = 'B'; Reason = '' },
                    [pscustomobject]@{ Name = 'C'; Reason = 'openssl is not installed' }) }
        )
        $unexpected = @(Get-UnexpectedSkip $results $false)
        $unexpected.Name | Should -Be @('B', 'C')
        $unexpected.Suite | Should -Be @('Pester', 'Pester')
        $unexpected[1].Reason | Should -Be 'openssl is not installed'
    }
}
