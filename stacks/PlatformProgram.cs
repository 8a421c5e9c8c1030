using Llmctl.Components.Kubernetes;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Stacks.Compose;
using Llmctl.Stacks.Config;
using Llmctl.Fit.Lock;

namespace Llmctl.Stacks;

/// <summary>
/// The composition root: a typed <see cref="StackConfig"/> becomes components, one layer per composer — the cluster
/// (tailnet, k3s), the GPUs (nodes, runtime, device plugins, NFD), the lanes, certificates (cert-manager, DNS-01
/// webhook, ClusterIssuer), the gateway, observability. A section
/// that is absent composes nothing; what cannot be composed throws one <see cref="StackCompositionException"/> with
/// every problem found, each at its config key.
/// </summary>
public static class PlatformProgram
{
    /// <param name="locks">The project's <c>models.lock.yaml</c>, for lanes that name a <c>modelRef</c>.</param>
    /// <param name="partial">The config did not bind cleanly and is composed only for the problems the composition finds
    /// (see <see cref="CompositionProblems"/>): a layer whose inputs did not bind is skipped.</param>
    public static void Compose(StackContext ctx, StackConfig config, StackSecrets? secrets = null, ModelLockFile? locks = null, bool partial = false)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(config);
        secrets ??= StackSecrets.None;

        // Independent layers all run, so their problems show together; a layer whose inputs failed is not run (it
        // would only report the same mistake again).
        var problems = new CompositionProblems(ctx.ProjectName, partial);
        problems.Try("k3s", () => ClusterComposer.Compose(ctx, config, secrets));
        var gpuLayer = problems.Try("gpu", () => GpuComposer.Compose(ctx, config));
        var certificates = problems.Try("certificates", () => CertificatesComposer.Compose(ctx, config));
        problems.ThrowIfAny();
        if (gpuLayer is not { } gpu) return; // only when partial: the GPU nodes did not bind
        var lanes = LaneComposer.Compose(ctx, config, gpu, locks, problems);
        problems.ThrowIfAny();
        var gateway = problems.Try("gateway", () => GatewayComposer.Compose(ctx, config, lanes, secrets, certificates));
        problems.ThrowIfAny();
        problems.Try("observability", () => ObservabilityComposer.Compose(ctx, config, gpu, lanes, gateway));
        problems.ThrowIfAny();

        ctx.Export("gpuNodes", gpu.Nodes.Keys.ToArray());
        ctx.Export("lanesNamespace", config.Lanes.Namespace);
        // A list, not a map per node: a stack that breaks one-active-lane-per-gpu must still compose so the policy can report it.
        ctx.Export("activeLanes", lanes.All.Where(l => l.Active).Select(l => l.Name).ToArray());
        ctx.Export("laneEndpoints", lanes.All.ToDictionary(l => l.Name, l => l.Endpoint));
        if (gateway is not null) ctx.Export("gatewayModels", gateway.ModelNames.ToArray());

        // Namespaces, CRDs and RBAC before what uses them (and after it on delete).
        KubernetesOrdering.Wire(ctx);
    }
}
