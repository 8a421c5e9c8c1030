using System.Text.Json.Nodes;
using Llmctl.Engine.Config;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Providers.Helm;

/// <summary>
/// What <c>helm template</c> needs to render a release exactly as k3s's helm-controller installs it. helm-controller
/// (k3s-io/helm-controller <c>pkg/controllers/chart/chart.go</c>) runs <c>helm install</c> with release name = the
/// HelmChart's name, <c>--namespace &lt;targetNamespace&gt;</c>, <c>--version</c>, the HelmChart's
/// <c>valuesContent</c> as the values file <c>values-01_HelmChart.yaml</c> then a HelmChartConfig's as
/// <c>values-10_HelmChartConfig.yaml</c>, and the keys of <c>valuesSecrets</c> after them; install puts the chart's
/// <c>crds/</c> in too. The cluster's Kubernetes version and the API groups its CRDs serve are what
/// <c>.Capabilities</c> sees on the cluster, so they are passed explicitly. Test hooks (<c>helm.sh/hook: test</c>) are
/// left out (<c>--skip-tests</c>): helm-controller's install Job runs <c>helm install</c>/<c>upgrade</c>, never
/// <c>helm test</c>, so those pods never exist in the cluster.
/// </summary>
public sealed record HelmTemplateRequest
{
    public required string ReleaseName { get; init; }
    public required string Namespace { get; init; }
    /// <summary>A packaged chart (<c>.tgz</c>) or a chart directory.</summary>
    public required string ChartPath { get; init; }
    /// <summary>Values files' contents, in the order helm-controller passes them.</summary>
    public IReadOnlyList<string> ValuesFiles { get; init; } = [];
    /// <summary>The cluster's Kubernetes version (<c>v1.35.5</c>); null: Helm's own default.</summary>
    public string? KubeVersion { get; init; }
    /// <summary>Extra API versions the cluster serves (<c>monitoring.coreos.com/v1</c>), for charts that test <c>.Capabilities.APIVersions</c>.</summary>
    public IReadOnlyList<string> ApiVersions { get; init; } = [];
}

public static class HelmTemplate
{
    /// <summary>The arguments of <c>helm template</c> for <paramref name="request"/>, values files given as paths.</summary>
    public static IReadOnlyList<string> Arguments(HelmTemplateRequest request, IReadOnlyList<string> valuesPaths)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(valuesPaths);
        var args = new List<string> { "template", request.ReleaseName, request.ChartPath, "--namespace", request.Namespace, "--include-crds", "--skip-tests" };
        foreach (var path in valuesPaths) args.AddRange(["--values", path]);
        if (request.KubeVersion is { } kv) args.AddRange(["--kube-version", kv]);
        foreach (var api in request.ApiVersions) args.AddRange(["--api-versions", api]);
        return args;
    }

    /// <summary>Renders <paramref name="request"/> with the real helm and parses every document into a JSON object.</summary>
    public static async Task<IReadOnlyList<JsonObject>> RenderAsync(HelmBinary helm, HelmTemplateRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(helm);
        ArgumentNullException.ThrowIfNull(request);
        var dir = Directory.CreateTempSubdirectory("llmctl-values-");
        try
        {
            var paths = new List<string>();
            for (var i = 0; i < request.ValuesFiles.Count; i++)
            {
                var path = Path.Combine(dir.FullName, $"values-{i:00}.yaml");
                await File.WriteAllTextAsync(path, request.ValuesFiles[i], cancellationToken).ConfigureAwait(false);
                paths.Add(path);
            }
            var output = await helm.RunAsync(Arguments(request, paths), cancellationToken).ConfigureAwait(false);
            return ParseManifests(output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Every non-empty document of a multi-document manifest stream, as JSON objects (YAML 1.1 scalars as Helm's reader types them).</summary>
    public static IReadOnlyList<JsonObject> ParseManifests(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml)) stream.Load(reader);
        var result = new List<JsonObject>();
        foreach (var doc in stream.Documents)
        {
            if (doc.RootNode is YamlScalarNode) continue; // an empty document
            if (YamlJson.ToJsonNode(doc.RootNode) is JsonObject o && o.Count > 0) result.Add(o);
        }
        return result;
    }
}
