using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.State;

namespace Llmctl.Engine.Tests.Planning;

public class FindCycleTests
{
    private static Urn UrnOf(string type, string name) => Urn.Create("s", "p", null, type, name);

    private static Step Create(Urn urn, Urn? parent = null, IReadOnlyList<Urn>? dependencies = null, string? provider = null) => new()
    {
        Op = StepOp.Create,
        Urn = urn,
        Type = urn.Type,
        New = new ResourceState { Urn = urn, Type = urn.Type, Custom = true, Parent = parent, Dependencies = dependencies ?? [], Provider = provider },
    };

    private static readonly Urn A = UrnOf("test:index:Thing", "a");
    private static readonly Urn B = UrnOf("test:index:Thing", "b");
    private static readonly Urn C = UrnOf("test:index:Thing", "c");
    private static readonly Urn K3s = UrnOf("pulumi:providers:kubernetes", "k3s");

    [Fact]
    public void Parents_dependencies_and_providers_are_all_edges_and_the_cycle_is_the_path_back_to_its_start()
    {
        // a's parent is b, b depends on c, c runs on the provider k3s, and k3s depends on a.
        var steps = new[]
        {
            Create(A, parent: B),
            Create(B, dependencies: [C]),
            Create(C, provider: $"{K3s.Value}::{PropertyValues.UnknownString}"),
            Create(K3s, dependencies: [A]),
        };

        Assert.Equal([A, B, C, K3s, A], Planner.FindCycle(steps));
    }

    [Fact]
    public void Without_a_cycle_there_is_none_and_edges_to_resources_outside_the_desired_states_are_ignored()
    {
        var gone = UrnOf("test:index:Thing", "gone");
        var steps = new[]
        {
            Create(K3s),
            Create(A, dependencies: [gone, K3s]),
            Create(B, parent: A, dependencies: [A, A], provider: $"{K3s.Value}::id"),
            new Step { Op = StepOp.Delete, Urn = gone, Type = gone.Type, Old = new ResourceState { Urn = gone, Type = gone.Type, Dependencies = [B] } },
        };

        Assert.Null(Planner.FindCycle(steps));
    }

    [Fact]
    public void A_provider_reference_to_a_resource_that_is_not_a_provider_is_no_edge()
    {
        // b names a (not a provider) as its provider, and a depends on b: no cycle through the malformed reference.
        var steps = new[] { Create(A, dependencies: [B]), Create(B, provider: $"{A.Value}::id") };

        Assert.Null(Planner.FindCycle(steps));
        Assert.Equal([A, B, A], Planner.FindCycle([Create(A, dependencies: [B]), Create(B, dependencies: [A])]));
    }
}
