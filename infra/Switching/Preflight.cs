using System.Text.Json.Nodes;
using Llmctl.Components.Gpu;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;
using Llmctl.Infra.Cli;
using Llmctl.Policies.Platform;
using Llmctl.Stacks;
using Llmctl.Stacks.Config;

namespace Llmctl.Infra.Switching;

public enum PreflightStatus
{
    Pass,
    Warn,
    Block,
}

/// <summary>One line of a preflight: <c>[PASS] model_lock: GGUF file is locked with sha256 and sizeBytes</c>.</summary>
public sealed record PreflightCheck(string Id, PreflightStatus Status, string Message);

/// <summary>
/// What <c>llmctl preflight</c> decided about one lane, before anything is scaled: the lane, its runtime and GPU, the
/// fit line, every check, and the decision (the worst check). Exit codes as seed 002's script: 0 pass, 10 warn, 20 block.
/// </summary>
public sealed record PreflightReport(
    string Lane,
    string Runtime,
    string? Node,
    string Gpu,
    string Fit,
    IReadOnlyList<PreflightCheck> Checks,
    string? Live = null,
    string? Framebuffer = null)
{
    public PreflightStatus Decision => Checks.Count == 0 ? PreflightStatus.Pass : Checks.Max(c => c.Status);

    public int ExitCode => Decision switch
    {
        PreflightStatus.Pass => 0,
        PreflightStatus.Warn => 10,
        _ => 20,
    };

    public void Write(TextWriter writer)
    {
        writer.WriteLine($"GPU fit preflight: {Word(Decision)} {Lane}");
        writer.WriteLine($"gpu: {Gpu}");
        writer.WriteLine($"lane: {Lane}, runtime={Runtime}");
        writer.WriteLine($"fit: {Fit}");
        if (Live is not null) writer.WriteLine($"live: {Live}");
        if (Framebuffer is not null) writer.WriteLine($"framebuffer: {Framebuffer}");
        writer.WriteLine("checks:");
        foreach (var check in Checks) writer.WriteLine($"  [{Word(check.Status)}] {check.Id}: {check.Message}");
        writer.WriteLine(Decision switch
        {
            PreflightStatus.Pass => "decision: PASS",
            PreflightStatus.Warn => "decision: WARN; a switch needs --force",
            _ => "decision: BLOCK; do not scale the GPU lane.",
        });
    }

    public JsonObject ToJson() => new()
    {
        ["lane"] = Lane,
        ["runtime"] = Runtime,
        ["node"] = Node,
        ["gpu"] = Gpu,
        ["fit"] = Fit,
        ["live"] = Live,
        ["framebuffer"] = Framebuffer,
        ["decision"] = Word(Decision),
        ["exitCode"] = ExitCode,
        ["checks"] = new JsonArray(Checks.Select(c => (JsonNode)new JsonObject { ["id"] = c.Id, ["status"] = Word(c.Status), ["message"] = c.Message }).ToArray()),
    };

    public static string Word(PreflightStatus status) => status.ToString().ToUpperInvariant();
}

/// <summary>
/// Evaluates a lane as if it were switched to: the stack is composed with the target active and the other lanes of its
/// node parked, and the platform policies run over that stack; their findings about the lane, its node and the
/// gateway's aliases become the checks (mandatory → BLOCK, advisory → WARN), plus the GPU inventory and the recorded
/// acceptance evidence (<see cref="AcceptanceEvidence"/>).
/// </summary>
internal static class Preflight
{
    /// <summary>Each check and the policy whose findings decide it; a policy the stack disables is not shown.</summary>
    private static readonly (string Id, string Policy, string Pass)[] PolicyChecks =
    [
        ("vram_fit", VramFit.PolicyName, "the estimate fits the GPU with the margin"),
        ("known_broken", Policies.Platform.KnownBroken.PolicyName, "the stack does not mark this profile broken"),
        ("model_lock", ModelLocks.PolicyName, "model file is locked with sha256 and sizeBytes"),
        ("prefetch_config", ModelLocks.PolicyName, "model file is listed in the node's prefetch"),
        ("placement", GpuContract.PolicyName, "GPU request equals limit, runtime class, node selector and GPU toleration match a GPU node"),
        ("one_active_lane", OneActiveLane.PolicyName, "the other lanes on this GPU are parked"),
        ("node_budget", NodeBudget.PolicyName, "CPU and memory requests fit the node's allocatable"),
        ("alias_backends", AliasBackends.PolicyName, "every gateway alias still reaches a running lane"),
        ("pinned_digests", PinnedDigests.PolicyName, "the lane's image is pinned by digest"),
    ];

