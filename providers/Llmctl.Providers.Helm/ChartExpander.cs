using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Providers.Helm;

/// <summary>What the expansion of a stack's HelmCharts did, for the verbs to print.</summary>
public sealed record ExpansionReport(int Rendered, int Unverified, IReadOnlyList<(Urn Urn, string Source, string Reason)> Missing)
{
    public bool HelmMissing { get; init; }
}

/// <summary>
/// Expands every <c>helm.cattle.io/v1</c> HelmChart of a composed stack into the objects its chart makes, with the
/// real <c>helm template</c> run from the verified chart cache, and attaches them to the HelmChart as
/// <see cref="RenderedChildren"/> (or says why not with <see cref="RenderedChildrenMissing"/>). Nothing is planned
/// or applied from them: helm-controller installs the release.
/// </summary>
public sealed class ChartExpander(HelmBinary? helm, ChartCache cache, ChartLockFile? lockFile)
{
    public const string HelmChartType = "kubernetes:helm.cattle.io/v1:HelmChart";

    /// <summary>The chart a HelmChart resource installs: name, repository (an OCI reference split off) and version.</summary>
    public static (string Name, string Repository, string Version) ChartOf(CustomResource helmChart)
    {
        ArgumentNullException.ThrowIfNull(helmChart);
        var spec = ReleaseSpec.From(helmChart.Inputs);
        return (spec.ChartName, spec.Repository, spec.Version);
    }

    /// <summary>The Kubernetes version to render for (<c>v1.35.5</c>); null: Helm's default.</summary>
    public string? KubeVersion { get; init; }

    /// <summary>How many <c>helm template</c> processes run at once.</summary>
    public int Concurrency { get; init; } = 4;

    public async Task<ExpansionReport> ExpandAsync(StackContext stack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var charts = stack.Resources.OfType<CustomResource>().Where(r => r.Type == HelmChartType).ToList();
        var missing = new List<(Urn, string, string)>();
        if (charts.Count == 0) return new ExpansionReport(0, 0, missing);

        var jobs = new List<(CustomResource Resource, ReleaseSpec Spec)>();
        foreach (var resource in charts)
        {
            var spec = ReleaseSpec.From(resource.Inputs);
            string? reason = helm is null ? HelmBinary.MissingMessage : Prepare(spec);
            if (reason is not null)
            {
                resource.Annotate(new RenderedChildrenMissing(spec.Source, reason));
                missing.Add((resource.Urn, spec.Source, reason));
                continue;
            }
            jobs.Add((resource, spec));
        }

        // Two passes: the first finds the CRDs the stack's charts install; the second renders with those API versions,
        // as `.Capabilities.APIVersions` sees them on the cluster (dcgm-exporter's ServiceMonitor renders only then).
        var first = await RenderAllAsync(jobs, [], cancellationToken).ConfigureAwait(false);
        var apiVersions = first.Values.Where(r => r.Objects is not null).SelectMany(r => CrdApiVersions(r.Objects!))
            .Concat(stack.Resources.OfType<CustomResource>().Where(r => r.Type.EndsWith(":CustomResourceDefinition", StringComparison.Ordinal))
                .SelectMany(r => CrdApiVersions([r.Inputs])))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var results = apiVersions.Count == 0 ? first : await RenderAllAsync(jobs, apiVersions, cancellationToken).ConfigureAwait(false);

        int rendered = 0, unverified = 0;
        foreach (var (resource, spec) in jobs)
        {
            var result = results[resource.Urn];
            if (result.Objects is null)
            {
                resource.Annotate(new RenderedChildrenMissing(spec.Source, result.Error!));
                missing.Add((resource.Urn, spec.Source, result.Error!));
                continue;
            }
            resource.Annotate(new RenderedChildren(spec.Source, spec.Verified, result.Objects));
            rendered++;
            if (!spec.Verified) unverified++;
        }
        return new ExpansionReport(rendered, unverified, missing) { HelmMissing = helm is null };
    }

    private sealed record RenderResult(IReadOnlyList<JsonObject>? Objects, string? Error);

