using System.Management.Automation;
using TrustedCompute.PowerShell.Infrastructure;

namespace TrustedCompute.PowerShell.Commands.Attestation;

/// <summary>What the import cmdlets share: files by -Path (wildcards) or -LiteralPath.</summary>
public abstract class AttestationFileCmdlet : TrustedComputeCmdlet
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>Every file the parameters name; a name that matches nothing is a non-terminating error with id "{prefix}PathNotFound".</summary>
    protected IEnumerable<string> Files(string pathNotFoundId)
    {
        foreach (var path in ParameterSetName == PathSet ? Path : LiteralPath)
        {
            var files = new List<string>();
            try
            {
                if (ParameterSetName == PathSet) files.AddRange(GetResolvedProviderPathFromPSPath(path, out _));
                else files.Add(GetUnresolvedProviderPathFromPSPath(path));
            }
            catch (Exception e) when (e is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException)
            {
                WriteError(new FileNotFoundException(e.Message, path), pathNotFoundId, path);
                continue;
            }
            foreach (var file in files)
            {
                if (File.Exists(file)) yield return file;
                else WriteError(new FileNotFoundException($"No file {file}", file), pathNotFoundId, file);
            }
        }
    }
}
