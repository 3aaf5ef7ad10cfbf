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
