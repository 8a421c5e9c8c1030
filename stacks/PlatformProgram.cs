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
/// that is absent composes nothing; a value that cannot be composed throws <see cref="StackCompositionException"/>.
/// </summary>
public static class PlatformProgram
{
    /// <param name="locks">The project's <c>models.lock.yaml</c>, for lanes that name a <c>modelRef</c>.</param>
    public static void Compose(StackContext ctx, StackConfig config, StackSecrets? secrets = null, ModelLockFile? locks = null)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(config);
        secrets ??= StackSecrets.None;

        ClusterComposer.Compose(ctx, config, secrets);
        var gpu = GpuComposer.Compose(ctx, config);
        var lanes = LaneComposer.Compose(ctx, config, gpu, locks);
        var certificates = CertificatesComposer.Compose(ctx, config);
        var gateway = GatewayComposer.Compose(ctx, config, lanes, secrets, certificates);
        ObservabilityComposer.Compose(ctx, config, gpu, lanes, gateway);

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
