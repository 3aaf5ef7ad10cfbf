using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.Fleet;

/// <summary>Where a module was put on a remote host.</summary>
public sealed class ModuleInstallation
{
    public required string ComputerName { get; init; }
    public required string Path { get; init; }
    public required Version Version { get; init; }
    /// <summary>False when the host had this version already (and -Force was not given).</summary>
    public bool Copied { get; init; }
}

/// <summary>
/// Puts this module's version on remote hosts over their sessions: into the first folder of the remote user's
/// PSModulePath, as TrustedCompute/&lt;version&gt;. A host that has this version already is left alone unless -Force.
/// </summary>
[Cmdlet(VerbsLifecycle.Install, "TrustedComputeModule", SupportsShouldProcess = true)]
[OutputType(typeof(ModuleInstallation))]
public sealed class InstallTrustedComputeModuleCommand : TrustedComputeCmdlet
{
    private const string ProbeScript = """
        param($Session, $Version)
        Invoke-Command -Session $Session -ErrorAction Stop -ArgumentList $Version -ScriptBlock {
            param($version)
            $null = $null
            $root = ($env:PSModulePath -split [IO.Path]::PathSeparator | Where-Object { $_ }) | Select-Object -First 1
            $have = @(Get-Module TrustedCompute -ListAvailable | Where-Object { $_.Version -eq $version })
            [pscustomobject]@{ Path = Join-Path $root "TrustedCompute/$version"; Present = $have.Count -gt 0 }
        }
        """;

    private const string CopyScript = """
        param($Session, $Source, $Destination)
        Invoke-Command -Session $Session -ErrorAction Stop -ArgumentList $Destination -ScriptBlock {
            param($path)
            $null = $null
            if (Test-Path $path) { Remove-Item -Recurse -Force $path }
            $null = New-Item -ItemType Directory -Force $path
        }
        Copy-Item -ToSession $Session -Path (Join-Path $Source '*') -Destination $Destination -Recurse -Force -ErrorAction Stop
        """;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public PSSession[] Session { get; set; } = [];

    /// <summary>Copy even when the host has this version already.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        string source = System.IO.Path.GetDirectoryName(typeof(InstallTrustedComputeModuleCommand).Assembly.Location)!;
        var version = RemotingEvidenceSource.ThisModuleVersion;
        foreach (var session in Session)
        {
            try
            {
                var probe = InvokeCommand.InvokeScript(false, ScriptBlock.Create(ProbeScript), null, session, version.ToString())
                    .Single();
                string path = (string)probe.Properties["Path"].Value;
                bool present = LanguagePrimitives.IsTrue(probe.Properties["Present"].Value);
                if (present && !Force)
                {
                    WriteVerbose($"{session.ComputerName} has TrustedCompute {version} already");
                    WriteObject(new ModuleInstallation { ComputerName = session.ComputerName, Path = path, Version = version });
                    continue;
                }
                if (!ShouldProcess(session.ComputerName, $"Install TrustedCompute {version} into {path}")) continue;
                InvokeCommand.InvokeScript(false, ScriptBlock.Create(CopyScript), null, session, source, path);
                WriteObject(new ModuleInstallation { ComputerName = session.ComputerName, Path = path, Version = version, Copied = true });
            }
            catch (Exception e) when (e is RuntimeException or InvalidOperationException)
            {
                WriteError(e, ErrorIds.InstallTrustedComputeModuleFailed, session.ComputerName);
            }
        }
    }
}
