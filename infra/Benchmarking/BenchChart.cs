using ScottPlot;

namespace Llmctl.Infra.Benchmarking;

/// <summary>
/// The run's charts as SVG (ScottPlot): TTFT (p50, left axis, solid) and decode tokens/s (right axis, dashed) against
/// context length at the lowest concurrency, and TTFT and aggregate tokens/s against concurrency at the smallest
/// context. One colour per target, so a lane and the gateway alias that fronts it read side by side.
/// </summary>
public static class BenchChart
{
    public const string ContextFile = "ttft-tokens-vs-context.svg";
    public const string ConcurrencyFile = "ttft-tokens-vs-concurrency.svg";

    /// <summary>Writes the charts that have at least two points on their x axis; returns their paths.</summary>
    public static IReadOnlyList<string> Write(BenchResult result, IReadOnlyList<ChatTarget> targets, string directory)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(targets);
        var files = new List<string>();
        var ok = result.Scenarios.Where(s => s.Ok > 0).ToList();
        if (ok.Count == 0) return files;
        var lowest = ok.Min(s => s.Concurrency);
        var smallest = ok.Min(s => s.Context);
        var byContext = ok.Where(s => s.Concurrency == lowest).ToList();
        if (byContext.Select(s => s.Context).Distinct().Count() >= 2)
        {
            files.Add(Save(targets, byContext, s => s.PromptTokens, s => s.DecodeTokensPerSecond, "decode tok/s",
                $"TTFT and decode speed by context (concurrency {lowest})", "context (prompt tokens)", Path.Combine(directory, ContextFile)));
        }
        var byConcurrency = ok.Where(s => s.Context == smallest).ToList();
        if (byConcurrency.Select(s => s.Concurrency).Distinct().Count() >= 2)
        {
            files.Add(Save(targets, byConcurrency, s => s.Concurrency, s => s.ThroughputTokensPerSecond, "total tok/s",
                $"TTFT and throughput by concurrency (context {smallest})", "concurrent requests", Path.Combine(directory, ConcurrencyFile)));
        }
        return files;
    }

    private static string Save(IReadOnlyList<ChatTarget> targets, List<ScenarioSummary> scenarios, Func<ScenarioSummary, double> x, Func<ScenarioSummary, double?> speed,
        string speedLabel, string title, string xLabel, string path)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var target in targets)
        {
            var mine = scenarios.Where(s => s.Target == target.Name).OrderBy(x).ToList();
            if (mine.Count == 0) continue;
            var color = palette.GetColor(index++);
            var ttft = mine.Where(s => s.TtftP50Ms is not null).ToList();
            if (ttft.Count > 0)
            {
                var line = plot.Add.Scatter(ttft.Select(x).ToArray(), ttft.Select(s => s.TtftP50Ms!.Value / 1000).ToArray(), color);
                line.LegendText = $"{target.Name} TTFT p50 (s)";
                line.LineWidth = 2;
            }
            var fast = mine.Where(s => speed(s) is not null).ToList();
            if (fast.Count > 0)
            {
                var line = plot.Add.Scatter(fast.Select(x).ToArray(), fast.Select(s => speed(s)!.Value).ToArray(), color);
                line.LegendText = $"{target.Name} {speedLabel}";
                line.LinePattern = LinePattern.Dashed;
                line.MarkerShape = MarkerShape.OpenSquare;
                line.Axes.YAxis = plot.Axes.Right;
            }
        }
        plot.Title(title);
        plot.Axes.Bottom.Label.Text = xLabel;
        plot.Axes.Left.Label.Text = "TTFT p50 (seconds)";
        plot.Axes.Right.Label.Text = speedLabel;
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SaveSvg(path, 1000, 560);
        return path;
    }
}
