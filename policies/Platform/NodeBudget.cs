using System.Globalization;
using System.Text.Json.Nodes;
using Llmctl.Components.Gpu;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>
/// Seed 002's scheduling trap: the CPU and memory <em>requests</em> of everything that can run on a GPU node (its
/// selectors match the node and it tolerates the node's taints; replicas counted, parked lanes not) must fit the
/// node's allocatable (<see cref="NodeAllocatable"/>, from <c>gpuNodes[].allocatable</c> or its cpu/memory). Above
/// it, pods stay Pending; above <see cref="WarnPercent"/> (default 90 %) it warns, because system daemons and
/// workloads outside the stack need headroom too. Limits may exceed the node (overcommit is allowed).
/// </summary>
public sealed class NodeBudget : IStackPolicy, IConfigurablePolicy
{
    public const string PolicyName = "node-budget";

    public string Name => PolicyName;
    public string Description => $"CPU and memory requests of everything that can run on a GPU node fit its allocatable; warns above {WarnPercent} %.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;
    public int WarnPercent { get; init; } = 90;

    public IReadOnlyCollection<string> OptionNames { get; } = ["warnPercent"];

    public IPolicy Configure(JsonObject options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.TryGetPropertyValue("warnPercent", out var node)) return this;
        return node is JsonValue v && int.TryParse(v.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var percent) && percent is > 0 and <= 100
            ? new NodeBudget { WarnPercent = percent }
            : throw new PolicySettingsException($"{PolicyName}.warnPercent", $"'{node?.ToJsonString()}' is not a percentage between 1 and 100");
    }

    public IEnumerable<PolicyFinding> Validate(StackContext stack)
    {
        var workloads = Workload.All(stack).Where(w => w.Replicas > 0).ToList();
        foreach (var node in Lanes.Nodes(stack))
        {
            if (node.Annotations.Find<NodeAllocatable>() is not { } allocatable) continue;
            var here = workloads.Where(node.CanRun).ToList();
            foreach (var (resource, budget) in new[] { ("cpu", allocatable.Cpu?.Value), ("memory", allocatable.Memory?.Value) })
            {
                if (budget is not > 0) continue;
                var requests = here.Select(w => (Workload: w, Amount: Requests(w, resource) * w.Replicas)).Where(x => x.Amount > 0).ToList();
                var total = requests.Sum(x => x.Amount);
                var percent = total * 100 / budget.Value;
                if (percent <= WarnPercent) continue;
                var breakdown = string.Join(", ", requests.OrderByDescending(x => x.Amount).Select(x => $"{x.Workload.Display} {Format(resource, x.Amount)}"));
                var message = $"node '{node.Gpu.Node}': {resource} requests {Format(resource, total)} of {Format(resource, budget.Value)} allocatable "
                    + $"({percent:0}%): {breakdown}";
                var urn = requests.OrderByDescending(x => x.Amount).First().Workload.Owner.Urn;
                if (total > budget.Value)
                {
                    yield return (message + ". Pods beyond it stay Pending; lower the requests (limits may stay above them) or give the node more", urn);
                }
                else
                {
                    yield return PolicyFinding.Warn(message + $". That is above {WarnPercent}%, leaving little room for system daemons and other workloads; lower the requests", urn);
                }
            }
        }
    }

    /// <summary>What one pod requests: its containers together, or its largest init container when that is more (the scheduler's rule).</summary>
    public static decimal Requests(Workload workload, string resource)
    {
        decimal Sum(string key) => (workload.PodSpec[key] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => Workload.Value(Workload.Amount(c, "requests", resource)) ?? 0m).DefaultIfEmpty(0m).Sum();
        decimal Max(string key) => (workload.PodSpec[key] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => Workload.Value(Workload.Amount(c, "requests", resource)) ?? 0m).DefaultIfEmpty(0m).Max();
        return Math.Max(Sum("containers"), Max("initContainers"));
    }

    private static string Format(string resource, decimal amount) => resource == "cpu"
        ? amount == Math.Floor(amount) ? amount.ToString("0", CultureInfo.InvariantCulture) : $"{amount * 1000:0}m"
        : $"{amount / (1024m * 1024 * 1024):0.#}Gi";
}

internal static class GpuNodeScheduling
{
    public static bool CanRun(this GpuNode node, Workload workload) => workload.CanRunOn(node);
}
