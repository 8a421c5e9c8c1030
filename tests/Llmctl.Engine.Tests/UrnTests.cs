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
    [InlineData("urn:pulumi:s::p::T")]
    [InlineData("urn:other:s::p::pkg:m:T::n")]
    [InlineData("urn:pulumi:::p::pkg:m:T::n")]
    public void Malformed_urns_are_refused(string value)
    {
        Assert.False(Urn.TryParse(value, out _));
        Assert.Throws<FormatException>(() => new Urn(value));
    }
}
