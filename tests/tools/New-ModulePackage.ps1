<#
.SYNOPSIS
    Packs the staged module folder into a .nupkg that PSResourceGet/PowerShellGet can install.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputPath,
    [Parameter(Mandatory)] [string] $Version
)
$ErrorActionPreference = 'Stop'
Add-Type -AssemblyName System.IO.Compression, System.IO.Compression.FileSystem
$manifest = Import-PowerShellDataFile (Join-Path $ModulePath 'TrustedCompute.psd1')
$package = Join-Path $OutputPath "TrustedCompute.$Version.nupkg"
Remove-Item $package -ErrorAction Ignore

$tags = ($manifest.PrivateData.PSData.Tags + 'PSModule' | ForEach-Object { $_ }) -join ' '
$nuspec = @"
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd">
  <metadata>
    <id>TrustedCompute</id>
    <version>$Version</version>
    <authors>$([Security.SecurityElement]::Escape($manifest.Author))</authors>
    <description>$([Security.SecurityElement]::Escape($manifest.Description))</description>
    <tags>$tags</tags>
  </metadata>
</package>
"@
$contentTypes = @'
<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="nuspec" ContentType="application/octet" />
  <Default Extension="psd1" ContentType="application/octet" />
  <Default Extension="dll" ContentType="application/octet" />
  <Default Extension="xml" ContentType="application/octet" />
  <Default Extension="txt" ContentType="application/octet" />
  <Default Extension="ps1xml" ContentType="application/octet" />
</Types>
'@
$zip = [System.IO.Compression.ZipFile]::Open($package, 'Create')
try {
    $add = {
        param([string] $name, [string] $text)
        $entry = $zip.CreateEntry($name)
        $writer = [System.IO.StreamWriter]::new($entry.Open())
        try { $writer.Write($text) } finally { $writer.Dispose() }
    }
    & $add 'TrustedCompute.nuspec' $nuspec
    & $add '[Content_Types].xml' $contentTypes
    $root = (Resolve-Path $ModulePath).Path
    foreach ($file in Get-ChildItem $root -Recurse -File) {
        $relative = [IO.Path]::GetRelativePath($root, $file.FullName).Replace('\', '/')
        $null = [System.IO.Compression.ZipFileExtensions]::CreateEntryFromFile($zip, $file.FullName, $relative)
    }
}
finally { $zip.Dispose() }
Get-Item $package
