#Requires -Version 7.4
<#
.SYNOPSIS
    Fuzzes one target with AFL++ and SharpFuzz; minimizes and saves each crash under tests/fuzz/crashes/<target>/.
.DESCRIPTION
    Builds the harness into out/fuzz/bin, instruments TrustedCompute.Core.dll and TrustedCompute.Service.dll there,
    seeds from tests/fuzz/corpus, tests/fuzz/crashes, ../shared/testdata (when present) and the previous run's
    queue, runs one afl-fuzz under nice -n 19 for -Duration, then appends the run's figures to tests/fuzz/runs.tsv.
    A crash is an exception outside the target's documented ones, the in-process memory cap, or the GC heap limit;
    a hang is an input over 1 s (-t 1000).
.EXAMPLE
    ./tests/fuzz/Invoke-Fuzz.ps1 -Target eventlog -Duration 10m
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Target,
    # 90s, 10m, 1h, or a TimeSpan.
    [Parameter(Mandatory)] [string] $Duration,
    # Save the minimized queue into tests/fuzz/corpus/<target>/ (only for targets not seeded from ../shared).
    [switch] $SaveCorpus
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$FuzzRoot = $PSScriptRoot
$Root = (Resolve-Path (Join-Path $FuzzRoot '../..')).Path
$Work = Join-Path $Root 'out/fuzz'
$Bin = Join-Path $Work 'bin'
$Harness = Join-Path $Bin 'TrustedCompute.Fuzz.dll'
$Tools = Join-Path $FuzzRoot '.tools'
$SharedTestData = Join-Path $Root '../shared/testdata'
# Hard GC heap limit for the fuzzed process (768 MiB): a blow-up past the targets' own caps dies as a crash.
$HeapLimit = '0x30000000'
# Our code whose branches AFL sees (the service's request parsing runs in TrustedCompute.Service.dll).
$InstrumentedAssemblies = @('TrustedCompute.Core.dll', 'TrustedCompute.Service.dll')

function Get-Seconds([string] $Text) {
    if ($Text -match '^(\d+)\s*(s|m|h)?$') {
        $n = [int] $Matches[1]
        switch ($Matches[2]) { 'm' { return $n * 60 } 'h' { return $n * 3600 } default { return $n } }
    }
    [int] [timespan]::Parse($Text, [cultureinfo]::InvariantCulture).TotalSeconds
}

function Invoke-Checked([string] $FilePath, [string[]] $ArgumentList) {
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) { throw "$FilePath $($ArgumentList -join ' ') failed with exit code $LASTEXITCODE" }
}

function Initialize-Harness {
    if (-not (Get-Command afl-fuzz -ErrorAction Ignore)) { throw 'afl-fuzz is not installed (apt-get install -y afl++)' }
    $sharpfuzz = Join-Path $Tools 'sharpfuzz'
    if (-not (Test-Path $sharpfuzz)) {
        Invoke-Checked dotnet @('tool', 'install', '--tool-path', $Tools, 'SharpFuzz.CommandLine', '--version', '2.3.0')
    }
    # Reuse the instrumented build while no source is newer; else a fresh folder (instrumenting twice fails).
    $stamp = Join-Path $Bin 'instrumented.stamp'
    if (Test-Path $stamp) {
        $built = (Get-Item $stamp).LastWriteTimeUtc
        $sources = @((Join-Path $Root 'src/TrustedCompute.Core'), (Join-Path $Root 'src/TrustedCompute.Service'),
            (Join-Path $FuzzRoot 'TrustedCompute.Fuzz'),
            (Join-Path $FuzzRoot 'TrustedCompute.Fuzz.Targets'))
        $newer = Get-ChildItem $sources -Recurse -File -Include '*.cs', '*.csproj' |
            Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' -and $_.LastWriteTimeUtc -gt $built }
        if (-not $newer) { return }
    }
    Remove-Item -Recurse -Force $Bin -ErrorAction Ignore
    $project = Join-Path $FuzzRoot 'TrustedCompute.Fuzz'
    Invoke-Checked dotnet @('publish', $project, '-c', 'Release', '-o', $Bin, '--nologo', '-v', 'q')
    foreach ($assembly in $InstrumentedAssemblies) { Invoke-Checked $sharpfuzz @((Join-Path $Bin $assembly)) }
    Set-Content $stamp "$($InstrumentedAssemblies -join ', ') instrumented by SharpFuzz"
}

