using System.Text.Json.Nodes;

namespace Llmctl.Engine.Model;

/// <summary>
/// The objects a resource makes through another controller — a Helm release's manifests, rendered by the real
/// <c>helm template</c> and applied by k3s's helm-controller. They are read-only children: preview shows them,
/// <c>render --expand-charts</c> writes them, policies check them like any other Kubernetes object, and the engine
/// never plans or applies them. <paramref name="Source"/> says where they came from (chart, version, digest).
/// <paramref name="Verified"/> is false when the chart was rendered from a package whose digest is not locked.
/// </summary>
public sealed record RenderedChildren(string Source, bool Verified, IReadOnlyList<JsonObject> Objects) : IResourceAnnotation;

/// <summary>Why a resource's children could not be rendered (no helm, chart not in the cache, chart not renderable).</summary>
public sealed record RenderedChildrenMissing(string Source, string Reason) : IResourceAnnotation;
