using System.Text.Json.Nodes;
using Llmctl.Components.Images;

namespace Llmctl.Components.Gpu;

/// <summary>Values fragments the GPU charts share: tolerations, node selectors, digest-pinned image tags.</summary>
internal static class ChartSettings
{
    public static JsonObject Exists(string key, string? effect = null)
    {
        var t = new JsonObject { ["key"] = key, ["operator"] = "Exists" };
        if (effect is not null) t["effect"] = effect;
        return t;
    }

    public static JsonObject DedicatedGpuToleration() => new()
    {
        ["key"] = GpuLabels.DedicatedTaintKey,
        ["operator"] = "Equal",
        ["value"] = GpuLabels.DedicatedTaintValue,
        ["effect"] = GpuLabels.DedicatedTaintEffect,
    };

    public static JsonObject Map(IReadOnlyDictionary<string, string> map)
    {
        var o = new JsonObject();
        foreach (var (key, value) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal)) o[key] = value;
        return o;
    }

    /// <summary>
    /// The chart's <c>image.tag</c> for a pinned image: <c>v0.20.0@sha256:…</c>. The charts write
    /// <c>repository:tag</c>, so a tag that carries the digest makes the node pull by digest (seed 002 does this).
    /// </summary>
    public static string TagWithDigest(ImageRef image) => image.Digest is null ? image.Tag ?? "" : $"{image.Tag}@{image.Digest}";

    /// <summary>
    /// Null when <paramref name="image"/> is absent or has a tag, else what to write: the charts write
    /// <c>repository:tag</c>, so a tag is what makes the value well-formed. The digest pin is the pinned-digests policy's.
    /// </summary>
    public static ArgumentProblem? ImageProblem(string argument, ImageRef? image) => image switch
    {
        null => null,
        { Tag: null } => new ArgumentProblem(argument, $"'{image}' has a digest but no tag; the chart writes repository:tag, so give both (repository:tag@sha256:…)"),
        _ => null,
    };

    /// <summary>Null when every label key in <paramref name="map"/> has a valid value, else the problems.</summary>
    public static IEnumerable<ArgumentProblem> LabelProblems(string argument, IReadOnlyDictionary<string, string> map) =>
        map.Where(kv => GpuLabels.LabelValueProblem(kv.Value) is not null || string.IsNullOrWhiteSpace(kv.Key))
            .Select(kv => new ArgumentProblem($"{argument}.{kv.Key}",
                GpuLabels.LabelValueProblem(kv.Value) ?? "a node selector needs a label key"));
}
