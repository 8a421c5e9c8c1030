using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Llmctl.Testing.Kubernetes;

namespace Llmctl.Providers.Kubernetes.Tests;

/// <summary>
/// The fake API server answers like a real one where ordering matters: an object in a namespace that does not exist
/// and a custom resource whose CRD is not installed are 404s, and what a HelmChart creates (its namespace with
/// <c>createNamespace</c>, the CRDs registered with <see cref="FakeKubernetesServer.ChartInstalls"/>) appears only when
/// its helm-install Job completes.
/// </summary>
public sealed class FakeServerChartInstallTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private FakeKubernetesServer _server = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeKubernetesServer.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_server.Url) };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private Task<HttpResponseMessage> ApplyAsync(string path, JsonObject obj) =>
        _http.PatchAsync($"{path}?fieldManager=test", new StringContent(obj.ToJsonString(), Encoding.UTF8, "application/apply-patch+yaml"), _ct);

    private static JsonObject Rule() => new()
    {
        ["apiVersion"] = "monitoring.coreos.com/v1",
        ["kind"] = "PrometheusRule",
        ["metadata"] = new JsonObject { ["name"] = "alerts", ["namespace"] = "monitoring" },
        ["spec"] = new JsonObject { ["groups"] = new JsonArray() },
    };

    private static JsonObject Chart() => new()
    {
        ["apiVersion"] = "helm.cattle.io/v1",
        ["kind"] = "HelmChart",
        ["metadata"] = new JsonObject { ["name"] = "kube-prometheus-stack", ["namespace"] = "kube-system" },
        ["spec"] = new JsonObject { ["chart"] = "kube-prometheus-stack", ["targetNamespace"] = "monitoring", ["createNamespace"] = true },
    };

    private static JsonObject Crd() => new()
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1",
        ["kind"] = "CustomResourceDefinition",
        ["metadata"] = new JsonObject { ["name"] = "prometheusrules.monitoring.coreos.com" },
        ["spec"] = new JsonObject
        {
            ["group"] = "monitoring.coreos.com",
            ["scope"] = "Namespaced",
            ["names"] = new JsonObject { ["kind"] = "PrometheusRule", ["plural"] = "prometheusrules", ["singular"] = "prometheusrule", ["listKind"] = "PrometheusRuleList" },
            ["versions"] = new JsonArray(new JsonObject { ["name"] = "v1", ["served"] = true, ["storage"] = true }),
        },
    };

    private const string RulePath = "/apis/monitoring.coreos.com/v1/namespaces/monitoring/prometheusrules/alerts";
    private const string SecretPath = "/api/v1/namespaces/monitoring/secrets/s";

    [Fact]
    public async Task A_custom_resource_and_a_namespaced_object_are_404_until_the_chart_that_creates_them_is_installed()
    {
        _server.ChartInstalls("kube-prometheus-stack", Crd());
        var secret = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = new JsonObject { ["name"] = "s", ["namespace"] = "monitoring" } };

        var before = await ApplyAsync(RulePath, Rule());
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Contains("the server could not find the requested resource", await before.Content.ReadAsStringAsync(_ct));
        var noNamespace = await ApplyAsync(SecretPath, secret);
        Assert.Equal(HttpStatusCode.NotFound, noNamespace.StatusCode);
        Assert.Contains("namespaces \\u0022monitoring\\u0022 not found", await noNamespace.Content.ReadAsStringAsync(_ct));

        // The chart is stored but not installed yet (no helm-controller in this test): still nothing.
        Assert.Equal(HttpStatusCode.Created, (await ApplyAsync("/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts/kube-prometheus-stack", Chart())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ApplyAsync(RulePath, Rule())).StatusCode);

        // helm-controller runs the install Job; when it completes, the namespace and the CRD are there.
        _server.AutoReadyAll();
        var upgraded = Chart();
        upgraded["spec"]!["version"] = "84.4.0";
        Assert.Equal(HttpStatusCode.OK, (await ApplyAsync("/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts/kube-prometheus-stack", upgraded)).StatusCode);
        for (var i = 0; i < 200 && _server.Get("Job", "kube-system", "helm-install-kube-prometheus-stack")?["status"]?["succeeded"] is null; i++) await Task.Delay(25, _ct);

        Assert.NotNull(_server.Get("Namespace", null, "monitoring"));
        Assert.Equal(HttpStatusCode.Created, (await ApplyAsync(RulePath, Rule())).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await ApplyAsync(SecretPath, secret)).StatusCode);
    }
}
