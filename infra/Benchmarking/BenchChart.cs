using System.Text;

namespace Llmctl.Infra.Benchmarking;

/// <summary>
/// The run's charts as SVG (<see cref="SvgLineChart"/>): TTFT (p50, left axis, solid) and decode tokens/s (right axis, dashed) against
/// context length at the lowest concurrency, and TTFT and aggregate tokens/s against concurrency at the smallest
/// context. One colour per target, so a lane and the gateway alias that fronts it read side by side; TTFT with round
/// markers, the speed with open squares.
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

    /// <summary>Category10's colours, one per target in the order the targets were given.</summary>
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private static string Save(IReadOnlyList<ChatTarget> targets, List<ScenarioSummary> scenarios, Func<ScenarioSummary, double> x, Func<ScenarioSummary, double?> speed,
        string speedLabel, string title, string xLabel, string path)
    {
        var series = new List<ChartSeries>();
        var index = 0;
        foreach (var target in targets)
        {
            var mine = scenarios.Where(s => s.Target == target.Name).OrderBy(x).ToList();
            if (mine.Count == 0) continue;
            var color = Palette[index++ % Palette.Length];
            var ttft = mine.Where(s => s.TtftP50Ms is not null).Select(s => (x(s), s.TtftP50Ms!.Value / 1000)).ToList();
            if (ttft.Count > 0) series.Add(new ChartSeries($"{target.Name} TTFT p50 (s)", color, ttft));
            var fast = mine.Where(s => speed(s) is not null).Select(s => (x(s), speed(s)!.Value)).ToList();
            if (fast.Count > 0) series.Add(new ChartSeries($"{target.Name} {speedLabel}", color, fast, Dashed: true, RightAxis: true));
        }
        File.WriteAllText(path, SvgLineChart.Render(title, xLabel, "TTFT p50 (seconds)", speedLabel, series), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }
}
