using Llmctl.Components.Images;

namespace Llmctl.Components.Tests.Images;

public sealed class ImageRefTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void A_reference_with_tag_and_digest_is_pinned_and_round_trips()
    {
        var image = ImageRef.Parse($"ghcr.io/ggml-org/llama.cpp:server-cuda@{Digest}");

        Assert.Equal(("ghcr.io/ggml-org/llama.cpp", "server-cuda", Digest), (image.Repository, image.Tag, image.Digest));
        Assert.True(image.IsPinned);
        Assert.Equal($"ghcr.io/ggml-org/llama.cpp:server-cuda@{Digest}", image.ToString());
    }

    [Fact]
    public void A_tag_alone_is_not_pinned()
    {
        Assert.False(ImageRef.Parse("ghcr.io/ggml-org/llama.cpp:server-cuda").IsPinned);
    }

    [Fact]
    public void A_registry_port_is_not_mistaken_for_a_tag()
    {
        var image = ImageRef.Parse("registry.local:5000/llama");

        Assert.Equal(("registry.local:5000/llama", null), (image.Repository, image.Tag));
    }

    [Theory]
    [InlineData("ghcr.io/ggml-org/llama.cpp@sha256:abc", "not sha256: followed by 64 lowercase hex digits")]
    [InlineData("ghcr.io/GGML/llama.cpp:server", "not a valid image repository")]
    [InlineData("", "empty")]
    public void A_malformed_reference_says_which_part_is_wrong(string text, string expected)
    {
        Assert.False(ImageRef.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }
}
