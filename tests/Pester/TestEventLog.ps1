# Dot-sourced by tests: a crypto-agile (sha1, sha256) TCG log of EV_EFI_ACTION events in PCR 16, each digest the hash
# of its text, so that extending the same texts into PCR 16 (tpm2_pcrextend) makes the log replay to the PCR.
function New-TestEventLog([string] $Path, [string[]] $Text) {
    $s = [IO.MemoryStream]::new()
    $w = [IO.BinaryWriter]::new($s)
    [byte[]] $spec = [Text.Encoding]::ASCII.GetBytes("Spec ID Event03`0") + [byte[]](0, 0, 0, 0, 0, 2, 0, 2) +
        [BitConverter]::GetBytes([uint32]2) + [byte[]](4, 0, 20, 0, 0x0B, 0, 32, 0) + [byte[]]0
    $w.Write([uint32]0); $w.Write([uint32]3); $w.Write([byte[]]::new(20)); $w.Write([uint32]$spec.Length); $w.Write($spec)
    foreach ($t in $Text) {
        $data = [Text.Encoding]::ASCII.GetBytes($t)
        $w.Write([uint32]16); $w.Write([uint32]0x80000007u); $w.Write([uint32]2)
        $w.Write([uint16]4); $w.Write([Security.Cryptography.SHA1]::HashData($data))
        $w.Write([uint16]0x0B); $w.Write([Security.Cryptography.SHA256]::HashData($data))
        $w.Write([uint32]$data.Length); $w.Write($data)
    }
    $w.Flush()
    [IO.File]::WriteAllBytes($Path, $s.ToArray())
}
