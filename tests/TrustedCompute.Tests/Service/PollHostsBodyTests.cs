using System.Text;
using TrustedCompute.Service;
using Xunit;

namespace TrustedCompute.Tests.Service;

/// <summary>
/// The PollHosts body as the service parses it (RequestChecks.ParseJsonObject, OpenAttestationApi.ReadHostNames):
/// invalid UTF-8 inside a host name, which JsonDocument only notices when the string is read (found by the
/// service-request fuzz target), is a 400 pollhosts.host_name, not an InvalidOperationException (a 500).
/// </summary>
public sealed class PollHostsBodyTests
{
    private static string[] Read(byte[] body)
    {
        using var document = RequestChecks.ParseJsonObject(body);
        return OpenAttestationApi.ReadHostNames(document.RootElement, 100);
    }

    private static byte[] Body(params byte[] nameBytes) =>
        [.. "{\"hosts\":[\"ok\",\""u8, .. nameBytes, .. "\"]}"u8];

    [Fact]
    public void ValidNamesAreRead()
    {
        Assert.Equal(["ok", "h\u00e9"], Read(Body(Encoding.UTF8.GetBytes("h\u00e9"))));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'h', 0xAE })]           // a continuation byte alone
    [InlineData(new byte[] { (byte)'c', 0x8A, (byte)'m' })]
    [InlineData(new byte[] { 0xC3 })]                      // a lead byte without its continuation
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]          // an encoded UTF-16 surrogate
    public void InvalidUtf8InANameIsABadName(byte[] nameBytes)
    {
        var e = Assert.Throws<RequestRejectedException>(() => Read(Body(nameBytes)));
        Assert.Equal(400, e.Status);
        Assert.Equal("pollhosts.host_name", e.ErrorId);
        Assert.Contains("hosts[1]", e.Message);
    }
}
