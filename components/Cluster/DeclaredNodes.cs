using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Cluster;

/// <summary>
/// A node as the stack declares it: the labels it will carry (its own, the kubelet's, the GPU semantic labels, and
/// those NFD, GPU Feature Discovery or the AMD labeller will publish), label keys whose value is only known on the
/// node, and its taints.
/// </summary>
public sealed record DeclaredNode(
    string Name,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlySet<string> KeysWithUnknownValues,
    IReadOnlyList<V1Taint> Taints)
{
    /// <summary>
    /// Labels that say an optional GPU feature is off (<c>nvidia.com/mps.capable=false</c>): a DaemonSet that waits for
    /// the feature selects no node by design, and is not a fault.
    /// </summary>
    public IReadOnlySet<string> FeatureFlags { get; init; } = new HashSet<string>();

    /// <summary>Taints that keep a pod off unless tolerated (NoSchedule, NoExecute); PreferNoSchedule never does.</summary>
    public IEnumerable<V1Taint> HardTaints => Taints.Where(t => t.Effect is "NoSchedule" or "NoExecute");
}

/// <summary>
/// Every node the stack declares: its GPU nodes and, when it installs k3s, the server and agents — then the node set
/// is <see cref="Complete"/> (llmctl made the whole cluster). Without a k3s section the cluster may have nodes the
/// stack does not know about (seed 002's control plane), so a pod that selects no GPU label can go there.
/// </summary>
public sealed record DeclaredNodes(IReadOnlyList<DeclaredNode> Nodes, bool Complete)
{
    /// <summary>
    /// The GPU taints the system releases (cert-manager, its DNS webhook, kube-prometheus-stack, LiteLLM and its
    /// Postgres) must tolerate: when the stack declares the whole cluster (<see cref="Complete"/>) and every node in it
    /// carries a NoSchedule/NoExecute taint, the GPU nodes' hard taints (<c>gpuNodes[].taint</c>); otherwise none, and
    /// system pods keep off the GPU nodes as the taint intends. Read while composing, after the cluster and GPU layers.
    /// k3s's helm-install Jobs get no such toleration (a HelmChart cannot give one): workloads-schedulable reports them.
    /// </summary>
    public static IReadOnlyList<V1Taint> SystemTolerations(StackContext stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var nodes = From(stack);
        if (!nodes.Complete || nodes.Nodes.Count == 0 || nodes.Nodes.Any(n => !n.HardTaints.Any())) return [];
        return stack.Resources.OfType<GpuNode>().SelectMany(g => g.Taints)
            .Where(t => t.Effect is "NoSchedule" or "NoExecute")
            .DistinctBy(t => (t.Key, t.Value, t.Effect))
            .ToList();
    }

    /// <summary>
    /// Labels NFD publishes are modelled from its configuration: a GPU node of vendor V gets
    /// <c>pci-&lt;class&gt;_&lt;V&gt;.present</c> for every PCI class NFD is told to label (the node's real class is only
    /// known on the node) and <c>pci-&lt;V&gt;.present</c> when NFD labels by vendor alone.
    /// </summary>
    public static DeclaredNodes From(StackContext stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var resources = stack.Resources;
        var k3s = resources.OfType<K3sCluster>().FirstOrDefault();
        var nfd = resources.OfType<NodeFeatureDiscovery>().FirstOrDefault();
        var nvidia = resources.OfType<NvidiaDevicePlugin>().FirstOrDefault();
        var amd = resources.OfType<AmdGpuPlugin>().FirstOrDefault();
        var nodes = new Dictionary<string, (Dictionary<string, string> Labels, HashSet<string> Unknown, List<V1Taint> Taints, HashSet<string> FeatureFlags)>(StringComparer.Ordinal);

        (Dictionary<string, string> Labels, HashSet<string> Unknown, List<V1Taint> Taints, HashSet<string> FeatureFlags) Node(string name)
        {
            if (!nodes.TryGetValue(name, out var n))
            {
                n = (new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    // What the kubelet always publishes; llmctl's nodes are Linux, and the hardware it knows is amd64.
                    [GpuLabels.Hostname] = name,
                    ["kubernetes.io/os"] = "linux",
                    ["kubernetes.io/arch"] = "amd64",
                    ["beta.kubernetes.io/os"] = "linux",
                    ["beta.kubernetes.io/arch"] = "amd64",
                }, new HashSet<string>(StringComparer.Ordinal), [], new HashSet<string>(StringComparer.Ordinal));
                nodes[name] = n;
            }
            return n;
        }

        if (k3s is not null)
        {
            var server = Node(k3s.Args.Server.Name);
            // k3s labels its servers with both role labels, value "true".
            server.Labels["node-role.kubernetes.io/control-plane"] = "true";
            server.Labels["node-role.kubernetes.io/master"] = "true";
            foreach (var node in (IEnumerable<K3sNodeArgs>)[k3s.Args.Server, .. k3s.Args.Agents])
            {
                var n = Node(node.Name);
                foreach (var (k, v) in node.Labels) n.Labels[k] = v;
                n.Taints.AddRange(node.Taints.Select(t => new V1Taint { Key = t.Key, Value = t.Value, Effect = t.Effect.ToString() }));
            }
        }
        foreach (var gpuNode in resources.OfType<GpuNode>())
        {
            var n = Node(gpuNode.Gpu.Node);
            foreach (var (k, v) in gpuNode.Labels) n.Labels[k] = v;
            n.Taints.AddRange(gpuNode.Taints);
            var vendorId = gpuNode.Gpu.Vendor == GpuVendor.Nvidia ? PciVendor.Nvidia : PciVendor.Amd;
            if (nfd is not null)
            {
                var fields = nfd.Args.PciLabelFields;
                if (fields.SequenceEqual(["vendor"])) n.Labels[$"feature.node.kubernetes.io/pci-{vendorId}.present"] = "true";
                else foreach (var cls in nfd.Args.PciDeviceClasses) n.Labels[NodeFeatureDiscovery.PciLabel(cls, vendorId)] = "true";
            }
            if (gpuNode.Gpu.Vendor == GpuVendor.Nvidia && nvidia is not null && nvidia.Args.GpuFeatureDiscovery && (nfd is not null || nvidia.Args.NfdSubchart))
            {
                n.Labels["nvidia.com/gpu.present"] = "true";
                // GFD writes these as "false" unless MPS or MIG is configured, which llmctl never does.
                n.Labels["nvidia.com/mps.capable"] = "false";
                n.FeatureFlags.Add("nvidia.com/mps.capable");
                foreach (var key in (string[])["nvidia.com/gpu.product", "nvidia.com/gpu.memory", "nvidia.com/gpu.count", "nvidia.com/cuda.driver.major", "nvidia.com/gpu.family"]) n.Unknown.Add(key);
            }
            if (gpuNode.Gpu.Vendor == GpuVendor.Amd && amd is not null && amd.Args.NodeLabeller)
            {
                foreach (var key in (string[])["amd.com/gpu.family", "amd.com/gpu.vram", "amd.com/gpu.device-id", "amd.com/gpu.cu-count", "amd.com/gpu.product-name"]) n.Unknown.Add(key);
            }
        }
        return new DeclaredNodes(
            nodes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new DeclaredNode(kv.Key, kv.Value.Labels, kv.Value.Unknown, kv.Value.Taints) { FeatureFlags = kv.Value.FeatureFlags }).ToList(),
            k3s is not null);
    }
}
