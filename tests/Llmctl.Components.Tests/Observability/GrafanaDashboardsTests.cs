using System.Text.Json;
using System.Text.Json.Nodes;
using Llmctl.Components.Observability;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Tests.Observability;

public sealed class GrafanaDashboardsTests
{
    private static GrafanaDashboards Build(GrafanaDashboardsArgs? args = null)
    {
        GrafanaDashboards? dashboards = null;
        StackContext.Run("p", "s", _ => dashboards = new GrafanaDashboards("llmctl-dashboards", args));
        return dashboards!;
    }

    private static IEnumerable<JsonObject> Parsed(GrafanaDashboards d) =>
        d.ConfigMaps.Select(cm => JsonNode.Parse(cm.Object.Data.Single().Value)!.AsObject());

    [Fact]
    public void The_two_dashboards_of_the_seed_are_ConfigMaps_the_Grafana_sidecar_picks_up()
    {
        var d = Build();
        Assert.Equal(2, d.ConfigMaps.Count);
        Assert.All(d.ConfigMaps, cm =>
        {
            Assert.Equal("1", cm.Object.Metadata.Labels["grafana_dashboard"]);
            Assert.Equal("monitoring", cm.Object.Metadata.NamespaceProperty);
            Assert.EndsWith(".json", cm.Object.Data.Single().Key);
        });
        Assert.Equal(["GPU / NVIDIA DCGM Overview", "AI / Inference Operational Overview"], Parsed(d).Select(j => j["title"]!.GetValue<string>()));
    }

    [Fact]
    public void Every_dashboard_is_valid_Grafana_JSON_with_unique_panel_ids_grid_positions_and_the_datasource_variable()
    {
        foreach (var json in Parsed(Build()))
        {
            var title = json["title"]!.GetValue<string>();
            Assert.Equal(39, json["schemaVersion"]!.GetValue<int>());
            Assert.False(string.IsNullOrEmpty(json["uid"]!.GetValue<string>()));
            var variable = Assert.Single(json["templating"]!["list"]!.AsArray())!;
            Assert.Equal(("datasource", "datasource", "prometheus"), (variable["name"]!.GetValue<string>(), variable["type"]!.GetValue<string>(), variable["query"]!.GetValue<string>()));

            var panels = json["panels"]!.AsArray().Select(p => p!.AsObject()).ToList();
            var ids = panels.Select(p => p["id"]!.GetValue<int>()).ToList();
            Assert.True(ids.Distinct().Count() == ids.Count, $"{title}: panel ids repeat");
            var cells = new HashSet<(int, int)>();
            foreach (var panel in panels)
            {
                var grid = panel["gridPos"]!;
                int x = grid["x"]!.GetValue<int>(), y = grid["y"]!.GetValue<int>(), w = grid["w"]!.GetValue<int>(), h = grid["h"]!.GetValue<int>();
                Assert.True(x >= 0 && w > 0 && h > 0 && x + w <= 24, $"{title}: panel {panel["id"]} is off the 24-column grid");
                for (var cx = x; cx < x + w; cx++)
                    for (var cy = y; cy < y + h; cy++)
                        Assert.True(cells.Add((cx, cy)), $"{title}: panel {panel["id"]} overlaps another at ({cx},{cy})");
                Assert.Contains(panel["type"]!.GetValue<string>(), new[] { "timeseries", "stat", "gauge" });
                Assert.Equal("${datasource}", panel["datasource"]!["uid"]!.GetValue<string>());
                var targets = panel["targets"]!.AsArray();
                Assert.NotEmpty(targets);
                Assert.Equal(targets.Count, targets.Select(t => t!["refId"]!.GetValue<string>()).Distinct().Count());
                Assert.All(targets, t => Assert.Equal("${datasource}", t!["datasource"]!["uid"]!.GetValue<string>()));
            }
            Assert.DoesNotContain("__inputs", json.ToJsonString());
            Assert.DoesNotContain("DS_PROMETHEUS", json.ToJsonString());
        }
    }

    [Fact]
    public void Every_query_uses_only_metric_names_the_exporters_emit()
    {
        foreach (var json in Parsed(Build()))
        {
            foreach (var panel in json["panels"]!.AsArray())
            {
                foreach (var target in panel!["targets"]!.AsArray())
                {
                    var expr = target!["expr"]!.GetValue<string>();
                    var names = KnownMetrics.In(expr);
                    Assert.NotEmpty(names);
                    var unknown = names.Except(KnownMetrics.All).ToList();
                    Assert.True(unknown.Count == 0, $"'{panel["title"]}' queries metrics no exporter emits: {string.Join(", ", unknown)} in {expr}");
                }
            }
        }
    }

    [Fact]
    public void The_DCGM_dashboard_shows_the_signals_the_seed_lists()
    {
        var exprs = string.Join("\n", Dashboards.DcgmOverview.Panels.SelectMany(p => p.Queries).Select(q => q.Expr));
        foreach (var metric in new[] { "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_MEM_COPY_UTIL", "DCGM_FI_DEV_GPU_TEMP",
                     "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_PROF_PCIE_TX_BYTES", "DCGM_FI_DEV_XID_ERRORS", "DCGM_FI_DEV_CLOCKS_EVENT_REASONS" })
        {
            Assert.Contains(metric, exprs);
        }
    }

    [Fact]
    public void The_same_dashboards_always_render_the_same_text()
    {
        Assert.Equal(Dashboards.InferenceOverview.ToJsonText(), Dashboards.InferenceOverview.ToJsonText());
        Assert.Equal(Build().ConfigMaps[0].Inputs.ToJsonString(), Build().ConfigMaps[0].Inputs.ToJsonString());
    }

    [Fact]
    public void Duplicate_uids_empty_dashboards_and_oversized_panels_are_refused()
    {
        var empty = new GrafanaDashboard("empty", "Empty", [], []);
        var wide = new GrafanaDashboard("wide", "Wide", [], [new Panel("x", PanelType.Stat, "none", [new("up")]) { Width = 30 }]);
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new GrafanaDashboardsArgs
        {
            Namespace = "Monitoring",
            Dashboards = [empty, empty, wide, new GrafanaDashboard("Bad Uid", "Bad", [], [new Panel("y", PanelType.Stat, "none", [])])],
        }));
        Assert.Equal(["namespace", "dashboards", "dashboards[0].panels", "dashboards[1].panels", "dashboards[2].panels[0].width",
            "dashboards[3].uid", "dashboards[3].panels[0].queries"], ex.Problems.Select(p => p.Argument));
    }
}