    /// <summary>The stack config with <paramref name="lane"/> active and every other llama.cpp/vLLM lane on its node parked.</summary>
    public static StackConfig Switched(StackConfig config, LaneConfig lane) => config with
    {
        Lanes = config.Lanes with
        {
            Items = config.Lanes.Items.Select(l =>
                l.Name == lane.Name ? l with { Active = true }
                : l.Runtime != LaneRuntime.Ollama && l.Node == lane.Node ? l with { Active = false }
                : l).ToList(),
        },
    };

    public static LaneConfig FindLane(StackConfig config, string name)
    {
        var lane = config.Lanes.Items.FirstOrDefault(l => l.Name == name)
            ?? throw new CliException(ExitCodes.ConfigOrUsage,
                $"no lane named '{name}'; the stack's lanes are: {string.Join(", ", config.Lanes.Items.Select(l => l.Name))}");
        return lane.Runtime == LaneRuntime.Ollama
            ? throw new CliException(ExitCodes.ConfigOrUsage, $"'{name}' is an ollama lane, which runs on all its nodes at once; preflight and switch are for llamacpp and vllm lanes")
            : lane;
    }

    public static PreflightReport Evaluate(StackWorkspace ws, StackConfig config, LaneConfig lane, StackContext switched, PolicyReport policies)
    {
        var deployment = Lanes.All(switched).FirstOrDefault(l => l.Annotation.Name == lane.Name)
            ?? throw new CliException(ExitCodes.Error, $"lane '{lane.Name}' composed no model-server workload");
        var node = Lanes.Nodes(switched).FirstOrDefault(n => n.Gpu.Node == lane.Node);
        var gpu = node is null ? "none declared" : Describe(node.Gpu);
        var checks = new List<PreflightCheck>();

        checks.Add(node is null
            ? new PreflightCheck("gpu_inventory", PreflightStatus.Block, $"lane names node '{lane.Node}', which declares no GPU")
            : new PreflightCheck("gpu_inventory", PreflightStatus.Pass,
                $"node '{node.Gpu.Node}' declares {node.Gpu.Count} GPU{(node.Gpu.Count == 1 ? "" : "s")} of {node.Gpu.VramMiB} MiB; the lane needs {deployment.Gpu?.Count ?? 0}"));

        var enabled = policies.Policies.Where(p => p.Level != EnforcementLevel.Disabled).Select(p => p.Policy.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, policy, pass) in PolicyChecks)
        {
            if (!enabled.Contains(policy)) continue;
            var found = policies.Violations.Where(v => v.PolicyName == policy && Concerns(v, id, deployment, lane)).ToList();
            if (id == "prefetch_config" && found.Count == 0 && Prefetched(switched, deployment) is { } missing)
            {
                var level = policies.Policies.First(p => p.Policy.Name == policy).Level;
                // Nothing of a sample lock can be prefetched (no sha256 to verify): the model_lock line already says why.
                var sample = Workload.All(switched).SelectMany(w => w.Find<LockedModels>()?.Locks ?? []).Any(l => l.Sample is not null);
                checks.Add(new PreflightCheck(id, level == EnforcementLevel.Mandatory && !sample ? PreflightStatus.Block : PreflightStatus.Warn,
                    sample ? missing + " (models.lock.yaml is a sample: nothing in it can be verified yet)" : missing));
                continue;
            }
            if (found.Count == 0)
            {
                checks.Add(new PreflightCheck(id, PreflightStatus.Pass, pass));
                continue;
            }
            checks.AddRange(found.Select(v => new PreflightCheck(id,
                v.Enforcement == EnforcementLevel.Mandatory ? PreflightStatus.Block : PreflightStatus.Warn, v.Message)));
        }

