using System.Net;
using System.Net.Sockets;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tpm;
using TrustedCompute.Tpm.Transport;
using Xunit;

namespace TrustedCompute.Tests.Tpm;

/// <summary>
/// Every response parser of the TPM client fed real swtpm responses, truncated at every offset, with oversized
/// and wrong fields, and random bytes: only TpmProtocolException (or a decoded TpmException for an error code)
/// may come out, never IndexOutOfRange, overflow or a hang.
/// </summary>
public sealed class TpmResponseRobustnessTests(SwtpmFixture swtpm) : IClassFixture<SwtpmFixture>
{
    /// <summary>Replays a fixed response for every command (a fake for this one class's parsing).</summary>
    private sealed class ScriptedTransport(byte[] response) : ITpmTransport
    {
        public string Description => "scripted";
        public byte[] Transmit(ReadOnlySpan<byte> command, CancellationToken cancellationToken) => response;
        public void Dispose() { }
    }

    /// <summary>Passes commands to the simulator and keeps the last response.</summary>
    private sealed class RecordingTransport(ITpmTransport inner) : ITpmTransport
    {
        public byte[] Last { get; private set; } = [];
        public string Description => inner.Description;
        public byte[] Transmit(ReadOnlySpan<byte> command, CancellationToken cancellationToken) => Last = inner.Transmit(command, cancellationToken);
        public void Dispose() => inner.Dispose();
    }

    private static readonly PcrSelection[] Selection = [PcrSelection.Create(TpmAlgId.Sha256, [0, 1, 2]), PcrSelection.Create(TpmAlgId.Sha1, [7])];

    /// <summary>One command each, as the parsers see them; the AK handle is created by the test.</summary>
    private static readonly (string Name, Action<TpmClient, uint> Run)[] Commands =
    [
        ("GetCapability(properties)", (t, _) => t.GetProperties(TpmPt.FamilyIndicator, 0x30)),
        ("GetCapability(pcrs)", (t, _) => t.GetPcrAllocation()),
        ("GetCapability(algorithms)", (t, _) => t.GetAlgorithms()),
        ("GetCapability(handles)", (t, _) => t.GetHandles(TpmHandles.PersistentFirst)),
        ("GetRandom", (t, _) => t.GetRandom(8)),
        ("PCR_Read", (t, _) => t.PcrRead(Selection, out _)),
        ("ReadPublic", (t, ak) => t.ReadPublic(ak)),
        ("Quote", (t, ak) => t.Quote(ak, TpmAuth.Empty, new byte[16], Selection)),
        ("NV_ReadPublic", (t, _) => t.NvReadPublic(TpmHandles.EkCertRsa2048)),
        ("StartAuthSession", (t, _) => t.StartPolicySession()),
    ];

