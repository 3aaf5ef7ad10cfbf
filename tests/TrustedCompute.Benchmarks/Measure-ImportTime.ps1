<#
.SYNOPSIS
    Measures how much Import-Module of the built module adds to a bare pwsh start (median of several runs).
#>
[CmdletBinding()]
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Runs = 9)
$ErrorActionPreference = 'Stop'
# The real pwsh apphost (under the dotnet-tool shim, ProcessPath is dotnet itself).
$pwsh = @([Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh'), (Join-Path $PSHOME 'unix/pwsh'), (Join-Path $PSHOME 'pwsh.exe')) |
    Where-Object { $_ -and [IO.Path]::GetFileNameWithoutExtension($_) -eq 'pwsh' -and (Test-Path $_) } | Select-Object -First 1
$manifest = Join-Path $ModulePath 'TrustedCompute.psd1'
function Measure-Median([string] $Command) {
    $times = foreach ($i in 1..$Runs) {
        (Measure-Command { & $pwsh -NoProfile -NonInteractive -Command $Command | Out-Null }).TotalMilliseconds
        if ($LASTEXITCODE -ne 0) { throw "pwsh failed running: $Command" }
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
