using Llmctl.Engine.Model;

namespace Llmctl.Engine.Tests;

public class UrnTests
{
    [Fact]
    public void A_child_urn_carries_its_parent_type_chain()
    {
        var urn = Urn.Create("homelab", "llm-platform", "llmctl:gpu:NvidiaGpu", "kubernetes:node.k8s.io/v1:RuntimeClass", "nvidia");
        Assert.Equal("urn:pulumi:homelab::llm-platform::llmctl:gpu:NvidiaGpu$kubernetes:node.k8s.io/v1:RuntimeClass::nvidia", urn.Value);
        Assert.Equal("kubernetes:node.k8s.io/v1:RuntimeClass", urn.Type);
        Assert.Equal("nvidia", urn.Name);
        Assert.Equal("homelab", urn.Stack);
        Assert.Equal("llm-platform", urn.Project);
    }

    [Fact]
    public void A_name_may_contain_double_colons()
    {
        var urn = new Urn("urn:pulumi:s::p::pkg:mod:T::a::b");
        Assert.Equal("a::b", urn.Name);
    }

    [Theory]
    [InlineData("urn:pulumi:s::p::pkg:mod:T::n", "pkg:mod:T", "n")]
    [InlineData("urn:pulumi:s::p::a:b:Parent$pkg:mod:T::n::m", "pkg:mod:T", "n::m")]
    [InlineData("urn:pulumi:s::p::pulumi:providers:kubernetes::default", "pulumi:providers:kubernetes", "default")]
    public void Type_and_name_read_in_place_match_the_strings(string value, string type, string name)
    {
        var urn = new Urn(value);
        Assert.Equal(type, urn.Type);
        Assert.Equal(type, urn.TypeSpan.ToString());
        Assert.Equal(name, urn.Name);
        Assert.Equal(name, urn.NameSpan.ToString());
    }

    [Theory]
    [InlineData("urn:pulumi:s::p::pulumi:providers:kubernetes::default", true)]
    [InlineData("urn:pulumi:s::p::pulumi:providers:kubernetes::k3s", false)]
    [InlineData("urn:pulumi:s::p::kubernetes:core/v1:Namespace::default", false)]
    [InlineData("urn:pulumi:s::p::a:b:C$pulumi:providers:kubernetes::default", true)]
    public void A_default_provider_is_a_provider_type_named_default(string value, bool isDefault)
    {
        Assert.Equal(isDefault, ProviderResource.IsDefaultProvider(new Urn(value)));
    }

    [Theory]
    [InlineData("urn:pulumi:s::p::T")]
    [InlineData("urn:pulumi:s::p::pkg:m:T::")]
    [InlineData("urn:pulumi:s::::pkg:m:T::n")]
    [InlineData("urn:pulumi:s::p::::n")]
    [InlineData("urn:pulumi:")]
    [InlineData("urn:other:s::p::pkg:m:T::n")]
    [InlineData("urn:pulumi:::p::pkg:m:T::n")]
    public void Malformed_urns_are_refused(string value)
    {
        Assert.False(Urn.TryParse(value, out _));
        Assert.Throws<FormatException>(() => new Urn(value));
    }
}

public class TypeTokenTests
{
    [Theory]
    [InlineData("kubernetes:apps/v1:Deployment", true)]
    [InlineData("pulumi:providers:kubernetes", true)]
    [InlineData("a:b:c", true)]
    [InlineData("", false)]
    [InlineData("kubernetes", false)]
    [InlineData("kubernetes:apps/v1", false)]
    [InlineData(":apps/v1:Deployment", false)]
    [InlineData("kubernetes::Deployment", false)]
    [InlineData("kubernetes:apps/v1:", false)]
    [InlineData("kubernetes:apps/v1:Deployment:extra", false)]
    [InlineData("kubernetes:apps/v1:Deploy::ment", false)]
    [InlineData("llmctl:gpu:GpuNode$kubernetes:core/v1:NodePatch", false)]
    [InlineData("a:b$:c", false)]
    public void A_type_token_is_three_non_empty_parts_without_a_dollar(string token, bool valid) =>
        Assert.Equal(valid, TypeToken.IsValid(token));
}
