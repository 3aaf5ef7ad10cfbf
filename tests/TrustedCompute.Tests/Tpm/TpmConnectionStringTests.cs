using System.Globalization;
using TrustedCompute.Tpm.Transport;
using Xunit;

namespace TrustedCompute.Tests.Tpm;

/// <summary>Connection strings fail before any connection is tried; port 1 would refuse if one were.</summary>
public class TpmConnectionStringTests
{
    [Theory]
    [InlineData("swtpm:hots=127.0.0.1,port=1", "hots")]
    [InlineData("swtpm:host=127.0.0.1,prot=1", "prot")]
    [InlineData("swtpm:port=1,localty=3", "localty")]
    public void AnUnknownKeyIsAnErrorListingTheValidKeys(string connection, string key)
    {
        var e = Assert.Throws<ArgumentException>(() => TpmTransportFactory.Open(connection));
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains("host, port, locality, timeout", e.Message);
    }

    [Theory]
    [InlineData("swtpm:port=1,port=2")]
    [InlineData("swtpm:port=1,PORT=1")]
    [InlineData("swtpm:host=a,port=1,host=b")]
    public void ARepeatedKeyIsAnError(string connection)
    {
        var e = Assert.Throws<ArgumentException>(() => TpmTransportFactory.Open(connection));
        Assert.Contains("more than once", e.Message);
    }

    [Theory]
    [InlineData("port=+1")]
    [InlineData("port=-1")]
    [InlineData("port=1 2")]
    [InlineData("port=0x10")]
    [InlineData("port=")]
    [InlineData("port=99999999999999999999")]
    [InlineData("port=2147483648")]
    [InlineData("port=65536")]
    [InlineData("port=\u0662\u0663\u0662\u0661")]
    [InlineData("port=\u06F2\u06F3\u06F2\u06F1")]
    [InlineData("port=2\u00A0321")]
    [InlineData("locality=5")]
    [InlineData("locality=+3")]
    [InlineData("timeout=0")]
    [InlineData("timeout=1e3")]
    [InlineData("timeout=1,5")]
    public void ANumberIsAsciiDigitsInRangeInEveryCulture(string option)
    {
        foreach (string culture in new[] { "", "ar-SA", "fa-IR", "de-DE" })
        {
            using var _ = new CultureScope(culture);
            var e = Assert.Throws<ArgumentException>(() => TpmTransportFactory.Open("swtpm:host=127.0.0.1," + option));
            Assert.Contains("TPM connection option", e.Message);
        }
    }

    [Theory]
    [InlineData("ar-SA")]
    [InlineData("fa-IR")]
    [InlineData("")]
    public void ValidNumbersParseTheSameInEveryCulture(string culture)
    {
        using var _ = new CultureScope(culture);
        var s = TpmTransportFactory.ParseSwtpm(" host = 10.0.0.1 , port = 2321 , locality=3,timeout=7 ");
        Assert.Equal(new SwtpmSettings("10.0.0.1", 2321, 3, TimeSpan.FromSeconds(7)), s);
        Assert.Equal(new SwtpmSettings("127.0.0.1", 2321, 0, TimeSpan.FromSeconds(30)), TpmTransportFactory.ParseSwtpm(""));
    }

    [Fact]
    public void KeysIgnoreCaseAndTbsTakesNoOptions()
    {
        Assert.Equal(4321, TpmTransportFactory.ParseSwtpm("PORT=4321").Port);
        Assert.Throws<ArgumentException>(() => TpmTransportFactory.Open("tbs:port=1"));
        Assert.Throws<ArgumentException>(() => TpmTransportFactory.Open("device:path=/dev/tpm0"));
        Assert.Throws<ArgumentException>(() => TpmTransportFactory.Open("device:/dev/tpm0,locality=3"));
        Assert.Throws<ArgumentException>(() => TpmTransportFactory.Open("swtpm:host="));
    }

    private sealed class CultureScope : IDisposable
    {
        private readonly CultureInfo _culture = CultureInfo.CurrentCulture;

        public CultureScope(string name) => CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(name);

        public void Dispose() => CultureInfo.CurrentCulture = _culture;
    }
}
