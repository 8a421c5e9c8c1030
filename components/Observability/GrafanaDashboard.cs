using System.Text.Json;
using System.Text.Json.Nodes;

namespace Llmctl.Components.Observability;

public enum PanelType
{
    Timeseries,
    Stat,
    Gauge,
}

/// <summary>One PromQL query of a panel; <see cref="Legend"/> is Grafana's legend format (<c>{{model}}</c>).</summary>
public sealed record PanelQuery(string Expr, string Legend = "");

/// <summary>A panel: a title, a Grafana unit id (<c>percent</c>, <c>mbytes</c>, <c>celsius</c>, …) and its queries.</summary>
public sealed record Panel(string Title, PanelType Type, string Unit, IReadOnlyList<PanelQuery> Queries)
{
    public string? Description { get; init; }
    /// <summary>Of Grafana's 24 grid columns.</summary>
    public int Width { get; init; } = 12;
    public int Height { get; init; } = 8;
    public double? Min { get; init; }
    public double? Max { get; init; }
}

/// <summary>
/// A classic Grafana dashboard (schemaVersion 39) for file provisioning by the sidecar: panels flow left to right
/// in rows of 24 columns, ids are 1…n in order, and every query uses the <c>${datasource}</c> template variable,
/// which defaults to the datasource kube-prometheus-stack provisions (<c>uid: prometheus</c>). No <c>__inputs</c>:
/// those only resolve on a UI import (reference §6).
/// </summary>
public sealed record GrafanaDashboard(string Uid, string Title, IReadOnlyList<string> Tags, IReadOnlyList<Panel> Panels)
{
    public const int SchemaVersion = 39;
    public const string DatasourceVariable = "datasource";

    public string FileName => $"{Uid}.json";

    public JsonObject ToJson()
    {
        var panels = new JsonArray();
        int x = 0, y = 0, rowHeight = 0, id = 0;
        foreach (var panel in Panels)
        {
            if (x + panel.Width > 24)
            {
                x = 0;
                y += rowHeight;
                rowHeight = 0;
            }
            panels.Add((JsonNode)PanelJson(panel, ++id, x, y));
            x += panel.Width;
            rowHeight = Math.Max(rowHeight, panel.Height);
        }

        return new JsonObject
        {
            ["uid"] = Uid,
            ["title"] = Title,
            ["tags"] = new JsonArray(Tags.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            ["schemaVersion"] = SchemaVersion,
            ["version"] = 1,
            ["editable"] = false,
            ["graphTooltip"] = 1,
            ["time"] = new JsonObject { ["from"] = "now-6h", ["to"] = "now" },
            ["timezone"] = "browser",
            ["refresh"] = "30s",
            ["annotations"] = new JsonObject { ["list"] = new JsonArray() },
            ["templating"] = new JsonObject
            {
                ["list"] = new JsonArray(new JsonObject
                {
                    ["name"] = DatasourceVariable,
                    ["label"] = "Data source",
                    ["type"] = "datasource",
                    ["query"] = "prometheus",
                    ["current"] = new JsonObject { ["text"] = "Prometheus", ["value"] = KubePrometheusStack.DatasourceUid },
                    ["hide"] = 0,
                    ["refresh"] = 1,
                    ["regex"] = "",
                    ["options"] = new JsonArray(),
                }),
            },
            ["panels"] = panels,
        };
    }

    public string ToJsonText() => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static JsonObject Datasource() => new() { ["type"] = "prometheus", ["uid"] = "${" + DatasourceVariable + "}" };

    private static JsonObject PanelJson(Panel panel, int id, int x, int y)
    {
        var defaults = new JsonObject { ["unit"] = panel.Unit };
        if (panel.Min is { } min) defaults["min"] = min;
        if (panel.Max is { } max) defaults["max"] = max;
        var targets = new JsonArray();
        for (var i = 0; i < panel.Queries.Count; i++)
        {
            targets.Add((JsonNode)new JsonObject
            {
                ["refId"] = ((char)('A' + i)).ToString(),
                ["datasource"] = Datasource(),
                ["expr"] = panel.Queries[i].Expr,
                ["legendFormat"] = panel.Queries[i].Legend,
                ["range"] = true,
            });
        }
        var json = new JsonObject
        {
            ["id"] = id,
            ["type"] = panel.Type.ToString().ToLowerInvariant(),
            ["title"] = panel.Title,
            ["gridPos"] = new JsonObject { ["h"] = panel.Height, ["w"] = panel.Width, ["x"] = x, ["y"] = y },
            ["datasource"] = Datasource(),
            ["fieldConfig"] = new JsonObject { ["defaults"] = defaults, ["overrides"] = new JsonArray() },
            ["targets"] = targets,
        };
        if (panel.Description is { } d) json["description"] = d;
        if (panel.Type is PanelType.Stat or PanelType.Gauge)
        {
            json["options"] = new JsonObject
            {
                ["reduceOptions"] = new JsonObject { ["calcs"] = new JsonArray("lastNotNull"), ["fields"] = "", ["values"] = false },
            };
        }
        return json;
    }
}
