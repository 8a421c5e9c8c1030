using System.Text.Json.Nodes;
using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Kubernetes;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;
using Llmctl.Fit.Lock;
using Llmctl.Policies.Platform;

namespace Llmctl.Policies.Tests.Platform;

/// <summary>
/// model-locks with several lanes and several prefetch Jobs on a node and on other nodes: a file counts as prefetched
/// only when a Job of the lane's own node lists it with the same sha256; the workload policies read one stack once per
/// run, and a malformed object fails each of them as it did when each read the stack on its own.
/// </summary>
public sealed class ModelLocksTests
{
    private static readonly PolicyRunner Runner = new([new LlmctlPlatformPack()]);

    private static ModelLock Locked(string modelRef, char digest) => new()
    {
        Ref = modelRef,
        File = modelRef + ".gguf",
        Source = $"https://models.example/{modelRef}.gguf",
        Sha256 = new string(digest, 64),
        SizeBytes = 1000,
    };

    private static V1PodTemplateSpec Pod(string? node) => new()
    {
        Spec = new V1PodSpec
        {
            NodeSelector = node is null ? null : new Dictionary<string, string> { [GpuLabels.Hostname] = node },
            Containers = [new V1Container { Name = "main", Image = "example.com/thing:1.0@sha256:" + new string('e', 64) }],
        },
    };

    private static void Prefetch(string name, string? node, params ModelLock[] files) =>
        new KubernetesObject<V1Job>(name, new V1Job { Metadata = new V1ObjectMeta { Name = name }, Spec = new V1JobSpec { Template = Pod(node) } })
            .Annotate(new LockedModels(files));

    private static void Lane(string name, string? node, params ModelLock[] files) =>
        new KubernetesObject<V1Deployment>(name, new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1DeploymentSpec { Replicas = 0, Template = Pod(node), Selector = new V1LabelSelector() },
        }).Annotate(new ServingLane(name, ModelRuntime.LlamaCpp, node, Active: false)).Annotate(new LockedModels(files));

    private static List<(string Lane, string Message)> ModelLockFindings(StackContext stack) =>
        Runner.Run(stack).Where(v => v.PolicyName == ModelLocks.PolicyName).Select(v => (v.Urn!.Value.Name, v.Message)).ToList();

    [Fact]
    public void Several_lanes_on_a_node_with_several_prefetch_Jobs_are_each_checked_against_their_own_node()
    {
        var (m1, m2, m3, m4) = (Locked("m1", 'a'), Locked("m2", 'b'), Locked("m3", 'c'), Locked("m4", 'd'));
        var stack = StackContext.Run("p", "s", _ =>
        {
            Prefetch("prefetch-a", "gpu-a", m1, m2);
            Prefetch("prefetch-a2", "gpu-a", m3);
            Prefetch("prefetch-b", "gpu-b", m4);
            Lane("lane-1", "gpu-a", m1);
            Lane("lane-2", "gpu-a", m3, m2);
            Lane("lane-3", "gpu-a", m4, m1);
            Lane("lane-4", "gpu-a", m2 with { Sha256 = new string('f', 64) });
            Lane("lane-5", "gpu-b", m4);
            Lane("lane-6", "gpu-c", m1, m2);
        });

        var findings = ModelLockFindings(stack);

        // lane-1, lane-2 and lane-5 find every file in their node's Jobs (two Jobs on gpu-a together); m4 is prefetched
        // on gpu-b only; lane-4's m2 has another sha256 than the one gpu-a prefetches; gpu-c has no Job at all.
        Assert.Equal(
        [
            ("lane-3", "lane 'lane-3': model 'm4' is not in the prefetch list of node 'gpu-a'; add it so it is downloaded and verified before the lane starts"),
            ("lane-4", "lane 'lane-4': model 'm2' is not in the prefetch list of node 'gpu-a'; add it so it is downloaded and verified before the lane starts"),
            ("lane-6", "lane 'lane-6': model 'm1' is not prefetched: node 'gpu-c' has no prefetch Job; set lanes.prefetch so the file is downloaded and verified before the lane starts"),
            ("lane-6", "lane 'lane-6': model 'm2' is not prefetched: node 'gpu-c' has no prefetch Job; set lanes.prefetch so the file is downloaded and verified before the lane starts"),
        ], findings);
        // The policy called on its own (no run, nothing kept between calls) finds the same.
        Assert.Equal(findings.Select(f => f.Message), new ModelLocks().Validate(stack).Select(f => f.Message));
    }

    [Fact]
    public void A_prefetch_Job_pinned_to_no_node_serves_only_lanes_pinned_to_no_node()
    {
        var m1 = Locked("m1", 'a');
        var stack = StackContext.Run("p", "s", _ =>
        {
            Prefetch("prefetch-any", null, m1);
            Lane("lane-any", null, m1);
            Lane("lane-a", "gpu-a", m1);
        });

        var finding = Assert.Single(ModelLockFindings(stack));

        Assert.Equal(("lane-a", "lane 'lane-a': model 'm1' is not prefetched: node 'gpu-a' has no prefetch Job; set lanes.prefetch so the file is downloaded and verified before the lane starts"), finding);
    }

    [Fact]
    public void A_prefetch_Job_that_lists_nothing_is_still_the_nodes_Job()
    {
        var m1 = Locked("m1", 'a');
        var stack = StackContext.Run("p", "s", _ =>
        {
            Prefetch("prefetch-a", "gpu-a");
            Lane("lane-1", "gpu-a", m1);
        });

        var finding = Assert.Single(ModelLockFindings(stack));

        Assert.Contains("is not in the prefetch list of node 'gpu-a'", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_object_fails_every_workload_policy_that_reads_it_not_only_the_first()
    {
        // metadata must be an object; reading the workload's name from an array throws. Each policy that reads the
        // stack's workloads reports the failure, as each did when it read the stack on its own.
        var stack = StackContext.Run("p", "s", _ =>
        {
            Lane("lane-1", "gpu-a", Locked("m1", 'a'));
            new CustomResource("kubernetes:apps/v1:Deployment", "broken", new JsonObject
            {
                ["kind"] = "Deployment",
                ["metadata"] = new JsonArray(),
                ["spec"] = new JsonObject { ["template"] = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray() } } },
            });
        });

        var failed = Runner.Run(stack).Where(v => v.Message.Contains("failed", StringComparison.Ordinal) && v.Message.Contains("This is a bug in the policy", StringComparison.Ordinal)).ToList();

        Assert.Equal(
            [PinnedDigests.PolicyName, NoPlainSecrets.PolicyName, ModelLocks.PolicyName, GpuContract.PolicyName, OneActiveLane.PolicyName,
             NodeBudget.PolicyName, Llmctl.Policies.Platform.KnownBroken.PolicyName, AliasBackends.PolicyName],
            failed.Select(v => v.PolicyName));
        Assert.All(failed, v => Assert.Equal(EnforcementLevel.Mandatory, v.Enforcement));
        Assert.Equal(2, failed.Count(v => v.Urn?.Name == "broken"));
        Assert.Single(failed.Select(v => v.Message[v.Message.IndexOf(" with ", StringComparison.Ordinal)..]).Distinct());
    }
}
