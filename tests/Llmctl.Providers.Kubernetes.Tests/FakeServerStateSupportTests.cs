using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Llmctl.Testing.Kubernetes;

namespace Llmctl.Providers.Kubernetes.Tests;

/// <summary>The fake API server's Lease kind, label selectors and resourceVersion preconditions.</summary>
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
}
