using System.Net;
using TrustedCompute.OpenStack;
using Xunit;

namespace TrustedCompute.Tests.OpenStack;

/// <summary>
/// A response whose body breaks off or stalls after the headers: an OpenStackException for that call (so a sync
/// records it for that host and goes on), never a bare IOException or an endless wait.
/// </summary>
public sealed class OpenStackBodyTests
{
    private static readonly Guid Provider = Guid.Parse("4f5b8a33-0e1f-4c36-9d6f-8a0a3f0a1b2c");

    /// <summary>Gives a few bytes, then fails (a dropped connection) or never returns (a stalled server).</summary>
    private sealed class BrokenBody(bool stall) : Stream
    {
        private bool _gave;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_gave)
            {
                _gave = true;
                "{\"traits\":["u8.CopyTo(buffer.Span);
                return 11;
            }
            if (!stall) throw new IOException("Connection reset by peer");
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static FakeOpenStack Placement(bool stall) => new((_, _) =>
    {
        var response = FakeOpenStack.Reply(HttpStatusCode.OK, null);
        response.Content = new StreamContent(new BrokenBody(stall));
        return response;
    });

    [Fact]
    public async Task ABodyCutOffByADroppedConnection_IsAnOpenStackErrorNamingTheCall()
    {
        using var session = new OpenStackSession(FakeOpenStack.Cloud(), Placement(stall: false));
        var ex = await Assert.ThrowsAsync<OpenStackException>(() => new PlacementClient(session).GetTraitsAsync(Provider));
        Assert.Contains($"GET /resource_providers/{Provider}/traits", ex.Message);
        Assert.Contains("Connection reset", ex.Message);
    }

    [Fact]
    public async Task AStalledBody_TimesOutAfterTheCloudTimeout()
    {
        var cloud = FakeOpenStack.Cloud();
        cloud.Timeout = TimeSpan.FromSeconds(1);
        using var session = new OpenStackSession(cloud, Placement(stall: true));
        var read = new PlacementClient(session).GetTraitsAsync(Provider);
        var finished = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.Same(read, finished);
        var ex = await Assert.ThrowsAsync<OpenStackException>(() => read);
        Assert.Contains("timed out", ex.Message);
    }
}
