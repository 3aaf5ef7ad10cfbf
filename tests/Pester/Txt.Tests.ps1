#Requires -Modules Pester
BeforeAll {
    Import-Module (Join-Path $env:TRUSTEDCOMPUTE_MODULE_PATH TrustedCompute.psd1) -Force
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ("tc-lcp-pester-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory $Work
    $script:Rsa = [System.Security.Cryptography.RSA]::Create(2048)
    $script:KeyPath = Join-Path $Work 'key.pem'
    Set-Content -Path $KeyPath -Value $Rsa.ExportPkcs8PrivateKeyPem()
    function script:Hex([byte[]] $Bytes) { [Convert]::ToHexString($Bytes).ToLowerInvariant() }
    function script:RandomHex([int] $Size) { Hex ([System.Security.Cryptography.RandomNumberGenerator]::GetBytes($Size)) }
    $script:Tools = @('/usr/sbin/lcp2_crtpolelt', '/usr/sbin/lcp2_crtpollist', '/usr/sbin/lcp2_crtpol') | Where-Object { Test-Path $_ }
}

AfterAll {
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
}

Describe 'New-LaunchControlPolicyElement' {
    It 'makes an MLE2 element that carries the hashes given' {
        $h = RandomHex 32
        $e = New-LaunchControlPolicyElement -Type Mle -Hash $h -SinitMinVersion 5
        $e.Type | Should -Be 'Mle2'
        $e.SinitMinVersion | Should -Be 5
        Hex $e.Hashes[0] | Should -Be $h
        $e.Size | Should -Be 50
    }

    It 'hashes every selected PCR from Get-TpmPcr-like pipeline objects, PCR7 included' {
        $values = 0, 7 | ForEach-Object { [pscustomobject]@{ Index = $_; Algorithm = 'Sha256'; Value = [System.Security.Cryptography.RandomNumberGenerator]::GetBytes(32) } }
        $sha1 = [pscustomobject]@{ Index = 1; Algorithm = 'Sha1'; Value = [byte[]]::new(20) }
        $e = @($values) + $sha1 | New-LaunchControlPolicyElement -Type Pconf
        $e.Type | Should -Be 'Pconf2'
        $e.PcrInfos[0].PcrIndexes | Should -Be @(0, 7)
        $expected = [System.Security.Cryptography.SHA256]::HashData([byte[]] ($values[0].Value + $values[1].Value))
        Hex $e.PcrInfos[0].Digest | Should -Be (Hex $expected)
    }

    It 'equals lcp2_crtpolelt for an STM element' -Skip:(-not (Test-Path /usr/sbin/lcp2_crtpolelt)) {
        $h = RandomHex 32
        $hashFile = Join-Path $Work 'stm.txt'
        Set-Content -Path $hashFile -Value (($h -split '(..)' -ne '') -join ' ') -NoNewline
        & /usr/sbin/lcp2_crtpolelt --create --type stm --ctrl 0x0 --alg sha256 --out (Join-Path $Work 'stm.elt') $hashFile | Out-Null
        $ours = New-LaunchControlPolicyElement -Type Stm -Hash $h
        $ours | Export-LaunchControlPolicy -Path (Join-Path $Work 'ours.elt') -Force
        (Get-FileHash (Join-Path $Work 'ours.elt')).Hash | Should -Be (Get-FileHash (Join-Path $Work 'stm.elt')).Hash
    }

    It 'builds an object, changing nothing, so it takes no -WhatIf' {
        foreach ($name in 'New-LaunchControlPolicy', 'New-LaunchControlPolicyElement', 'New-LaunchControlPolicyList') {
            (Get-Command $name).Parameters.ContainsKey('WhatIf') | Should -BeFalse -Because $name
        }
    }

    It 'refuses -Legacy for SBIOS with a stable error id' {
        { New-LaunchControlPolicyElement -Type Sbios -Hash (RandomHex 20) -Legacy -ErrorAction Stop } |
            Should -Throw -ErrorId 'NewLaunchControlPolicyElementInvalidArgument,TrustedCompute.PowerShell.Commands.Txt.NewLaunchControlPolicyElementCommand'
    }
}

Describe 'A policy from elements to files and back' {
    BeforeAll {
        $script:MleHash = RandomHex 32
        $mle = New-LaunchControlPolicyElement -Type Mle -Hash $MleHash
        $script:Pcr0 = RandomHex 32
        $pconf = New-LaunchControlPolicyElement -Type Pconf -PcrValue @{ 0 = $Pcr0 }
        $script:Signed = $mle, $pconf | New-LaunchControlPolicyList -KeyFilePath $KeyPath -RevocationCounter 3
        $custom = New-LaunchControlPolicyElement -Type Custom -Data ([byte[]] (1..12))
        $script:Policy = $Signed, $custom | New-LaunchControlPolicy -SinitMinVersion 2
        $script:Files = $Policy | Export-LaunchControlPolicy -Path (Join-Path $Work 'po') -PassThru
    }

    It 'signs the list and derives the masks' {
        $Signed.Signature.Scheme | Should -Be 'RsaPss'
        $Signed.Signature.RevocationCounter | Should -Be 3
        $Policy.ListCount | Should -Be 2
        $Policy.Policy.LcpSignAlgorithmMask | Should -Be 'Rsa2048Sha256'
        $Policy.Policy.LcpHashAlgorithmMask | Should -Be 'Sha256'
    }

    It 'writes .pol and .data, and reads them back unchanged' {
        $Files.Name | Should -Be @('po.pol', 'po.data')
        $back = Import-LaunchControlPolicy (Join-Path $Work 'po.pol')
        $back.PolicyHash | Should -Be $Policy.PolicyHash
        $back.Data.Lists.Count | Should -Be 2
        Hex $back.Data.ToBytes() | Should -Be (Hex $Policy.Data.ToBytes())
    }

    It 'finds the policy sound and tells allowed from not allowed' {
        $result = Test-LaunchControlPolicy -Path (Join-Path $Work 'po.pol') -Measurement $MleHash -PcrValue @{ 0 = $Pcr0 }
        $result.IsValid | Should -BeTrue
        $result.MleAllowed | Should -BeTrue
        $result.PlatformAllowed | Should -BeTrue
        $other = $Policy | Test-LaunchControlPolicy -Measurement (RandomHex 32) -PcrValue @{ 0 = (RandomHex 32) }
        $other.MleAllowed | Should -BeFalse
        $other.PlatformAllowed | Should -BeFalse
        $Policy | Test-LaunchControlPolicy -Measurement (RandomHex 32) -Quiet | Should -BeFalse
        $pcrObjects = [pscustomobject]@{ Index = 0; Bank = 'sha256'; Value = [Convert]::FromHexString($Pcr0) },
                      [pscustomobject]@{ Index = 0; Bank = 'sha1'; Value = [byte[]]::new(20) }
        ($Policy | Test-LaunchControlPolicy -PcrValue $pcrObjects).PlatformAllowed | Should -BeTrue
    }

    It 'reports a tampered data file by finding id' {
        $data = [IO.File]::ReadAllBytes((Join-Path $Work 'po.data'))
        $data[70] = $data[70] -bxor 1
        [IO.File]::WriteAllBytes((Join-Path $Work 'tampered.data'), $data)
        $result = Test-LaunchControlPolicy -Path (Join-Path $Work 'po.pol') -DataPath (Join-Path $Work 'tampered.data')
        $result.IsValid | Should -BeFalse
        $result.Findings.Id | Should -Contain 'list.signature'
    }

    It 'keeps existing files without -Force and writes nothing with -WhatIf' {
        $Policy | Export-LaunchControlPolicy -Path (Join-Path $Work 'po') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ExportLaunchControlPolicyFileExists,TrustedCompute.PowerShell.Commands.Txt.ExportLaunchControlPolicyCommand'
        $Policy | Export-LaunchControlPolicy -Path (Join-Path $Work 'whatif') -WhatIf
        Test-Path (Join-Path $Work 'whatif.pol') | Should -BeFalse
    }

    It 'moves the revocation counter only up when re-signing' {
        $list = Import-LaunchControlPolicy (Join-Path $Work 'po.data') | ForEach-Object { $_.Lists[0] }
        $list | Set-LaunchControlPolicyListSignature -KeyFilePath $KeyPath -RevocationCounter 1 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'SetLaunchControlPolicyListSignatureInvalidArgument,TrustedCompute.PowerShell.Commands.Txt.SetLaunchControlPolicyListSignatureCommand'
        ($list | Set-LaunchControlPolicyListSignature -KeyFilePath $KeyPath -PassThru).Signature.RevocationCounter | Should -Be 4
    }

    It 'sets the aux mask and control bits it is given' {
        $p = $Signed | New-LaunchControlPolicy -Version 3.1 -AuxHashAlgorithmMask Sha256, Sha384 -PolicyControl NpwAllowed, OwnerEnforced
        $p.Policy.AuxHashAlgorithmMask | Should -Be 0x48
        [uint32] $p.Policy.PolicyControl | Should -Be 0xA
        $p.Version | Should -Be '3.1'
    }

    It 'equals lcp2_crtpol for the same lists' -Skip:(-not (Test-Path /usr/sbin/lcp2_crtpol)) {
        $listFiles = $Policy.Data.Lists | ForEach-Object -Begin { $i = 0 } -Process {
            $p = Join-Path $Work "l$i.lst"; $i++
            $_ | Export-LaunchControlPolicy -Path $p -Force
            $p
        }
        & /usr/sbin/lcp2_crtpol --create --type list --polver 3.2 --alg sha256 --mask sha256 --sign rsa-2048-sha256 --minver 2 `
            --pol (Join-Path $Work 'tool.pol') --data (Join-Path $Work 'tool.data') @listFiles | Out-Null
        (Get-FileHash (Join-Path $Work 'tool.pol')).Hash | Should -Be (Get-FileHash (Join-Path $Work 'po.pol')).Hash
        (Get-FileHash (Join-Path $Work 'tool.data')).Hash | Should -Be (Get-FileHash (Join-Path $Work 'po.data')).Hash
    }
}

Describe 'Import-LaunchControlPolicy' {
    It 'rejects a truncated file with an error naming the field' {
        $e = New-LaunchControlPolicyElement -Type Mle -Hash (RandomHex 32)
        $bytes = $e.ToBytes()
        [IO.File]::WriteAllBytes((Join-Path $Work 'short.elt'), $bytes[0..20])
        Import-LaunchControlPolicy (Join-Path $Work 'short.elt') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ImportLaunchControlPolicyInvalid,TrustedCompute.PowerShell.Commands.Txt.ImportLaunchControlPolicyCommand'
        $err[0].Exception.Field | Should -Be 'Element.Size'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'reports a missing file as not found and goes on with the next' {
        $e = New-LaunchControlPolicyElement -Type Stm -Hash (RandomHex 32)
        $e | Export-LaunchControlPolicy -Path (Join-Path $Work 'ok.elt') -Force
        $got = Import-LaunchControlPolicy -LiteralPath (Join-Path $Work 'missing.elt'), (Join-Path $Work 'ok.elt') -ErrorVariable err -ErrorAction SilentlyContinue
        $got.Type | Should -Be 'Stm2'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ImportLaunchControlPolicyNotFound,*'
    }
}

Describe 'Txt help' {
    It '<_> has a synopsis, an example and a description for every parameter' -ForEach @(
        'New-LaunchControlPolicyElement', 'New-LaunchControlPolicyList', 'Set-LaunchControlPolicyListSignature', 'New-LaunchControlPolicy', 'Get-LaunchControlPolicy', 'Set-LaunchControlPolicy',
        'Export-LaunchControlPolicy', 'Import-LaunchControlPolicy', 'Test-LaunchControlPolicy') {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($name in (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common }) {
            ($help.Parameters.Parameter | Where-Object Name -EQ $name).Description.Text | Should -Not -BeNullOrEmpty -Because "$name needs help"
        }
    }
}

Describe 'Set-LaunchControlPolicy and Get-LaunchControlPolicy on swtpm' -Skip:(-not (Get-Command swtpm -ErrorAction Ignore) -or -not (Get-Command tpm2_nvread -ErrorAction Ignore)) {
    BeforeAll {
        $script:TpmDir = Join-Path $Work 'swtpm'
        $null = New-Item -ItemType Directory $TpmDir
        $envScript = Join-Path $PSScriptRoot '../env/swtpm.sh'
        $vars = @{}
        & $envScript start $TpmDir | ForEach-Object { $k, $v = $_ -split '=', 2; $vars[$k] = $v }
        $script:Tpm = $vars.TRUSTEDCOMPUTE_TPM
        $script:Tcti = "swtpm:host=127.0.0.1,port=$($vars.PORT)"
        $script:NvPolicy = New-LaunchControlPolicyElement -Type Mle -Hash (RandomHex 32) | New-LaunchControlPolicy
    }

    AfterAll {
        & (Join-Path $PSScriptRoot '../env/swtpm.sh') stop $TpmDir | Out-Null
    }

    It 'writes nothing with -WhatIf' {
        $NvPolicy | Set-LaunchControlPolicy -Tpm $Tpm -WhatIf
        & tpm2_nvreadpublic -T $Tcti 0x01C10106 2>$null
        $LASTEXITCODE | Should -Not -Be 0
    }

    It 'defines 0x01C10106 and writes our bytes, which tpm2_nvread returns' {
        $result = $NvPolicy | Set-LaunchControlPolicy -Tpm $Tpm -Confirm:$false -PassThru
        $result.Defined | Should -BeTrue
        '0x{0:X8}' -f $result.Attributes | Should -Be '0x2204000A'
        $out = Join-Path $Work 'nv.bin'
        & tpm2_nvread -T $Tcti 0x01C10106 -C 0x01C10106 -s 70 -o $out | Out-Null
        Hex ([IO.File]::ReadAllBytes($out)) | Should -Be (Hex $NvPolicy.Policy.ToBytes())
    }

    It 'reads back an index written by tpm2_nvwrite' {
        $other = New-LaunchControlPolicy -PolicyType Any
        $file = Join-Path $Work 'any.pol'
        $other | Export-LaunchControlPolicy -Path $file -Force
        & tpm2_nvwrite -T $Tcti 0x01C10106 -C o -i $file | Out-Null
        $read = Get-LaunchControlPolicy -Tpm $Tpm
        $read.PolicyType | Should -Be 'Any'
        Hex $read.Policy.ToBytes() | Should -Be (Hex $other.Policy.ToBytes())
    }

    It 'uses the owner authorization it is given and never shows it' {
        & tpm2_changeauth -T $Tcti -c o 'pester-owner-secret' | Out-Null
        try {
            $NvPolicy | Set-LaunchControlPolicy -Legacy -Tpm $Tpm -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -Be 'SetLaunchControlPolicyTpmError,TrustedCompute.PowerShell.Commands.Txt.SetLaunchControlPolicyCommand'
            $secret = ConvertTo-SecureString 'pester-owner-secret' -AsPlainText -Force
            $credential = [pscredential]::new('owner', $secret)
            $result = $NvPolicy | Set-LaunchControlPolicy -Legacy -Tpm $Tpm -OwnerCredential $credential -Confirm:$false -PassThru -Verbose 4>&1
            ($result | Out-String) | Should -Not -Match 'pester-owner-secret'
            ($result | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Index | Should -Be 0x01400001
            (Get-LaunchControlPolicy -Legacy -Tpm $Tpm).PolicyHash | Should -Be $NvPolicy.PolicyHash
        }
        finally {
            & tpm2_nvundefine -T $Tcti 0x01400001 -C o -P 'pester-owner-secret' 2>$null | Out-Null
            & tpm2_changeauth -T $Tcti -c o -p 'pester-owner-secret' | Out-Null
        }
    }

    It 'makes a PCONF element from Get-TpmPcr output that a TPM2_Quote-style digest matches' {
        $pcrs = Get-TpmPcr -Tpm $Tpm -Index 0, 7 -Bank sha256
        $element = $pcrs | New-LaunchControlPolicyElement -Type Pconf
        $element.PcrInfos[0].PcrIndexes | Should -Be @(0, 7)
        $values = & tpm2_pcrread -T $Tcti sha256:0,7 -o (Join-Path $Work 'pcrs.bin') | Out-Null
        $raw = [IO.File]::ReadAllBytes((Join-Path $Work 'pcrs.bin'))
        Hex $element.PcrInfos[0].Digest | Should -Be (Hex ([System.Security.Cryptography.SHA256]::HashData($raw)))
    }

    It 'reports an undefined index with a stable error id' {
        Get-LaunchControlPolicy -Legacy -Tpm $Tpm -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'GetLaunchControlPolicyNotFound,TrustedCompute.PowerShell.Commands.Txt.GetLaunchControlPolicyCommand'
    }
}
