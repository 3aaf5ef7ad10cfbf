<#
.SYNOPSIS
    Static checks over every .ps1/.psm1/.psd1 under a folder, with PowerShell's own parser (PSScriptAnalyzer is
    not available here): syntax errors, aliases, Write-Host, Invoke-Expression, unapproved verbs, empty catch.
    Writes one line per problem; nothing when clean.
#>
[CmdletBinding()]
param([Parameter(Mandatory)] [string] $Path)

$skip = [regex] '[\\/](out|bin|obj|\.tools|\.git|TestResults)[\\/]'
$approved = (Get-Verb).Verb
$aliases = @{}
Get-Alias | ForEach-Object { $aliases[$_.Name] = $_.Definition }

$files = Get-ChildItem -Path $Path -Recurse -File -Include '*.ps1', '*.psm1', '*.psd1' | Where-Object { -not $skip.IsMatch($_.FullName) }
foreach ($file in $files) {
    $tokens = $null; $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref] $tokens, [ref] $errors)
    $where = { param($extent) "$($file.FullName):$($extent.StartLineNumber)" }
    foreach ($e in $errors) { "$(& $where $e.Extent): syntax: $($e.Message)" }

    $commands = $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)
    foreach ($c in $commands) {
        $name = $c.GetCommandName()
        if (-not $name) { continue }
        if ($aliases.ContainsKey($name) -and $name -ne $aliases[$name]) { "$(& $where $c.Extent): alias '$name' (use $($aliases[$name]))" }
        if ($name -eq 'Write-Host') { "$(& $where $c.Extent): Write-Host (use Write-Information or Write-Output)" }
        if ($name -in 'Invoke-Expression', 'iex') { "$(& $where $c.Extent): Invoke-Expression" }
    }

    $functions = $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true)
    foreach ($f in $functions) {
        if ($f.Name -match '^([A-Za-z]+)-' -and $Matches[1] -notin $approved) { "$(& $where $f.Extent): unapproved verb in '$($f.Name)'" }
    }

    $catches = $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CatchClauseAst] }, $true)
    foreach ($k in $catches) {
        if ($k.Body.Statements.Count -eq 0) { "$(& $where $k.Extent): empty catch block" }
    }
}
