using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Llmctl.Testing.Kubernetes;

namespace Llmctl.Providers.Kubernetes.Tests;

/// <summary>
/// The fake API server's Lease kind, label selectors and resourceVersion preconditions; and where ordering matters, its
/// answers are a real server's: an object in a namespace that does not exist and a custom resource whose CRD is not
/// installed are 404s, and what a HelmChart creates (its namespace with <c>createNamespace</c>, the CRDs registered with
/// <see cref="FakeKubernetesServer.ChartInstalls"/>) appears only when its helm-install Job completes.
/// </summary>
public sealed class FakeServerStateSupportTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private FakeKubernetesServer _server = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeKubernetesServer.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_server.Url) };
        foreach (var (name, labels) in new[] { ("a", "tier=web,team=x"), ("b", "tier=db,team=x"), ("c", "tier=web") })
        {
            _server.Seed(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["namespace"] = "default",
                    ["labels"] = new JsonObject(labels.Split(',').Select(l => KeyValuePair.Create(l.Split('=')[0], (JsonNode?)l.Split('=')[1]))),
                },
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("tier=web", "a,c")]
    [InlineData("tier==web,team=x", "a")]
    [InlineData("tier!=web", "b")]
    [InlineData("team", "a,b")]
    [InlineData("!team", "c")]
    [InlineData("tier in (db, web),team notin (y)", "a,b,c")]
    [InlineData("tier notin (web)", "b")]
    public async Task A_list_with_a_label_selector_returns_only_the_matching_objects(string selector, string expected)
    {
        var list = await _http.GetFromJsonAsync<JsonObject>($"/api/v1/namespaces/default/configmaps?labelSelector={Uri.EscapeDataString(selector)}", _ct);

        Assert.Equal(expected, string.Join(",", list!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>())));
    }

    [Fact]
    public async Task A_malformed_label_selector_is_a_bad_request()
    {
        var response = await _http.GetAsync("/api/v1/namespaces/default/configmaps?labelSelector=" + Uri.EscapeDataString("tier in web"), _ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_put_at_a_stale_resource_version_is_a_conflict_and_changes_nothing()
    {
        var live = _server.Get("ConfigMap", "default", "a")!;
        var stale = live["metadata"]!["resourceVersion"]!.GetValue<string>();
        var update = (JsonObject)live.DeepClone();
        update["data"] = new JsonObject { ["k"] = "1" };
        Assert.Equal(HttpStatusCode.OK, (await Put(update)).StatusCode);

        update["data"] = new JsonObject { ["k"] = "2" };
        update["metadata"]!["resourceVersion"] = stale;
        var response = await Put(update);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("the object has been modified", await response.Content.ReadAsStringAsync(_ct), StringComparison.Ordinal);
        Assert.Equal("1", _server.Get("ConfigMap", "default", "a")!["data"]!["k"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_delete_whose_precondition_no_longer_holds_is_a_conflict_and_deletes_nothing()
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/namespaces/default/configmaps/a")
        {
            Content = new StringContent("""{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"resourceVersion":"1"}}""", Encoding.UTF8, "application/json"),
        };
        var response = await _http.SendAsync(request, _ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Precondition failed", await response.Content.ReadAsStringAsync(_ct), StringComparison.Ordinal);
        Assert.NotNull(_server.Get("ConfigMap", "default", "a"));
    }

    [Fact]
    public async Task Leases_are_served_in_the_coordination_group()
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "coordination.k8s.io/v1",
            ["kind"] = "Lease",
            ["metadata"] = new JsonObject { ["name"] = "lock" },
            ["spec"] = new JsonObject { ["holderIdentity"] = "me", ["leaseDurationSeconds"] = 60 },
        };
        var response = await _http.PostAsync("/apis/coordination.k8s.io/v1/namespaces/default/leases",
            new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), _ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("me", _server.Get("Lease", "default", "lock")!["spec"]!["holderIdentity"]!.GetValue<string>());
    }

    private Task<HttpResponseMessage> Put(JsonObject obj) =>
        _http.PutAsync($"/api/v1/namespaces/default/configmaps/{obj["metadata"]!["name"]!.GetValue<string>()}",
            new StringContent(obj.ToJsonString(), Encoding.UTF8, "application/json"), _ct);

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