        var served = deployment.Workload.OfType<ServedModel>().FirstOrDefault();
        var evidence = AcceptanceEvidence.Load(ws.Loaded.ProjectDirectory, ws.Stack, lane.Name);
        checks.Add(evidence.Check(lane, node?.Gpu, EvidenceSettings.Of(lane, ws.LoadModelLocks())));
        var quant = deployment.Find<LockedModels>()?.Locks.FirstOrDefault()?.Gguf?.Quantization;
        var margin = policies.Policies.Select(p => p.Policy).OfType<VramFit>().FirstOrDefault()?.MarginMiB ?? VramFit.DefaultMarginMiB;
        var fit = $"ctx={lane.CtxSize}"
            + (served is null ? "" : $", kv={served.CacheTypeK.ToString().ToLowerInvariant()}/{served.CacheTypeV.ToString().ToLowerInvariant()}")
            + (quant is null ? "" : $", quant={quant}")
            + (evidence.Record?.PeakVramMiB is { } peak ? $", live_peak_mib={peak}" : "")
            + "; " + FitLine(StackLaneFit.For(ws).Estimate(lane, margin));
        return new PreflightReport(lane.Name, lane.Runtime.ToString().ToLowerInvariant(), lane.Node, gpu, fit, checks);
    }

    /// <summary>
    /// The estimate as the fit line shows it: <c>estimate: 21934 MiB of 24467 MiB, headroom 2533 MiB (margin 1024): fits
    /// (weights 20822 MiB, …)</c>, or <c>estimate: cannot estimate: &lt;why and what to do&gt;</c>.
    /// </summary>
    private static string FitLine((Fit.Estimate.FitEstimate? Estimate, string? WhyNot) fit) => fit.Estimate is not { } e
        ? $"estimate: cannot estimate: {fit.WhyNot}"
        : System.FormattableString.Invariant($"estimate: {e.TotalMiB:0} MiB of {e.BudgetMiB:0} MiB, headroom {e.HeadroomMiB:0} MiB (margin {e.MarginMiB:0}): {e.VerdictText} ({StackLaneFit.Breakdown(e)})");

    /// <summary>Null when a prefetch Job on the lane's node downloads its locked model, else why the model is not prefetched.</summary>
    private static string? Prefetched(StackContext stack, LaneWorkload lane)
    {
        if (lane.Annotation.Runtime != ModelRuntime.LlamaCpp)
        {
            return $"{lane.Annotation.Runtime.ToString().ToLowerInvariant()} lanes load their model from the node's model disk, and llmctl does not prefetch them; make sure it is there";
        }
        var refs = lane.Find<LockedModels>()?.Locks.Where(l => l.IsLocked).Select(l => l.Ref).ToList() ?? [];
        var prefetched = Workload.All(stack)
            .Where(w => w.Find<ServingLane>() is null && w.PodSpec["nodeSelector"]?[GpuLabels.Hostname]?.ToString() == lane.Annotation.Node)
            .SelectMany(w => w.Find<LockedModels>()?.Locks ?? []).Select(l => l.Ref).ToHashSet(StringComparer.Ordinal);
        return refs.Count > 0 && refs.All(prefetched.Contains) ? null : "model is not prefetched: no prefetch Job on the node downloads its locked file (lanes.prefetch)";
    }

    private static bool Concerns(Violation v, string id, LaneWorkload lane, LaneConfig config) => id switch
    {
        "model_lock" => v.Urn == lane.Workload.Owner.Urn && !v.Message.Contains("prefetch", StringComparison.Ordinal),
        "prefetch_config" => v.Urn == lane.Workload.Owner.Urn && v.Message.Contains("prefetch", StringComparison.Ordinal),
        "node_budget" or "one_active_lane" => v.Message.Contains($"'{config.Node}'", StringComparison.Ordinal),
        "alias_backends" => true,
        // Stale evidence is validation_status's line; vram_fit keeps the estimate's findings.
        "vram_fit" => v.Urn == lane.Workload.Owner.Urn && !v.Message.Contains("acceptance evidence is stale", StringComparison.Ordinal),
        _ => v.Urn == lane.Workload.Owner.Urn,
    };

    /// <summary>
    /// The live checks, when the cluster answers: the node exists and advertises the GPUs (device plugin), GPU Feature
    /// Discovery's memory label matches the declared card, kubelet's allocatable is not below what the stack declares,
    /// and no GPU LLM pod is pending. Returns the checks and the <c>live:</c> line.
    /// </summary>
    public static async Task<(IReadOnlyList<PreflightCheck> Checks, string Live)> LiveAsync(
        Providers.Kubernetes.ClusterFacts facts, LaneConfig lane, StackContext switched, CancellationToken ct)
    {
        var deployment = Lanes.All(switched).First(l => l.Annotation.Name == lane.Name);
        var declared = Lanes.Nodes(switched).FirstOrDefault(n => n.Gpu.Node == lane.Node);
        var checks = new List<PreflightCheck>();
        Providers.Kubernetes.LiveNode? node;
        IReadOnlyList<Providers.Kubernetes.LivePod> pods;
        try
        {
            node = await facts.NodeAsync(lane.Node!, ct);
            pods = await facts.PodsAsync($"{ModelLabels.GpuLlm}=true", ModelLabels.Lane, ct);
        }
        catch (Engine.Providers.ProviderException ex)
        {
            return ([], $"cluster not reachable ({ex.Message}); the checks are from the stack file only");
        }
        if (node is null)
        {
            return ([new PreflightCheck("live_node", PreflightStatus.Block, $"the cluster has no node '{lane.Node}'; join it or fix the lane's node")], "read from the cluster");
        }
        var resource = (deployment.Gpu?.Vendor ?? GpuVendor.Nvidia).ResourceName();
        var need = deployment.Gpu?.Count ?? 1;
        var advertised = node.Allocatable.TryGetValue(resource, out var a) && int.TryParse(a, out var n) ? n : 0;
        checks.Add(advertised >= need
            ? new PreflightCheck("gpu_allocatable", PreflightStatus.Pass, $"node '{node.Name}' advertises {advertised} allocatable {resource}")
            : new PreflightCheck("gpu_allocatable", PreflightStatus.Block, $"node '{node.Name}' advertises {advertised} allocatable {resource} and the lane needs {need}; is the device plugin running and healthy?"));
        if (declared is { Gpu.Vendor: GpuVendor.Nvidia })
        {
            var label = node.Labels.GetValueOrDefault("nvidia.com/gpu.memory");
            checks.Add(label is null
                ? new PreflightCheck("gpu_memory", PreflightStatus.Warn, "the node has no nvidia.com/gpu.memory label; is GPU Feature Discovery running?")
                : label == declared.Gpu.VramMiB.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    ? new PreflightCheck("gpu_memory", PreflightStatus.Pass, $"GPU Feature Discovery reports {label} MiB, as declared")
                    : new PreflightCheck("gpu_memory", PreflightStatus.Warn, $"GPU Feature Discovery reports {label} MiB but the stack declares {declared.Gpu.VramMiB} MiB; fix the node's hardware"));
        }
        if (declared?.Annotations.Find<NodeAllocatable>() is { } budget)
        {
            foreach (var (name, want) in new[] { ("cpu", budget.Cpu), ("memory", budget.Memory) })
            {
                if (want is not { } declaredAmount || !node.Allocatable.TryGetValue(name, out var liveText)) continue;
                if (Workload.Value(liveText) is not { } live || live >= declaredAmount.Value) continue;
                checks.Add(new PreflightCheck("node_allocatable", PreflightStatus.Warn,
                    $"node '{node.Name}' offers {liveText} {name} to pods, less than the {declaredAmount.Text} the stack declares; set gpuNodes[].allocatable.{name} to it"));
            }
        }
        var here = pods.Where(p => p.Node == node.Name || (p.Node is null && p.Phase == "Pending")).ToList();
        var pending = here.Where(p => p.Phase == "Pending").ToList();
        var running = here.Where(p => p.Phase == "Running").ToList();
        checks.Add(pending.Count > 0
            ? new PreflightCheck("gpu_pods", PreflightStatus.Warn, $"GPU LLM pods are pending: {string.Join(", ", pending.Select(p => $"{p.Namespace}/{p.Name}"))}; settle them before switching")
            : new PreflightCheck("gpu_pods", PreflightStatus.Pass, running.Count == 0 ? "no GPU LLM pod is running on the node"
                : $"{running.Count} running GPU LLM pod{(running.Count == 1 ? "" : "s")} on the node ({string.Join(", ", running.Select(p => p.Lane ?? p.Name))}), none pending"));
        return (checks, $"read from the cluster (node '{node.Name}')");
    }

    private static string Describe(NodeGpu gpu) =>
        (HardwareCatalog.TryGet(gpu.Model, out var hw) ? hw.DisplayName : gpu.Model) + $", total={gpu.VramMiB}MiB" + (gpu.Count > 1 ? $" ×{gpu.Count}" : "");
}
