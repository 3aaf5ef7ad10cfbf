using TrustedCompute.OpenStack;
using Xunit;

namespace TrustedCompute.Tests.OpenStack;

/// <summary>The trait property on a real Glance image: set, read back, flipped, removed, other properties kept.</summary>
[Collection(OpenStackCollection.Name)]
public sealed class TrustedImageTests(OpenStackFixture cloud)
{
    private readonly CancellationToken _ct = new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token;

    [SkippableFact]
    public async Task TheTraitPropertyIsSetAndReadBackThroughGlance()
    {
        cloud.Require();
        var images = new TrustedImageManager(cloud.Admin);
        const string trait = TrustedFlavorManager.DefaultTrait;
        string name = OpenStackFixture.UniqueName("tc-image");
        var image = await images.CreateAsync(name, trait, _ct);
        try
        {
            Assert.Null(image.TraitValue);
            var set = await images.SetAsync(name, trait, TrustRequirement.Required, _ct); // by name
            Assert.Equal(("required", true), (set.TraitValue, set.RequiresTrustedHost));
            var read = await images.GetAsync(image.Id.ToString(), trait, _ct); // a fresh read, by id
            Assert.Equal("required", read.TraitValue);
            var raw = await images.GetImageAsync(image.Id.ToString(), _ct);
            Assert.Equal("bare", raw.GetProperty("container_format").GetString()); // untouched

            Assert.Equal("forbidden", (await images.SetAsync(name, trait, TrustRequirement.Forbidden, _ct)).TraitValue);
            Assert.Null((await images.SetAsync(name, trait, TrustRequirement.Remove, _ct)).TraitValue);
            Assert.Null((await images.SetAsync(name, trait, TrustRequirement.Remove, _ct)).TraitValue); // idempotent
            Assert.Null((await images.GetAsync(name, trait, _ct)).TraitValue);
            await Assert.ThrowsAsync<KeyNotFoundException>(() => images.GetAsync(OpenStackFixture.UniqueName("tc-none"), trait, _ct));
        }
        finally
        {
            await images.DeleteAsync(image.Id, _ct);
        }
    }
}