# AFL tools started straight from pwsh see its console handles and find no instrumentation: go through bash,
# with stdin from /dev/null and all output to a log file.
function Invoke-Afl([string] $Log, [string[]] $Command) {
    & bash -c 'log=$1; shift; exec nice -n 19 "$@" </dev/null >"$log" 2>&1' afl $Log @Command
}

function Get-TargetInfo {
    $names = @(& dotnet $Harness list | ForEach-Object { ($_ -split '\s+')[0] })
    if ($Target -notin $names) { throw "No fuzz target '$Target'. Targets: $($names -join ', ')" }
}

# Seeds: the committed corpus and crashes, the shared test data, and what the previous run of this target found.
function New-SeedFolder([string] $Folder, [string] $Previous) {
    Remove-Item -Recurse -Force $Folder -ErrorAction Ignore
    $null = New-Item -ItemType Directory -Force $Folder
    foreach ($dir in @((Join-Path $FuzzRoot "corpus/$Target"), (Join-Path $FuzzRoot "crashes/$Target"))) {
        if (Test-Path $dir) { Get-ChildItem $dir -File | Copy-Item -Destination $Folder }
    }
    $shared = 0
    if (Test-Path $SharedTestData) {
        $shared = [int] (& dotnet $Harness shared $Target (Resolve-Path $SharedTestData).Path $Folder)
        if ($LASTEXITCODE -ne 0) { throw "Could not write the shared seeds of $Target" }
    }
    if ($Previous -and (Test-Path $Previous)) {
        foreach ($file in Get-ChildItem $Previous -File | Where-Object Length -le 65536) {
            $hash = (Get-FileHash -Algorithm SHA1 $file.FullName).Hash.Substring(0, 12)
            Copy-Item $file.FullName (Join-Path $Folder "prev-$hash")
        }
    }
    $shared
}

function Read-FuzzerStats([string] $Path) {
    $stats = @{}
    foreach ($line in Get-Content $Path) {
        if ($line -match '^(\w+)\s*:\s*(.*)$') { $stats[$Matches[1]] = $Matches[2].Trim() }
    }
    $stats
}

# afl-tmin in persistent mode may settle on an input that no longer fails: keep its result only if a replay fails.
function Test-Failing([string] $File, [string] $Kind) {
    if ($Kind -eq 'hang') { return $true }
    & bash -c 'exec dotnet "$@" </dev/null >/dev/null 2>&1' replay $Harness replay $Target $File
    $LASTEXITCODE -ne 0
}

function Save-Finding([string] $File, [string] $Kind) {
    $folder = Join-Path $FuzzRoot "crashes/$Target"
    $null = New-Item -ItemType Directory -Force $folder
    $minimized = Join-Path $Work "$Target.min"
    $tminArgs = @('-i', $File, '-o', $minimized, '-t', '1000', '-m', 'none')
    if ($Kind -eq 'hang') { $tminArgs += '-H' }
    Invoke-Afl (Join-Path $Work "$Target.tmin.log") (@('afl-tmin') + $tminArgs + @('--', 'dotnet', $Harness, 'run', $Target))
    $useMinimized = $LASTEXITCODE -eq 0 -and (Test-Path $minimized) -and (Test-Failing $minimized $Kind)
    $source = if ($useMinimized) { $minimized } else { $File }
    $hash = (Get-FileHash -Algorithm SHA1 $source).Hash.Substring(0, 12).ToLowerInvariant()
    $destination = Join-Path $folder "$Kind-$hash.bin"
    Copy-Item $source $destination -Force
    Remove-Item $minimized -ErrorAction Ignore
    $destination
}

$seconds = Get-Seconds $Duration
$null = New-Item -ItemType Directory -Force $Work
Initialize-Harness
Get-TargetInfo

