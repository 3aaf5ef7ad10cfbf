# Loads the cmdlet assembly, hooks the private load context for TrustedCompute.Core and its packages, and only
# then lets PowerShell scan the cmdlets: their parameter and output types live in Core, which the default context
# cannot find on its own.
$binary = Join-Path $PSScriptRoot 'TrustedCompute.PowerShell.dll'
$null = [System.Reflection.Assembly]::LoadFrom($binary)
[TrustedCompute.PowerShell.Infrastructure.ModuleInitializer]::Register()
Import-Module $binary -Force
Export-ModuleMember -Cmdlet '*'
