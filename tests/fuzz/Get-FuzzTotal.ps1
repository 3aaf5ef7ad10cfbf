#Requires -Version 7.4
<#
.SYNOPSIS
    Sums tests/fuzz/runs.tsv per target: runs, executions, seconds, executions per second, most edges, crashes and hangs.
.DESCRIPTION
    Issue 15 asks for at least 10 million executions per target in total; MeetsGoal says whether a target has them.
    Crashes and hangs are what the runs found; each is kept under crashes/<target>/ and fixed before it is committed.
.EXAMPLE
    ./tests/fuzz/Get-FuzzTotal.ps1 | Format-Table
#>
[CmdletBinding()]
param(
    [string] $Path = (Join-Path $PSScriptRoot 'runs.tsv'),
    [long] $Goal = 10000000
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$runs = Import-Csv $Path -Delimiter "`t"
foreach ($group in $runs | Group-Object target | Sort-Object Name) {
    $execs = [long] ($group.Group | ForEach-Object { [long] $_.execs } | Measure-Object -Sum).Sum
    $seconds = ($group.Group | ForEach-Object { [double] $_.seconds } | Measure-Object -Sum).Sum
    [pscustomobject]@{
        Target = $group.Name
        Runs = $group.Count
        Executions = $execs
        Seconds = [long] $seconds
        ExecutionsPerSecond = if ($seconds -gt 0) { [long] ($execs / $seconds) } else { 0 }
        MostEdges = [int] ($group.Group | ForEach-Object { [int] $_.edges } | Measure-Object -Maximum).Maximum
        Crashes = [int] ($group.Group | ForEach-Object { [int] $_.crashes } | Measure-Object -Sum).Sum
        Hangs = [int] ($group.Group | ForEach-Object { [int] $_.hangs } | Measure-Object -Sum).Sum
        MeetsGoal = $execs -ge $Goal
    }
}
