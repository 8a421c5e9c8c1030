using System.Text.Json.Nodes;
using k8s.Models;

namespace Llmctl.Components.Helm;

/// <summary>
/// Tolerations for the pods of system releases (cert-manager, its DNS webhook, kube-prometheus-stack, LiteLLM and its
/// Postgres) as chart values: one <c>Equal</c> toleration per taint, so they schedule where the stack's GPU nodes are the
/// whole cluster and every one of them carries a NoSchedule GPU taint. Empty when some node is free of hard taints
/// (then they keep off the GPU nodes, as the taint intends).
/// </summary>
public static class SystemTolerations
{
    /// <summary>The tolerations of <paramref name="taints"/>, as the charts' <c>tolerations</c> lists take them.</summary>
    public static JsonArray Of(IEnumerable<V1Taint> taints)
    {
        ArgumentNullException.ThrowIfNull(taints);
        return new JsonArray(taints.Select(t =>
        {
            var o = new JsonObject { ["key"] = t.Key, ["operator"] = string.IsNullOrEmpty(t.Value) ? "Exists" : "Equal" };
            if (!string.IsNullOrEmpty(t.Value)) o["value"] = t.Value;
            o["effect"] = t.Effect;
            return (JsonNode?)o;
        }).ToArray());
    }
}
