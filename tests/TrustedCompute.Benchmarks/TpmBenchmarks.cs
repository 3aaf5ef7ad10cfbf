using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using TrustedCompute.Tpm;

namespace TrustedCompute.Benchmarks;

/// <summary>
/// A quote round trip on an open swtpm socket: our client (marshal, send, parse, check) against a minimal raw
/// socket client that sends the same command bytes and only reads the framed answer.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15, invocationCount: 32)]
public class TpmBenchmarks
{
    private const uint AkHandle = 0x81010050;
    private string _stateDir = "";
    private TpmClient _client = null!;
    private Socket _raw = null!;
    private byte[] _frame = [];
    private readonly byte[] _nonce = new byte[32];
    private readonly PcrSelection[] _selection = [PcrSelection.Create(TpmAlgId.Sha256, Enumerable.Range(0, 8))];
    private readonly byte[] _buffer = new byte[8192];

    [Params(AttestationKeyType.EcDsa, AttestationKeyType.RsaSsa)]
    public AttestationKeyType KeyType { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _stateDir = Path.Combine(Path.GetTempPath(), "tc-bench-" + Guid.NewGuid().ToString("N")[..8]);
        string output = Run(Path.Combine(RepositoryRoot(), "tests", "env", "swtpm.sh"), "start", _stateDir);
        string connection = output.Split('\n').First(l => l.StartsWith("TRUSTEDCOMPUTE_TPM=", StringComparison.Ordinal))["TRUSTEDCOMPUTE_TPM=".Length..];
        int port = int.Parse(output.Split('\n').First(l => l.StartsWith("PORT=", StringComparison.Ordinal))[5..]);

        using (var setup = TpmClient.Open(connection))
        {
            try { TpmOperations.RemoveAttestationKey(setup, AkHandle); } catch (TpmException) { }
            TpmOperations.CreateAttestationKey(setup, KeyType, AkHandle);
        }
        // swtpm serves one connection at a time: the raw client gets the socket between our client's runs.
        var w = new TpmWriter().Sized(_nonce).Alg(TpmAlgId.Null);
        PcrSelection.WriteList(w, _selection);
        byte[] command = TpmClient.BuildCommand(TpmCc.Quote, [AkHandle], [TpmAuth.Empty], w.AsSpan());
        _frame = new byte[9 + command.Length];
        BinaryPrimitives.WriteUInt32BigEndian(_frame, 8);
        BinaryPrimitives.WriteUInt32BigEndian(_frame.AsSpan(5), (uint)command.Length);
        command.CopyTo(_frame, 9);
        _port = port;
        _connection = connection;
    }

    private int _port;
    private string _connection = "";

    [IterationSetup(Target = nameof(RawSocketQuote))]
    public void OpenRaw()
    {
        _raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _raw.Connect(new IPEndPoint(IPAddress.Loopback, _port));
    }

    [IterationCleanup(Target = nameof(RawSocketQuote))]
    public void CloseRaw() { _raw.Shutdown(SocketShutdown.Both); _raw.Dispose(); }

    [IterationSetup(Target = nameof(TrustedComputeQuote))]
    public void OpenClient() => _client = TpmClient.Open(_connection);

    [IterationCleanup(Target = nameof(TrustedComputeQuote))]
    public void CloseClient() => _client.Dispose();

    [Benchmark(Baseline = true)]
    public int RawSocketQuote()
    {
        _raw.Send(_frame);
        ReceiveExactly(4);
        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(_buffer);
        ReceiveExactly(length + 4);
        return length;
    }

    [Benchmark]
    public int TrustedComputeQuote() => _client.Quote(AkHandle, TpmAuth.Empty, _nonce, _selection).Attest.Length;

    private void ReceiveExactly(int count)
    {
        for (int read = 0; read < count;)
        {
            int n = _raw.Receive(_buffer, read, count - read, SocketFlags.None);
            if (n == 0) throw new IOException("swtpm closed the connection");
            read += n;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        using (var tpm = TpmClient.Open(_connection)) TpmOperations.RemoveAttestationKey(tpm, AkHandle);
        Run(Path.Combine(RepositoryRoot(), "tests", "env", "swtpm.sh"), "stop", _stateDir);
        Directory.Delete(_stateDir, true);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TrustedCompute.sln"))) return dir.FullName;
        throw new InvalidOperationException("TrustedCompute.sln not found");
    }

    private static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed ({p.ExitCode})");
        return output;
    }
}
