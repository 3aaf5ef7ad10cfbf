using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Tpm;

public class TpmResponseCodeTests
{
    [Theory]
    [InlineData(0x000001C4u, "TPM_RC_VALUE", " (parameter 1)")]
    [InlineData(0x0000098Eu, "TPM_RC_AUTH_FAIL", " (session 1)")]
    [InlineData(0x0000018Bu, "TPM_RC_HANDLE", " (handle 1)")]
    [InlineData(0x0000028Bu, "TPM_RC_HANDLE", " (handle 2)")]
    [InlineData(0x00000921u, "TPM_RC_LOCKOUT", "")]
    [InlineData(0x00000101u, "TPM_RC_FAILURE", "")]
    [InlineData(0x0000014Cu, "TPM_RC_NV_DEFINED", "")]
    public void DecodesNameAndBlame(uint rc, string name, string blame)
    {
        Assert.Equal(name, TpmResponseCode.Name(rc));
        Assert.Equal(blame, TpmResponseCode.Blame(rc));
        Assert.StartsWith($"{name} (0x{rc:X8})", TpmResponseCode.Describe(rc));
    }

    [Fact]
    public void UnknownCodesAreNamedByValue()
    {
        Assert.Equal("TPM_RC_0x17F", TpmResponseCode.Name(0x17F));
        Assert.Contains("vendor", TpmResponseCode.Describe(0x00000500));
    }

    [Fact]
    public void WarningsAreRecognised()
    {
        Assert.True(TpmResponseCode.IsWarning(0x922));
        Assert.False(TpmResponseCode.IsWarning(0x1C4));
    }
}