    private async Task<Dictionary<Urn, RenderResult>> RenderAllAsync(List<(CustomResource Resource, ReleaseSpec Spec)> jobs, IReadOnlyList<string> apiVersions, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(Math.Max(1, Concurrency));
        var tasks = jobs.Select(async job =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var request = new HelmTemplateRequest
                {
                    ReleaseName = job.Spec.ReleaseName,
                    Namespace = job.Spec.TargetNamespace,
                    ChartPath = job.Spec.CachePath!,
                    ValuesFiles = job.Spec.ValuesContent is { } v ? [v] : [],
                    KubeVersion = KubeVersion,
                    ApiVersions = apiVersions,
                };
                var objects = await HelmTemplate.RenderAsync(helm!, request, cancellationToken).ConfigureAwait(false);
                return (job.Resource.Urn, new RenderResult(objects.Select(o => Stamp(o, job.Spec.TargetNamespace)).ToList(), null));
            }
            catch (HelmException ex)
            {
                return (job.Resource.Urn, new RenderResult(null, ex.Message));
            }
            finally
            {
                gate.Release();
            }
        });
        return (await Task.WhenAll(tasks).ConfigureAwait(false)).ToDictionary(t => t.Urn, t => t.Item2);
    }

    /// <summary>
    /// Namespaced objects without a namespace go to the release's namespace, as <c>helm install --namespace</c> does.
    /// Cluster-scoped kinds are left alone.
    /// </summary>
    private static JsonObject Stamp(JsonObject o, string ns)
    {
        var kind = o["kind"]?.GetValue<string>() ?? "";
        if (ClusterScoped.Contains(kind)) return o;
        if (o["metadata"] is not JsonObject meta) o["metadata"] = meta = new JsonObject();
        if (meta["namespace"] is null) meta["namespace"] = ns;
        return o;
    }

    private static readonly HashSet<string> ClusterScoped = new(StringComparer.Ordinal)
    {
        "Namespace", "Node", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
        "APIService", "PriorityClass", "RuntimeClass", "IngressClass", "CSIDriver", "ClusterIssuer", "NodeFeatureRule", "NodeFeatureGroup",
        "PodSecurityPolicy", "VolumeAttachment",
    };

    private static IEnumerable<string> CrdApiVersions(IEnumerable<JsonObject> objects)
    {
        foreach (var o in objects)
        {
            if (o["kind"]?.GetValue<string>() != "CustomResourceDefinition") continue;
            var group = o["spec"]?["group"]?.GetValue<string>();
            if (group is null || o["spec"]?["versions"] is not JsonArray versions) continue;
            foreach (var v in versions)
            {
                if (v?["name"]?.GetValue<string>() is { } name && v["served"]?.GetValue<bool>() != false) yield return $"{group}/{name}";
            }
        }
    }

    /// <summary>Null when the release can be rendered; else why not. Sets the cache path and verification.</summary>
    private string? Prepare(ReleaseSpec spec)
    {
        if (spec.Problem is { } problem) return problem;
        var entry = lockFile?.Find(spec.ChartName, spec.Repository, spec.Version);
        var path = cache.PathFor(spec.ChartName, spec.Repository, spec.Version);
        if (!File.Exists(path))
        {
            return $"chart {spec.ChartName} {spec.Version} is not in the chart cache ({cache.Root}); run `llmctl charts pull`";
        }
        if (entry?.Digest is { } locked)
        {
            var actual = ChartCache.Digest(path);
            if (actual != locked)
            {
                return $"the cached package {path} has digest {actual}, not the locked {locked}: refused; run `llmctl charts pull` again";
            }
            spec.Verified = true;
        }
        spec.CachePath = path;
        return null;
    }

    /// <summary>The parts of a HelmChart's inputs a render needs.</summary>
    private sealed class ReleaseSpec
    {
        public string ReleaseName { get; private init; } = "";
        public string ChartName { get; private init; } = "";
        public string Repository { get; private init; } = "";
        public string Version { get; private init; } = "";
        public string TargetNamespace { get; private init; } = "default";
        public string? ValuesContent { get; private init; }
        public string? Problem { get; private init; }
        public string? CachePath { get; set; }
        public bool Verified { get; set; }
        /// <summary>valuesSecrets hold secret values (LiteLLM's database password); the render leaves them out.</summary>
        public bool HasValuesSecrets { get; private init; }
        public string Source => $"chart {ChartName} {Version} from {Repository}" + (HasValuesSecrets ? " (values from Secrets left out)" : "");

        public static ReleaseSpec From(JsonObject inputs)
        {
            var spec = inputs["spec"] as JsonObject ?? new JsonObject();
            string? Text(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            var chart = Text(spec["chart"]) ?? "";
            var repo = Text(spec["repo"]);
            var name = chart;
            if (repo is null && chart.StartsWith("oci://", StringComparison.Ordinal))
            {
                var cut = chart.LastIndexOf('/');
                repo = chart[..cut];
                name = chart[(cut + 1)..];
            }
            string? problem = null;
            var valuesNode = spec["valuesContent"];
            if (PropertyValues.ContainsUnknowns(valuesNode)) problem = "its values are known only after apply";
            return new ReleaseSpec
            {
                ReleaseName = Text(inputs["metadata"]?["name"]) ?? "",
                ChartName = name,
                Repository = repo ?? "",
                Version = Text(spec["version"]) ?? "",
                TargetNamespace = Text(spec["targetNamespace"]) ?? Text(inputs["metadata"]?["namespace"]) ?? "default",
                ValuesContent = problem is null ? Text(valuesNode) : null,
                HasValuesSecrets = spec["valuesSecrets"] is JsonArray { Count: > 0 },
                Problem = problem ?? (repo is null ? $"chart '{chart}' names no repository" : null),
            };
        }
    }
}
