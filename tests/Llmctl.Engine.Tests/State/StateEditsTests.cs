using Llmctl.Engine.Model;
using Llmctl.Engine.State;
using static Llmctl.Engine.Tests.State.Checkpoints;

namespace Llmctl.Engine.Tests.State;

public class StateEditsTests
{
    /// <summary>The root stack, a namespace under it, and a deployment in the namespace that depends on it.</summary>
    private static StackCheckpoint Three(bool protectDeployment = false)
    {
        var stack = Stack();
        var ns = new ResourceState { Urn = Urn("kubernetes:core/v1:Namespace", "llm"), Type = "kubernetes:core/v1:Namespace", Custom = true, Id = "llm", Parent = stack.Urn };
        var deployment = new ResourceState
        {
            Urn = Urn("kubernetes:apps/v1:Deployment", "lane"), Type = "kubernetes:apps/v1:Deployment", Custom = true, Id = "llm/lane",
            Parent = stack.Urn, Dependencies = [ns.Urn], Protect = protectDeployment,
        };
        return new StackCheckpoint { Project = "llm-platform", Stack = "homelab", Resources = [stack, ns, deployment], PendingOperations = [new PendingOperation(deployment, PendingOperationType.Updating)] };
    }

    [Fact]
    public void Deleting_a_resource_others_depend_on_is_refused_naming_them()
    {
        var cp = Three();
        var ex = Assert.Throws<StateEditException>(() => StateEdits.Delete(cp, cp.Resources[1].Urn, targetDependents: false, force: false));
        Assert.Contains("can't be safely deleted", ex.Message);
        Assert.Contains(cp.Resources[2].Urn.Value, ex.Message);
        Assert.Contains("--target-dependents", ex.Message);
    }

    [Fact]
    public void Target_dependents_deletes_the_dependents_first_and_their_pending_operations()
    {
        var cp = Three();
        var (edited, removed) = StateEdits.Delete(cp, cp.Resources[1].Urn, targetDependents: true, force: false);
        Assert.Equal([cp.Resources[2].Urn, cp.Resources[1].Urn], removed);
        Assert.Equal([cp.Resources[0].Urn], edited.Resources.Select(r => r.Urn));
        Assert.Empty(edited.PendingOperations);
        Assert.Empty(CheckpointIntegrity.Problems(edited, "llm-platform", "homelab"));
    }

    [Fact]
    public void A_protected_resource_is_deleted_only_with_force()
    {
        var cp = Three(protectDeployment: true);
        var ex = Assert.Throws<StateEditException>(() => StateEdits.Delete(cp, cp.Resources[2].Urn, false, force: false));
        Assert.Contains("protected", ex.Message);
        var (edited, _) = StateEdits.Delete(cp, cp.Resources[2].Urn, false, force: true);
        Assert.Equal(2, edited.Resources.Count);
    }

    [Fact]
    public void Deleting_a_urn_that_is_not_there_says_so()
    {
        var ex = Assert.Throws<StateEditException>(() => StateEdits.Delete(Three(), Urn("kubernetes:core/v1:Service", "nope"), false, false));
        Assert.Contains("no resource", ex.Message);
    }

    [Fact]
    public void Renaming_points_every_reference_at_the_new_urn()
    {
        var cp = Three();
        var (edited, renamed) = StateEdits.Rename(cp, cp.Resources[1].Urn, "models");
        Assert.Equal("urn:pulumi:homelab::llm-platform::kubernetes:core/v1:Namespace::models", renamed.Value);
        Assert.Equal(renamed, edited.Resources[1].Urn);
        Assert.Equal([renamed], edited.Resources[2].Dependencies);
        Assert.Equal([renamed], edited.PendingOperations[0].Resource.Dependencies);
        Assert.Empty(CheckpointIntegrity.Problems(edited, "llm-platform", "homelab"));
        Assert.DoesNotContain(edited.Resources, r => r.Urn == cp.Resources[1].Urn);
    }

    /// <summary>The root stack, an explicit Kubernetes provider, and a namespace that it serves.</summary>
    private static StackCheckpoint Served()
    {
        var stack = Stack();
        var provider = new ResourceState
        {
            Urn = Urn("pulumi:providers:kubernetes", "fleet"), Type = "pulumi:providers:kubernetes", Custom = true, Id = "0b7c7d3e-provider", Parent = stack.Urn,
        };
        var ns = new ResourceState
        {
            Urn = Urn("kubernetes:core/v1:Namespace", "llm"), Type = "kubernetes:core/v1:Namespace", Custom = true, Id = "llm", Parent = stack.Urn,
            Provider = new ProviderReference(provider.Urn, provider.Id).ToString(),
        };
        return new StackCheckpoint { Project = "llm-platform", Stack = "homelab", Resources = [stack, provider, ns] };
    }

    [Fact]
    public void Renaming_a_provider_points_the_objects_it_serves_at_the_new_urn_and_deleting_it_names_them()
    {
        var cp = Served();
        var (edited, renamed) = StateEdits.Rename(cp, cp.Resources[1].Urn, "cluster");
        Assert.Equal($"{renamed.Value}::0b7c7d3e-provider", edited.Resources[2].Provider);
        Assert.Empty(CheckpointIntegrity.Problems(edited, "llm-platform", "homelab"));

        var ex = Assert.Throws<StateEditException>(() => StateEdits.Delete(cp, cp.Resources[1].Urn, targetDependents: false, force: false));
        Assert.Contains(cp.Resources[2].Urn.Value, ex.Message);
    }

    [Fact]
    public void Renaming_onto_an_existing_urn_or_to_an_empty_name_is_refused()
    {
        var cp = Three();
        Assert.Contains("already exists", Assert.Throws<StateEditException>(() => StateEdits.Rename(
            cp with { Resources = [.. cp.Resources, cp.Resources[1] with { Urn = Urn("kubernetes:core/v1:Namespace", "taken") }] },
            cp.Resources[1].Urn, "taken")).Message);
        Assert.Contains("not a resource name", Assert.Throws<StateEditException>(() => StateEdits.Rename(cp, cp.Resources[1].Urn, " ")).Message);
        Assert.Contains("root stack", Assert.Throws<StateEditException>(() => StateEdits.Rename(cp, cp.Resources[0].Urn, "x")).Message);
    }
}
