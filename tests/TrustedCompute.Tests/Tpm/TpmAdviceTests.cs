using TrustedCompute.Tpm;
using Xunit;

namespace TrustedCompute.Tests.Tpm;

public class TpmAdviceTests
{
    [Fact]
    public void AdviceLeadsTheMessageAndKeepsTheResponseCode()
    {
        var e = new TpmException(TpmCc.ReadPublic, 0x18B).WithAdvice("No attestation key at 0x81010002: create one");
        Assert.StartsWith("No attestation key at 0x81010002: create one (TPM2_ReadPublic failed: TPM_RC_HANDLE", e.Message);
        Assert.Equal(0x18Bu, e.ResponseCode);
        Assert.Equal(TpmResponseCode.Handle, e.BaseCode);
        Assert.Equal(TpmCc.ReadPublic, e.Command);
        Assert.IsType<TpmException>(e.InnerException);
    }

    [Theory]
    [InlineData(0, new[] { 0, 1, 2, 3, 4 })]
    [InlineData(16, new[] { 0, 1, 2, 3, 4 })]
    [InlineData(17, new[] { 2, 3, 4 })]
    [InlineData(19, new[] { 2, 3 })]
    [InlineData(20, new[] { 1, 2, 3 })]
    [InlineData(22, new[] { 2 })]
    [InlineData(23, new[] { 0, 1, 2, 3, 4 })]
    public void PcrExtendLocalitiesFollowThePcClientProfile(int pcr, int[] localities) =>
        Assert.Equal(localities, PcrLocality.CanExtend(pcr));

    [Theory]
    [InlineData(-1)]
    [InlineData(24)]
    public void ThereAreNoOtherPcrs(int pcr) => Assert.Throws<ArgumentOutOfRangeException>(() => PcrLocality.CanExtend(pcr));
}