$runFolder = Join-Path $Work $Target
$inFolder = Join-Path $runFolder 'in'
$findings = Join-Path $runFolder 'findings'
$previousQueue = Join-Path $runFolder 'queue'
$sharedCount = New-SeedFolder $inFolder $previousQueue
Remove-Item -Recurse -Force $findings -ErrorAction Ignore

$env:AFL_SKIP_CPUFREQ = '1'
$env:AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES = '1'
$env:AFL_SKIP_BIN_CHECK = '1'
$env:AFL_NO_AFFINITY = '1'
$env:AFL_NO_UI = '1'
$env:DOTNET_GCHeapHardLimit = $HeapLimit
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:TC_FUZZ_WARMUP = $inFolder
# The warm-up over the seeds runs before the fork server answers: give it up to two minutes on a loaded machine.
$env:AFL_FORKSRV_INIT_TMOUT = '120000'
$log = Join-Path $runFolder 'afl.log'
Write-Information "==> afl-fuzz $Target for $seconds s (seeds in $inFolder)" -InformationAction Continue
Invoke-Afl $log @('afl-fuzz', '-i', $inFolder, '-o', $findings, '-t', '1000', '-m', 'none', '-V', "$seconds", '--',
    'dotnet', $Harness, 'run', $Target)
$aflExit = $LASTEXITCODE
$statsFile = Join-Path $findings 'default/fuzzer_stats'
if (-not (Test-Path $statsFile)) {
    Get-Content $log -Tail 40 | Write-Warning
    throw "afl-fuzz wrote no statistics (exit code $aflExit); see $log"
}
$stats = Read-FuzzerStats $statsFile

# Keep the queue for the next run of this target; optionally commit it as corpus.
Remove-Item -Recurse -Force $previousQueue -ErrorAction Ignore
Copy-Item -Recurse (Join-Path $findings 'default/queue') $previousQueue
Remove-Item -Recurse -Force (Join-Path $previousQueue '.state') -ErrorAction Ignore
if ($SaveCorpus) {
    if ($sharedCount -gt 0) {
        Write-Warning "Not saving the queue of $Target as corpus: it grew from ../shared/testdata files, kept out of the repository"
    }
    else {
        $corpus = Join-Path $FuzzRoot "corpus/$Target"
        Get-ChildItem $previousQueue -File | Where-Object Length -le 16384 | ForEach-Object {
            $hash = (Get-FileHash -Algorithm SHA1 $_.FullName).Hash.Substring(0, 12).ToLowerInvariant()
            Copy-Item $_.FullName (Join-Path $corpus "q-$hash.bin")
        }
    }
}

$saved = @()
foreach ($kind in 'crash', 'hang') {
    $folder = Join-Path $findings ("default/" + $(if ($kind -eq 'crash') { 'crashes' } else { 'hangs' }))
    foreach ($file in Get-ChildItem $folder -File -Filter 'id:*' -ErrorAction Ignore) {
        $saved += Save-Finding $file.FullName $kind
    }
}

$row = [ordered]@{
    date = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', [cultureinfo]::InvariantCulture)
    target = $Target
    seconds = $stats['run_time'] ?? "$seconds"
    execs = $stats['execs_done']
    execs_per_sec = $stats['execs_per_sec']
    corpus = $stats['corpus_count'] ?? $stats['paths_total']
    edges = $stats['edges_found'] ?? ''
    crashes = $stats['saved_crashes'] ?? $stats['unique_crashes']
    hangs = $stats['saved_hangs'] ?? $stats['unique_hangs']
}
$table = Join-Path $FuzzRoot 'runs.tsv'
if (-not (Test-Path $table)) { Set-Content $table (($row.Keys -join "`t")) }
Add-Content $table (($row.Values -join "`t"))
[pscustomobject] $row | Format-List | Out-String | Write-Information -InformationAction Continue
foreach ($file in $saved) { Write-Warning "Saved $file (replay: dotnet $Harness replay $Target $file)" }
if ($saved.Count -gt 0) { throw "$($saved.Count) crash or hang input(s) saved under tests/fuzz/crashes/$Target" }
