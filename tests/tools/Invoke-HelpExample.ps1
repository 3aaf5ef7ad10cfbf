<#
.SYNOPSIS
    Runs one help topic's examples in order in this (fresh) pwsh, after the fixture prologue that
    tests/Pester/HelpExamples.Tests.ps1 documents, and writes one outcome per example as JSON.
.DESCRIPTION
    The job file names the module, the simulator, the folder of fixture files, the SSH session settings, the cloud's OS_* settings and the
    examples (Index, Code, Skip). Examples run in this script's scope, so later ones see earlier ones' variables.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $JobPath,
    [Parameter(Mandatory)] [string] $WorkPath,
    [Parameter(Mandatory)] [string] $ResultPath
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$tcJob = Get-Content -Raw $JobPath | ConvertFrom-Json -AsHashtable
$tcOutcomes = [System.Collections.Generic.List[object]]::new()

function Read-Host {
    [CmdletBinding()] param([Parameter(Position = 0)] $Prompt, [switch] $AsSecureString)
    if ($AsSecureString) { [securestring]::new() } else { '' }
}
function Get-Credential {
    [CmdletBinding()] param([Parameter(Position = 0)] $UserName = 'admin')
    [pscredential]::new("$UserName", [securestring]::new())
}

try {
    Set-Location $WorkPath
    $null = New-Item -ItemType Directory out
    $null = New-Item -ItemType SymbolicLink -Path out/TrustedCompute -Target $tcJob.Module
    # Imported the way README.md does, so its own Import-Module is a no-op.
    $manifest = Join-Path $WorkPath 'out/TrustedCompute/TrustedCompute.psd1'
    Import-Module $manifest
    Copy-Item (Join-Path $tcJob.Files '*') $WorkPath -Recurse
    $env:TRUSTEDCOMPUTE_TPM = $tcJob.Tpm
    $env:TRUSTEDCOMPUTE_STORE = Join-Path $WorkPath 'store.db'
    foreach ($kv in $tcJob.Cloud.GetEnumerator()) { Set-Item "env:$($kv.Key)" $kv.Value }
    if ($tcJob.Ssh.Count -gt 0) {
        $s = New-PSSession -HostName 127.0.0.1 -Port $tcJob.Ssh.PORT -UserName $tcJob.Ssh.USER -KeyFilePath $tcJob.Ssh.KEY -Options @{
            UserKnownHostsFile = $tcJob.Ssh.KNOWN_HOSTS; StrictHostKeyChecking = 'yes'; BatchMode = 'yes'
        }
        Invoke-Command -Session $s -ArgumentList $manifest, $tcJob.Tpm -ScriptBlock {
            param($module, $tpm)
            Import-Module $module
            $env:TRUSTEDCOMPUTE_TPM = $tpm
        }
        $sessions = $s
    }
    Remove-Variable manifest, kv -ErrorAction Ignore
    $tcPrologueError = $null
}
catch { $tcPrologueError = "fixture prologue failed: $_" }

$ErrorActionPreference = 'Continue'
foreach ($tcExample in $tcJob.Examples) {
    $tcErrors = [System.Collections.Generic.List[string]]::new()
    if ($tcExample.Skip) { $tcOutcomes.Add(@{ Index = $tcExample.Index; Skipped = $tcExample.Skip; Errors = @() }); continue }
    if ($tcPrologueError) { $tcErrors.Add($tcPrologueError) }
    else {
        try {
            $tcOutput = @(. ([scriptblock]::Create($tcExample.Code)) 2>&1)
            foreach ($tcItem in $tcOutput) {
                if ($tcItem -is [System.Management.Automation.ErrorRecord]) { $tcErrors.Add("error: $tcItem") }
            }
            $null = $tcOutput | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] } | Out-String
        }
        catch { $tcErrors.Add("threw: $_") }
    }
    $tcOutcomes.Add(@{ Index = $tcExample.Index; Skipped = $null; Errors = @($tcErrors) })
}
Get-PSSession | Remove-PSSession
ConvertTo-Json -InputObject @($tcOutcomes) -Depth 4 | Set-Content $ResultPath
