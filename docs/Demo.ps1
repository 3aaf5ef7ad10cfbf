<#
.SYNOPSIS
    The main job, end to end on one machine: the TPM's identity and PCRs, its endorsement key and certificate,
    an attestation key and a quote checked by an independent verifier (tpm2_checkquote), the event log, and an
    attestation against a golden policy: Trusted, then Untrusted after a PCR extend, with the reason.
.DESCRIPTION
    Uses $env:TRUSTEDCOMPUTE_TPM when set, else a TPM device this user can open, else starts a swtpm simulator
    (tests/env/swtpm.sh) and stops it at the end.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Root
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'TrustedCompute.psd1')
function Show([string] $Title) { Write-Information "`n=== $Title" -InformationAction Continue }

$stateDir = $null
$tpm = $env:TRUSTEDCOMPUTE_TPM
if (-not $tpm -and $IsLinux -and (Test-Path /dev/tpmrm0) -and [IO.File]::Exists('/dev/tpmrm0')) {
    try { [IO.File]::Open('/dev/tpmrm0', 'Open', 'ReadWrite').Dispose(); $tpm = 'device:/dev/tpmrm0' } catch { Write-Verbose "No access to /dev/tpmrm0: $_" }
}
if (-not $tpm) {
    if (-not (Get-Command swtpm -ErrorAction Ignore)) { throw 'No TPM and no swtpm: install swtpm swtpm-tools tpm2-tools (build.ps1 -Task Bootstrap does it as root).' }
    $stateDir = Join-Path ([IO.Path]::GetTempPath()) ('trustedcompute-demo-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $settings = @{}
    & (Join-Path $Root 'tests/env/swtpm.sh') start $stateDir | ForEach-Object { $k, $v = $_ -split '=', 2; $settings[$k] = $v }
    $tpm = $settings.TRUSTEDCOMPUTE_TPM
    Write-Information "Started a swtpm simulator: $tpm (state in $stateDir)" -InformationAction Continue
}

try {
    Show 'The module'
    Get-Module TrustedCompute | Format-Table Name, Version, @{ n = 'Cmdlets'; e = { $_.ExportedCmdlets.Count } } | Out-String | Write-Output

    Show 'Get-TpmDevice'
    Get-TpmDevice -Tpm $tpm | Format-List | Out-String | Write-Output

    Show 'Get-TpmPcr -Bank sha256 -PcrIndex (0..7)'
    Get-TpmPcr -Tpm $tpm -Bank sha256 -PcrIndex (0..7) | Format-Table | Out-String | Write-Output

    Show 'Get-TpmEndorsementKey (EK from its TCG template, certificate from NV)'
    Get-TpmEndorsementKey -Tpm $tpm | Format-Table | Out-String | Write-Output

    Show 'New-TpmAttestationKey, then Get-TpmQuote over sha256 PCRs 0-7 with a fresh nonce'
    $ak = New-TpmAttestationKey -Tpm $tpm -KeyType RsaSsa -Force -Confirm:$false   # at the default handle, 0x81010002
    $ak | Format-Table | Out-String | Write-Output
    $quote = $ak | Get-TpmQuote -Tpm $tpm -PcrIndex (0..7) -Bank sha256
    $quote | Format-List | Out-String | Write-Output
    $parsed = $quote.Parsed
    "Quote: nonce echoed = $([Convert]::ToHexString($parsed.ExtraData) -eq [Convert]::ToHexString($quote.Nonce)); resetCount = $($parsed.ResetCount); clock safe = $($parsed.Safe)"

    if (Get-Command tpm2_checkquote -ErrorAction Ignore) {
        Show 'Independent check of the quote with tpm2_checkquote'
        $dir = Join-Path ([IO.Path]::GetTempPath()) ('tc-demo-quote-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $null = New-Item -ItemType Directory $dir
        try {
            [IO.File]::WriteAllBytes("$dir/ak.pub", $ak.Public.ToTpm2BPublic())
            [IO.File]::WriteAllBytes("$dir/q.msg", $quote.Attest)
            [IO.File]::WriteAllBytes("$dir/q.sig", $quote.Signature.Marshal())
            $nonce = [Convert]::ToHexString($quote.Nonce)
            tpm2_checkquote -u "$dir/ak.pub" -m "$dir/q.msg" -s "$dir/q.sig" -g sha256 -q $nonce | Out-Null
            if ($LASTEXITCODE -ne 0) { throw 'tpm2_checkquote rejected our quote' }
            'tpm2_checkquote: signature and nonce verified'
        }
        finally { Remove-Item -Recurse -Force $dir }
    }

    Show 'Update-TpmPcr 16, and the quote digest moves'
    Update-TpmPcr 16 -Tpm $tpm -Text 'demo' -Bank sha256 -Confirm:$false | Format-Table | Out-String | Write-Output
    $after = Get-TpmQuote -Tpm $tpm -PcrIndex 16 -Bank sha256
    "PCR 16 quoted digest: $([Convert]::ToHexString($after.Parsed.PcrDigest).ToLowerInvariant())"

    Show 'Event log'
    $sample = Get-ChildItem (Join-Path $Root '../shared/testdata/eventlogs/tpm2-tools') -Filter 'event-sd-boot-fedora37.bin' -ErrorAction Ignore | Select-Object -First 1
    if (Test-Path /sys/kernel/security/tpm0/binary_bios_measurements) {
        Get-TpmEventLog | Select-Object -First 10 | Format-Table | Out-String | Write-Output
    }
    elseif ($sample) {
        "No local event log; a captured one ($($sample.Name)):"
        Get-TpmEventLog -LiteralPath $sample.FullName | Select-Object -First 10 | Format-Table | Out-String | Write-Output
        Get-TpmEventLogPcr -LiteralPath $sample.FullName -Bank sha256 -PcrIndex 0, 4, 7 | Format-Table | Out-String | Write-Output
    }
    else { 'No event log on this machine (a simulator has none).' }

    Show 'Attestation with the enrolled AK and a golden policy from this TPM: Invoke-HostAttestation -> Trusted'
    $policyFile = Join-Path ([IO.Path]::GetTempPath()) ('tc-demo-golden-' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.yaml')
    Get-AttestationEvidence -Tpm $tpm -PcrIndex 0, 7, 16 -NoEventLog | New-AttestationPolicy -Name demo-golden | Export-AttestationPolicy -Path $policyFile
    Get-Content $policyFile | Write-Output
    Invoke-HostAttestation -Tpm $tpm -AttestationKey $ak -PolicyPath $policyFile -NoEventLog | Format-Table | Out-String | Write-Output

    Show 'Update-TpmPcr 16, then Invoke-HostAttestation -> Untrusted, naming the PCR'
    $null = Update-TpmPcr 16 -Tpm $tpm -Text 'demo-rogue' -Confirm:$false
    Invoke-HostAttestation -Tpm $tpm -AttestationKey $ak -PolicyPath $policyFile -NoEventLog | Format-List | Out-String | Write-Output
    Remove-Item $policyFile

    Remove-TpmAttestationKey 0x81010002 -Tpm $tpm -Confirm:$false
}
finally {
    if ($stateDir) {
        & (Join-Path $Root 'tests/env/swtpm.sh') stop $stateDir
        Remove-Item -Recurse -Force $stateDir -ErrorAction Ignore
        Write-Information 'Stopped the simulator.' -InformationAction Continue
    }
}
