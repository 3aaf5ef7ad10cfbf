<#
.SYNOPSIS
    Measures Get-OpenStackTrustedFlavor over every flavor of the running test cloud (tests/env/openstack.sh start),
    topped up with bulk flavors to -Count in all (default 2,000): at the negotiated microversion (extra specs
    embedded in the paged list, 2.61+) against 2.1 (one extra-specs request per flavor), median of -Runs each.
    The test cloud validates every token at Keystone (no cache), so the per-flavor path costs ~0.1 s a flavor here.
#>
[CmdletBinding()]
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Count = 2000, [int] $Runs = 1)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
$envScript = Join-Path $PSScriptRoot '../env/openstack.sh'
& $envScript status
if ($LASTEXITCODE -ne 0) { throw 'the test cloud is not running: tests/env/openstack.sh start' }
foreach ($line in & $envScript env) {
    $name, $value = $line -split '=', 2
    if ($name -like 'OS_*') { Set-Item "env:$name" $value }
}
Import-Module (Join-Path $ModulePath 'TrustedCompute.psd1')
& $envScript flavors tc-bench 0
$existing = @(Get-OpenStackTrustedFlavor -Connection (Connect-OpenStack -PassThru)).Count
& $envScript flavors tc-bench ([math]::Max(0, $Count - $existing))
try {
    function Measure-Median([scriptblock] $Audit) {
        $times = foreach ($i in 1..$Runs) { (Measure-Command $Audit).TotalMilliseconds }
        ($times | Sort-Object)[[int][math]::Floor($Runs / 2)]
    }
    $negotiated = Connect-OpenStack -PassThru
    $flavors = @(Get-OpenStackTrustedFlavor -Connection $negotiated).Count
    $embedded = Measure-Median { $null = Get-OpenStackTrustedFlavor -Connection $negotiated }
    $old = Connect-OpenStack -ComputeApiVersion 2.1 -PassThru
    $perFlavor = Measure-Median { $null = Get-OpenStackTrustedFlavor -Connection $old }
    [pscustomobject]@{
        Flavors            = $flavors
        EmbeddedSpecsMs    = [math]::Round($embedded)
        PerFlavorRequestMs = [math]::Round($perFlavor)
        Speedup            = [math]::Round($perFlavor / $embedded, 1)
    }
}
finally { & $envScript flavors tc-bench 0 }
