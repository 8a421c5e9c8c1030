using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;

namespace Llmctl.Engine.Tests.Planning;

public sealed class DesiredStateTests
{
    private sealed class NothingKnown : IOutputSource
    {
        public JsonObject? OutputsOf(Resource resource) => null;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(12)]
    public void Dependencies_are_each_resource_under_a_component_once_in_depth_first_order(int leaves)
    {
        // A component with a child component and leaves, depended on twice (and through one of its own children):
        // every resource under it appears once, in the order a depth-first walk meets them.
        StackContext.Run("p", "s", ctx =>
        {
            var component = new ComponentResource("pkg:index:Group", "group");
            var inner = new ComponentResource("pkg:index:Inner", "inner", new ComponentResourceOptions { Parent = component });
            var innerLeaf = new CustomResource("pkg:index:Leaf", "inner-leaf", [], new CustomResourceOptions { Parent = inner });
            var leaves_ = Enumerable.Range(0, leaves)
                .Select(i => new CustomResource("pkg:index:Leaf", $"leaf-{i}", [], new CustomResourceOptions { Parent = component })).ToList();
            var dependent = new CustomResource("pkg:index:User", "user", [], new CustomResourceOptions { DependsOn = [component, innerLeaf, component] });

            var state = Planner.DesiredState(ctx, dependent, new NothingKnown(), prior: null);

            Assert.Equal(
                [component.Urn, inner.Urn, innerLeaf.Urn, .. leaves_.Select(l => l.Urn)],
                state.Dependencies);
        });
    }

    [Fact]
    public void A_resource_that_depends_on_its_own_component_does_not_depend_on_itself()
    {
        StackContext.Run("p", "s", ctx =>
        {
            var component = new ComponentResource("pkg:index:Group", "group");
            var sibling = new CustomResource("pkg:index:Leaf", "sibling", [], new CustomResourceOptions { Parent = component });
            var self = new CustomResource("pkg:index:Leaf", "self", [], new CustomResourceOptions { Parent = component, DependsOn = [component] });

            var state = Planner.DesiredState(ctx, self, new NothingKnown(), prior: null);

            Assert.Equal([component.Urn, sibling.Urn], state.Dependencies);
        });
    }
}
