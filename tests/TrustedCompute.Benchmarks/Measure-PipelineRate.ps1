<#
.SYNOPSIS
    Bundles per second through `Import-AttestationEvidence *.json | Invoke-HostAttestation -Policy $p`, against the
    Core verifier's rate on the same evidence in the same run (one thread each).
.DESCRIPTION
    Starts a swtpm simulator (tests/env/swtpm.sh), collects one evidence bundle with a fresh nonce and writes it to
    -Count files; every bundle must come out Trusted, or the run fails.
#>
[CmdletBinding()]
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Count = 2000)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'TrustedCompute.psd1')
$envScript = Join-Path $PSScriptRoot '../env/swtpm.sh'
$work = Join-Path ([IO.Path]::GetTempPath()) ('tc-rate-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
$settings = @{}
& $envScript start (Join-Path $work 'tpm') | ForEach-Object { $k, $v = $_ -split '=', 2; $settings[$k] = $v }
try {
    $tpm = $settings.TRUSTEDCOMPUTE_TPM
    $ak = New-TpmAttestationKey -Tpm $tpm -AttestationKeyHandle 0x81010002 -Force -Confirm:$false
    $nonce = [byte[]] (1..32)
    $evidence = Get-AttestationEvidence -Tpm $tpm -Nonce $nonce -NoEventLog
    $policy = $evidence | New-AttestationPolicy -Name rate
    $dir = New-Item -ItemType Directory (Join-Path $work 'evidence')
    $json = $evidence.ToJson()
    foreach ($i in 1..$Count) { [IO.File]::WriteAllText((Join-Path $dir "host$i.evidence.json"), $json) }
    $trust = @{ Policy = $policy; AttestationKey = $ak; Nonce = $nonce; HostName = $evidence.HostName }

    $null = Import-AttestationEvidence (Join-Path $dir 'host1.evidence.json') | Invoke-HostAttestation @trust
    $results = $null
    $pipeline = Measure-Command {
        $results = @(Import-AttestationEvidence (Join-Path $dir '*.json') | Invoke-HostAttestation @trust)
    }
    $bad = @($results | Where-Object Verdict -ne 'Trusted')
    if ($results.Count -ne $Count -or $bad.Count) { throw "$($bad.Count) of $($results.Count) bundles were not Trusted: $($bad[0].Reasons)" }

    # The Core verifier alone, over the same bundles already in memory.
    $core = $evidence.GetType().Assembly
    $options = [Activator]::CreateInstance($core.GetType('TrustedCompute.Attestation.VerificationOptions'))
    foreach ($p in @{ ExpectedAttestationKey = $ak.Public; ExpectedNonce = $nonce; Policy = $policy; HostName = $evidence.HostName }.GetEnumerator()) {
        $options.GetType().GetProperty($p.Key).SetValue($options, $p.Value)
    }
    $verifier = [Activator]::CreateInstance($core.GetType('TrustedCompute.Attestation.QuoteVerifier'), @($options))
    $bundles = foreach ($i in 1..$Count) { $evidence.GetType()::FromJson($json) }
    $coreTime = Measure-Command { foreach ($b in $bundles) { $null = $verifier.Verify($b) } }
    $readTime = Measure-Command { foreach ($i in 1..$Count) { $null = $evidence.GetType()::ReadFile((Join-Path $dir "host$i.evidence.json")) } }
    [pscustomobject]@{
        Bundles              = $Count
        PipelinePerSecond    = [math]::Round($Count / $pipeline.TotalSeconds)
        CoreVerifyPerSecond  = [math]::Round($Count / $coreTime.TotalSeconds)
        CoreReadPerSecond    = [math]::Round($Count / $readTime.TotalSeconds)
    }
}
finally {
    & $envScript stop (Join-Path $work 'tpm')
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}