    private static void ExpectOnlyProtocolErrors(byte[] response, Action<TpmClient, uint> run, string what, bool allowTpmError)
    {
        using var client = new TpmClient(new ScriptedTransport(response));
        try
        {
            run(client, TpmHandles.DefaultAttestationKey);
        }
        catch (TpmProtocolException) { }
        catch (TpmException) when (allowTpmError) { }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}");
        }
    }

    [SkippableFact]
    public void TruncatedOversizedAndRandomResponsesGiveOnlyProtocolErrors()
    {
        swtpm.Require();
        const uint ak = 0x81010040;
        var captured = new List<(string Name, Action<TpmClient, uint> Run, byte[] Response)>();
        var recorder = new RecordingTransport(TpmTransportFactory.Open(swtpm.ConnectionString));
        using (var tpm = new TpmClient(recorder))
        {
            try { TpmOperations.RemoveAttestationKey(tpm, ak); } catch (TpmException) { }
            TpmOperations.CreateAttestationKey(tpm, AttestationKeyType.EcDsa, ak);
            foreach (var (name, run) in Commands)
            {
                run(tpm, ak);
                captured.Add((name, (c, _) => run(c, ak), recorder.Last));
                if (name == "StartAuthSession") tpm.TryFlush(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(recorder.Last.AsSpan(10)));
            }
            TpmOperations.RemoveAttestationKey(tpm, ak);
        }

        var random = new Random(20261127);
        int cases = 0;
        foreach (var (name, run, response) in captured)
        {
            // The untouched response parses.
            using (var ok = new TpmClient(new ScriptedTransport(response))) run(ok, ak);

            for (int length = 0; length < response.Length; length++)
            {
                var truncated = response[..length];
                ExpectOnlyProtocolErrors(truncated, run, $"{name} truncated to {length}", allowTpmError: false);
                // Truncated body with a size field that agrees: the parameter parsers see the short data.
                if (length >= 10)
                {
                    var consistent = (byte[])truncated.Clone();
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(consistent.AsSpan(2), (uint)length);
                    ExpectOnlyProtocolErrors(consistent, run, $"{name} truncated to {length} with size fixed", allowTpmError: false);
                }
                cases += 2;
            }

            var wrongTag = (byte[])response.Clone();
            wrongTag[1] ^= 0x03;
            ExpectOnlyProtocolErrors(wrongTag, run, $"{name} wrong tag", allowTpmError: false);

            var oversized = response.Concat(new byte[70_000]).ToArray();
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(oversized.AsSpan(2), (uint)oversized.Length);
            ExpectOnlyProtocolErrors(oversized, run, $"{name} oversized", allowTpmError: false);

            // Every 16-bit field set to 0xFFFF in turn: sizes and counts far past the data.
            for (int offset = 10; offset + 1 < response.Length; offset++)
            {
                var big = (byte[])response.Clone();
                big[offset] = 0xFF;
                big[offset + 1] = 0xFF;
                ExpectOnlyProtocolErrors(big, run, $"{name} 0xFFFF at {offset}", allowTpmError: false);
                cases++;
            }

            // Random bodies behind a valid success header; then fully random responses.
            for (int i = 0; i < 600; i++)
            {
                var body = new byte[random.Next(0, response.Length * 2)];
                random.NextBytes(body);
                var fuzzed = response[..Math.Min(10, response.Length)].Concat(body).ToArray();
                if (fuzzed.Length >= 6) System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(fuzzed.AsSpan(2), (uint)fuzzed.Length);
                ExpectOnlyProtocolErrors(fuzzed, run, $"{name} random body {i}", allowTpmError: false);

                var noise = new byte[random.Next(0, 64)];
                random.NextBytes(noise);
                ExpectOnlyProtocolErrors(noise, run, $"{name} random {i}", allowTpmError: true);
                cases += 2;
            }
        }
        Assert.True(cases >= 10_000, $"only {cases} cases");
    }

    [Fact]
    public async Task ASimulatorThatStopsAnsweringTimesOut()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var accept = listener.AcceptTcpClientAsync();
            using var tpm = TpmClient.Open($"swtpm:host=127.0.0.1,port={port},timeout=1");
            using var peer = await accept; // reads nothing, answers nothing
            var e = Assert.Throws<TpmTransportException>(() => tpm.GetRandom(8));
            Assert.Contains("did not answer within 1 s", e.Message);
        }
        finally { listener.Stop(); }
    }

    [Fact]
    public async Task ASimulatorThatHangsUpMidResponseIsATransportError()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var serve = Task.Run(async () =>
            {
                using var peer = await listener.AcceptTcpClientAsync();
                var stream = peer.GetStream();
                var buffer = new byte[64];
                _ = await stream.ReadAsync(buffer);
                await stream.WriteAsync(new byte[] { 0, 0, 0, 20, 0x80, 0x01 }); // says 20 bytes, sends 2, hangs up
            });
            using var tpm = TpmClient.Open($"swtpm:host=127.0.0.1,port={port},timeout=10");
            var e = Assert.Throws<TpmTransportException>(() => tpm.GetRandom(8));
            Assert.Contains("closed the connection", e.Message);
            await serve;
        }
        finally { listener.Stop(); }
    }

    [Fact]
    public async Task CancellationStopsAPendingCall()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var accept = listener.AcceptTcpClientAsync();
            using var tpm = TpmClient.Open($"swtpm:host=127.0.0.1,port={port},timeout=600");
            using var peer = await accept;
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            Assert.ThrowsAny<OperationCanceledException>(() => tpm.GetRandom(8, cts.Token));
        }
        finally { listener.Stop(); }
    }

    [Fact]
    public void ConnectionStringsAreParsedStrictly()
    {
        Assert.Equal("swtpm:host=127.0.0.1,port=1", TpmTransportFactory.Resolve(" swtpm:host=127.0.0.1,port=1 "));
        Assert.Throws<ArgumentException>(() => TpmTransportFactory.Open("swtpm:host=127.0.0.1,port=99999"));
        Assert.Throws<ArgumentException>(() => TpmTransportFactory.Open("swtpm:port"));
        Assert.Throws<ArgumentException>(() => TpmTransportFactory.Open("serial:/dev/ttyS0"));
        Assert.Throws<PlatformNotSupportedException>(() => TpmTransportFactory.Open("tbs:"));
        var e = Assert.Throws<TpmTransportException>(() => TpmTransportFactory.Open("device:/nonexistent/tpmrm9"));
        Assert.Contains("No TPM device", e.Message);
    }
}
