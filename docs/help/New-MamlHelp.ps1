<#
.SYNOPSIS
    Writes the module's MAML help from one data file per cmdlet (docs/help/<Verb-Noun>.psd1) and the built
    cmdlets' own metadata (parameter sets, types, pipeline binding, output types), so syntax never drifts.
.DESCRIPTION
    A data file holds: Synopsis, Description, Parameters (parameter name = text; state each default), Inputs
    (optional: pipeline parameter name = what to pipe to it), Outputs (text on what the output types hold),
    Notes, Examples (each @{ Code; Remarks }; the code must run as written, tests/Pester/HelpExamples.Tests.ps1
    runs it) and RelatedLinks. INPUTS lists every parameter that binds from the pipeline, from the metadata.

    A cmdlet without a data file, or a parameter without a description, is written without text: the Pester
    help tests then fail, which is the point.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SourcePath,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
$module = Import-Module (Join-Path $ModulePath 'TrustedCompute.psd1') -PassThru -Force
$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

$ns = @{
    maml = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$writer = [System.Xml.XmlWriter]::Create($OutputPath, $settings)

function Write-Element([string] $Prefix, [string] $Name, [string] $Text) {
    $writer.WriteElementString($Prefix, $Name, $ns[$Prefix], $Text)
}
function Write-Paragraphs([string] $Text) {
    $writer.WriteStartElement('maml', 'description', $ns.maml)
    foreach ($para in ($Text -split "\r?\n\s*\r?\n")) { Write-Element maml para $para.Trim() }
    $writer.WriteEndElement()
}
function Get-TypeName([type] $Type) { $Type.Name }
function Write-Parameter($Parameter, $SetParameter, [hashtable] $Descriptions) {
    $binding = @()
    if ($SetParameter.ValueFromPipeline) { $binding += 'ByValue' }
    if ($SetParameter.ValueFromPipelineByPropertyName) { $binding += 'ByPropertyName' }
    $writer.WriteStartElement('command', 'parameter', $ns.command)
    $writer.WriteAttributeString('required', $SetParameter.IsMandatory.ToString().ToLowerInvariant())
    $writer.WriteAttributeString('position', $(if ($SetParameter.Position -ge 0) { [string] ($SetParameter.Position + 1) } else { 'named' }))
    $writer.WriteAttributeString('pipelineInput', $(if ($binding) { "True ($($binding -join ', '))" } else { 'False' }))
    $writer.WriteAttributeString('globbing', 'false')
    $writer.WriteAttributeString('variableLength', 'true')
    Write-Element maml name $Parameter.Name
    Write-Paragraphs ([string] $Descriptions[$Parameter.Name])
    $writer.WriteStartElement('command', 'parameterValue', $ns.command)
    $writer.WriteAttributeString('required', ($Parameter.ParameterType -ne [System.Management.Automation.SwitchParameter]).ToString().ToLowerInvariant())
    $writer.WriteString((Get-TypeName $Parameter.ParameterType))
    $writer.WriteEndElement()
    $writer.WriteStartElement('dev', 'type', $ns.dev); Write-Element maml name $Parameter.ParameterType.FullName; $writer.WriteEndElement()
    $writer.WriteEndElement()
}

function Write-TypeEntry([string] $Element, [string] $TypeName, [string] $Text) {
    $writer.WriteStartElement('command', $Element, $ns.command)
    $writer.WriteStartElement('dev', 'type', $ns.dev); Write-Element maml name $TypeName; $writer.WriteEndElement()
    if ($Text) { Write-Paragraphs $Text }
    $writer.WriteEndElement()
}
# What binds from the pipeline: per parameter, its type, how it binds, and the data file's Inputs text for it.
function Get-PipelineBinding($Command) {
    foreach ($p in $Command.Parameters.Values | Where-Object Name -NotIn $common | Sort-Object Name) {
        $attributes = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
        $ways = @()
        if ($attributes.ValueFromPipeline -contains $true) { $ways += 'by value' }
        if ($attributes.ValueFromPipelineByPropertyName -contains $true) {
            $ways += "by property name ($((@($p.Name) + @($p.Aliases)) -join ', '))"
        }
        if (-not $ways) { continue }
        $text = "-$($p.Name), $($ways -join ' and ')."
        if ($src.Inputs -and $src.Inputs[$p.Name]) { $text += ' ' + $src.Inputs[$p.Name] }
        $type = $p.ParameterType
        $name = if ([Nullable]::GetUnderlyingType($type)) { "System.Nullable[$([Nullable]::GetUnderlyingType($type).FullName)]" } else { $type.FullName }
        [pscustomobject]@{ Type = $name; Text = $text }
    }
}

$writer.WriteStartDocument()
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')
foreach ($cmd in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $file = Join-Path $SourcePath "$($cmd.Name).psd1"
    $src = if (Test-Path $file) { Import-PowerShellDataFile $file } else { @{ Parameters = @{}; Examples = @() } }
    $descriptions = if ($src.Parameters) { $src.Parameters } else { @{} }

    $writer.WriteStartElement('command', 'command', $ns.command)
    $writer.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
    $writer.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)
    $writer.WriteStartElement('command', 'details', $ns.command)
    Write-Element command name $cmd.Name
    Write-Element command verb $cmd.Verb
    Write-Element command noun $cmd.Noun
    Write-Paragraphs ([string] $src.Synopsis)
    $writer.WriteEndElement()
    Write-Paragraphs ([string] $src.Description)

    $writer.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $cmd.ParameterSets) {
        $writer.WriteStartElement('command', 'syntaxItem', $ns.command)
        Write-Element maml name $cmd.Name
        foreach ($p in $set.Parameters | Where-Object Name -NotIn $common) {
            Write-Parameter $cmd.Parameters[$p.Name] $p $descriptions
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($name in $cmd.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object) {
        $p = $cmd.Parameters[$name]
        Write-Parameter $p ($cmd.ParameterSets.Parameters | Where-Object Name -EQ $name | Select-Object -First 1) $descriptions
    }
    $writer.WriteEndElement()

    # INPUTS: one entry per parameter that binds from the pipeline (from the cmdlet's metadata), then the text.
    $writer.WriteStartElement('command', 'inputTypes', $ns.command)
    $inputs = @(Get-PipelineBinding $cmd)
    if ($inputs.Count -eq 0) { Write-TypeEntry 'inputType' 'None' 'This cmdlet takes no pipeline input.' }
    foreach ($entry in $inputs) { Write-TypeEntry 'inputType' $entry.Type $entry.Text }
    $writer.WriteEndElement()

    # OUTPUTS: the declared output types; the data file's Outputs text describes them.
    $writer.WriteStartElement('command', 'returnValues', $ns.command)
    $first = $true
    foreach ($type in $cmd.OutputType) {
        Write-TypeEntry 'returnValue' $type.Name $(if ($first) { [string] $src.Outputs })
        $first = $false
    }
    $writer.WriteEndElement()

    if ($src.Notes) {
        $writer.WriteStartElement('maml', 'alertSet', $ns.maml)
        $writer.WriteStartElement('maml', 'alert', $ns.maml)
        Write-Element maml para $src.Notes
        $writer.WriteEndElement(); $writer.WriteEndElement()
    }

    $writer.WriteStartElement('command', 'examples', $ns.command)
    $i = 0
    foreach ($example in $src.Examples) {
        $i++
        $writer.WriteStartElement('command', 'example', $ns.command)
        Write-Element maml title "-------------------------- Example $i --------------------------"
        Write-Element dev code $example.Code
        $writer.WriteStartElement('dev', 'remarks', $ns.dev); Write-Element maml para $example.Remarks; $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'relatedLinks', $ns.command)
    foreach ($link in @('about_TrustedCompute') + @($src.RelatedLinks | Where-Object { $_ })) {
        $writer.WriteStartElement('maml', 'navigationLink', $ns.maml); Write-Element maml linkText $link; $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
    $writer.WriteEndElement()
}
$writer.WriteEndElement()
$writer.WriteEndDocument()
$writer.Dispose()
