using k8s.Models;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Observability;

/// <summary>Where the dashboard ConfigMaps go; the sidecar searches every namespace.</summary>
public sealed record GrafanaDashboardsArgs
{
    public string Namespace { get; init; } = "monitoring";
    /// <summary>The dashboards; by default seed 002's two (<see cref="Dashboards.All"/>).</summary>
    public IReadOnlyList<GrafanaDashboard> Dashboards { get; init; } = Observability.Dashboards.All;
}

/// <summary>
/// Grafana dashboards as ConfigMaps for kube-prometheus-stack's dashboard sidecar: one ConfigMap per dashboard,
/// labelled <c>grafana_dashboard: "1"</c>, with the dashboard JSON under <c>&lt;uid&gt;.json</c>.
/// </summary>
public sealed class GrafanaDashboards : ComponentResource
{
    public const string TypeToken = "llmctl:observability:GrafanaDashboards";

    public GrafanaDashboards(string name, GrafanaDashboardsArgs? args = null, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        Args = args ?? new GrafanaDashboardsArgs();
        ComponentArgumentException.ThrowIfAny(this, Validate(name, Args));
        var childOptions = new CustomResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn };
        ConfigMaps = Args.Dashboards.Select(d => new KubernetesObject<V1ConfigMap>($"{name}-{d.Uid}", new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = $"{name}-{d.Uid}",
                NamespaceProperty = Args.Namespace,
                Labels = new Dictionary<string, string>
                {
                    [ObservabilityLabels.GrafanaDashboard] = ObservabilityLabels.GrafanaDashboardValue,
                    ["app.kubernetes.io/managed-by"] = "llmctl",
                },
            },
            Data = new Dictionary<string, string> { [d.FileName] = d.ToJsonText() },
        }, childOptions)).ToList();
        RegisterOutputs(new Dictionary<string, object?> { ["dashboards"] = Args.Dashboards.Select(d => d.Uid).ToList() });
    }

    public GrafanaDashboardsArgs Args { get; }
    public IReadOnlyList<KubernetesObject<V1ConfigMap>> ConfigMaps { get; }

    private static List<ArgumentProblem> Validate(string name, GrafanaDashboardsArgs args)
    {
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(args.Namespace) is { } ns) problems.Add(new ArgumentProblem("namespace", ns));
        if (args.Dashboards.Count == 0) problems.Add(new ArgumentProblem("dashboards", "list at least one dashboard"));
        foreach (var group in args.Dashboards.GroupBy(d => d.Uid, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add(new ArgumentProblem("dashboards", $"uid '{group.Key}' is used {group.Count()} times; Grafana keeps one dashboard per uid"));
        }
        for (var i = 0; i < args.Dashboards.Count; i++)
        {
            var d = args.Dashboards[i];
            // Grafana's uid limit is 40 characters; the ConfigMap name must be a DNS label.
            if (d.Uid is not { Length: > 0 and <= 40 } || KubernetesNames.Dns1123LabelProblem($"{name}-{d.Uid}") is not null)
            {
                problems.Add(new ArgumentProblem($"dashboards[{i}].uid", $"'{d.Uid}' must be at most 40 lowercase letters, digits and '-', and '{name}-{d.Uid}' a DNS label"));
            }
            if (d.Panels.Count == 0) problems.Add(new ArgumentProblem($"dashboards[{i}].panels", "a dashboard needs at least one panel"));
            for (var p = 0; p < d.Panels.Count; p++)
            {
                var panel = d.Panels[p];
                if (panel.Width is < 1 or > 24) problems.Add(new ArgumentProblem($"dashboards[{i}].panels[{p}].width", $"{panel.Width} is not between 1 and 24 grid columns"));
                if (panel.Queries.Count == 0) problems.Add(new ArgumentProblem($"dashboards[{i}].panels[{p}].queries", $"panel '{panel.Title}' has no query"));
            }
        }
        return problems;
    }
}
