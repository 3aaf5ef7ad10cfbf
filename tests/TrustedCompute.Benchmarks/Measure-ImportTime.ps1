<#
.SYNOPSIS
    Measures how much Import-Module of the built module adds to a bare pwsh start (median of several runs).
#>
[CmdletBinding()]
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Runs = 7)
$ErrorActionPreference = 'Stop'
$pwsh = [Environment]::ProcessPath
$manifest = Join-Path $ModulePath 'TrustedCompute.psd1'
function Measure-Median([string] $Command) {
    $times = foreach ($i in 1..$Runs) {
        (Measure-Command { & $pwsh -NoProfile -NonInteractive -Command $Command | Out-Null }).TotalMilliseconds
    }
    ($times | Sort-Object)[[int][math]::Floor($Runs / 2)]
}
$bare = Measure-Median '$null = 1'
$withModule = Measure-Median "Import-Module '$manifest'; `$null = Get-Command -Module TrustedCompute"
[pscustomobject]@{
    BareStartMs      = [math]::Round($bare)
    WithImportMs     = [math]::Round($withModule)
    ImportOverheadMs = [math]::Round($withModule - $bare)
}
