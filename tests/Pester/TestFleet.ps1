# Dot-sourced by the netns fleet tests (tests/env/fleet.sh: real sshd and swtpm per host, needs root).

# Brings up $Size hosts under $State, each with a fresh attestation key; returns the hosts and the SSH parameters.
function Start-TestFleet([string] $State, [int] $Size, [string] $PwshPath) {
    $settings = @{}
    & (Join-Path $PSScriptRoot '../env/fleet.sh') up $State $Size $PwshPath $env:TRUSTEDCOMPUTE_MODULE_PATH |
        ForEach-Object { $k, $v = $_ -split '=', 2; $settings[$k] = $v }
    if ($LASTEXITCODE) { throw 'fleet.sh up failed' }
    $hosts = @(Get-Content $settings.HOSTS | ForEach-Object {
            $i, $name, $ip, $ns = $_ -split "`t"
            [pscustomobject]@{ Index = [int] $i; Name = $name; Ip = $ip }
        })
    $ssh = @{
        UserName = 'root'; KeyFilePath = $settings.KEY
        Options  = @{ UserKnownHostsFile = $settings.KNOWN_HOSTS; StrictHostKeyChecking = 'yes' }
    }
    $sessions = New-PSSession -HostName $hosts.Ip @ssh
    try { Invoke-Command -Session $sessions { $null = $null; $null = New-TpmAttestationKey -Force -Confirm:$false } }
    finally { Remove-PSSession $sessions }
    [pscustomobject]@{ Hosts = $hosts; Ssh = $ssh }
}

# A folder with the CA certificates of swtpm's local CA, which issues the simulated TPMs' EK certificates.
function New-TestEkRoot([string] $Work) {
    $roots = New-Item -ItemType Directory (Join-Path $Work 'roots')
    $ca = Join-Path (Split-Path (& (Join-Path $PSScriptRoot '../env/swtpm.sh') template)) 'localca'
    Copy-Item (Join-Path $ca 'issuercert.pem'), (Join-Path $ca 'swtpm-localca-rootca-cert.pem') $roots
    $roots.FullName
}

# Stores policy $PolicyName made from what $Evidence collects on the first host, then enrolls every host with it and $Tag.
function Register-TestFleet([string[]] $Ip, [hashtable] $Ssh, [string] $Roots, [string] $PolicyName, [string] $Tag,
    [scriptblock] $Evidence, [switch] $KeepReferenceLog, [string] $StoreConnectionString) {
    $store = if ($StoreConnectionString) { @{ StoreConnectionString = $StoreConnectionString } } else { @{} }
    $sessions = New-PSSession -HostName $Ip @Ssh
    try {
        Invoke-Command -Session $sessions[0] $Evidence | New-AttestationPolicy -Name $PolicyName -KeepReferenceLog:$KeepReferenceLog |
            Register-AttestationPolicy @store | Out-Null
        $null = Register-TrustedHost -Session $sessions -EkTrustPath $Roots -PolicyName $PolicyName -Tag $Tag @store
    }
    finally { Remove-PSSession $sessions }
}
