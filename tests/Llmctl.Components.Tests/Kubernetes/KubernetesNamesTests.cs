using Llmctl.Components.Kubernetes;

namespace Llmctl.Components.Tests.Kubernetes;

public sealed class KubernetesNamesTests
{
    [Theory]
    [InlineData("llm", true)]
    [InlineData("qwen36-35b-gguf-fast", true)]
    [InlineData("9lives", true)]
    [InlineData("-llm", false)]
    [InlineData("llm-", false)]
    [InlineData("LLM", false)]
    [InlineData("a.b", false)]
    [InlineData("", false)]
    public void DNS_1123_labels_are_lowercase_alphanumerics_and_dashes_inside(string value, bool valid)
    {
        Assert.Equal(valid, KubernetesNames.IsDns1123Label(value));
    }

    [Fact]
    public void RFC_1035_labels_must_start_with_a_letter()
    {
        Assert.False(KubernetesNames.IsDns1035Label("9lives"));
        Assert.True(KubernetesNames.IsDns1035Label("lives9"));
    }

    [Fact]
    public void A_label_longer_than_63_characters_is_refused()
    {
        Assert.False(KubernetesNames.IsDns1123Label(new string('a', 64)));
        Assert.True(KubernetesNames.IsDns1123Label(new string('a', 63)));
    }
}
