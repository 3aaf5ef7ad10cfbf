<#
.SYNOPSIS
    Runs the Pester suite against the built module in this (fresh) pwsh and writes a JSON summary.
    Pester's own exit handling is not used: build.ps1 reads the summary and prints the closing line.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $TestPath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [string] $Filter
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterManifest
$env:TRUSTEDCOMPUTE_MODULE_PATH = $ModulePath
# Tests never touch the user's own store: cmdlets that use the registry get a fresh file of this run.
$env:TRUSTEDCOMPUTE_STORE = Join-Path (Split-Path $SummaryPath) 'pester-store.db'
Remove-Item "$env:TRUSTEDCOMPUTE_STORE*" -ErrorAction Ignore

$config = New-PesterConfiguration
$config.Run.Path = $TestPath
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputPath = Join-Path (Split-Path $SummaryPath) 'pester.xml'
if ($Filter) { $config.Filter.FullName = "*$Filter*" }

$result = Invoke-Pester -Configuration $config
# Set-ItResult -Skipped -Because X records "is skipped, because X"; -Skip:$true records no reason.
$skips = @($result.Tests | Where-Object Result -EQ 'Skipped' | ForEach-Object {
        $message = @($_.ErrorRecord | ForEach-Object { $_.Exception.Message }) -join ' '
        [pscustomobject]@{ Name = $_.ExpandedPath; Reason = $message -replace '^is skipped(, because )?', '' }
    })
# Named at the end of the run, where a truncated CI log still shows them.
$failures = @(@($result.Failed) + @($result.FailedBlocks) + @($result.FailedContainers) | Where-Object { $_ } | ForEach-Object {
        $message = @($_.ErrorRecord | ForEach-Object { $_.Exception.Message }) -join ' '
        [pscustomobject]@{ Name = $_.ExpandedPath ?? "$($_.Item)"; Reason = ($message -split "`n")[0] }
    })
[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount
    Skips   = $skips
    Failures = $failures
} | ConvertTo-Json -Depth 3 | Set-Content -Path $SummaryPath
