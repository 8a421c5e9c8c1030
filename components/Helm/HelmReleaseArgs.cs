using System.Text.Json.Nodes;

namespace Llmctl.Components.Helm;

/// <summary>What k3s's helm-controller does when an install or upgrade fails.</summary>
public enum HelmFailurePolicy
{
    /// <summary>Uninstall and install again (the controller's default).</summary>
    Reinstall,
    /// <summary>Leave the release failed for a person to look at.</summary>
    Abort,
    /// <summary>Retry the upgrade as it is.</summary>
    Retry,
}

/// <summary>A chart release: which chart, pinned to an exact version, where, and with which values.</summary>
public sealed record HelmReleaseArgs
{
    /// <summary>The chart's name in <see cref="Repo"/> (<c>nvidia-device-plugin</c>).</summary>
    public required string Chart { get; init; }
    /// <summary>The chart repository URL (<c>https://nvidia.github.io/k8s-device-plugin</c>).</summary>
    public required string Repo { get; init; }
    /// <summary>An exact chart version (<c>0.17.1</c>); ranges are refused so a release never moves by itself.</summary>
    public required string Version { get; init; }
    /// <summary>The namespace the chart's objects go to.</summary>
    public required string TargetNamespace { get; init; }
    public bool CreateNamespace { get; init; } = true;
    /// <summary>Chart values; written as the HelmChart's <c>valuesContent</c> YAML, keys sorted for stable diffs.</summary>
    public JsonObject Values { get; init; } = new();
    /// <summary>Secrets (in <see cref="ChartNamespace"/>) whose keys hold further values files: secret values stay out of the HelmChart.</summary>
    public IReadOnlyList<V1HelmValuesSecret> ValuesSecrets { get; init; } = [];
    /// <summary>Helm's <c>--timeout</c>; the install Job's own deadline.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
    public HelmFailurePolicy FailurePolicy { get; init; } = HelmFailurePolicy.Reinstall;
    /// <summary>A basic-auth Secret for a private chart repository.</summary>
    public string? AuthSecret { get; init; }
    /// <summary>Where the HelmChart object itself lives; k3s watches every namespace, <c>kube-system</c> by convention.</summary>
    public string ChartNamespace { get; init; } = "kube-system";
}
