using System.Globalization;
using System.Xml.Linq;
using Llmctl.Infra.Benchmarking;

namespace Llmctl.Infra.Tests.Benchmarking;

/// <summary>
/// The bench charts read back as XML: each chart has the series and the points its scenarios say, drawn where the
/// axes' ticks put them, and the same result writes the same bytes in any culture.
/// </summary>
public sealed class BenchChartTests : IDisposable
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly string _dir = Directory.CreateTempSubdirectory("llmctl-chart-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly ChatTarget Lane = new("qwen-fast", TargetKind.Lane, new Uri("http://127.0.0.1:1/v1"), "m");
    private static readonly ChatTarget Alias = new("alias <fast> & co", TargetKind.Alias, new Uri("http://127.0.0.1:2/v1"), "m");

    private static ScenarioSummary Scenario(string target, int context, int concurrency, double? ttftMs, double? decode, double throughput) => new()
    {
        Target = target,
        Kind = TargetKind.Lane,
        Context = context,
        Concurrency = concurrency,
        Requests = 2,
        Ok = 2,
        PromptTokens = context + 7.5,
        TtftP50Ms = ttftMs,
        DecodeTokensPerSecond = decode,
        ThroughputTokensPerSecond = throughput,
    };

    /// <summary>Two targets, contexts 512/4k/32k at concurrency 1 and concurrency 1/2/4 at context 512; the alias has no TTFT at 32k.</summary>
    private static BenchResult Result()
    {
        var scenarios = new List<ScenarioSummary>
        {
            Scenario("qwen-fast", 512, 1, 120.5, 88.25, 80),
            Scenario("qwen-fast", 4096, 1, 410, 81.5, 75),
            Scenario("qwen-fast", 32768, 1, 2950.75, 63.125, 60),
            Scenario("qwen-fast", 512, 2, 180, 70, 140),
            Scenario("qwen-fast", 512, 4, 260, 55, 215.5),
            Scenario(Alias.Name, 512, 1, 131, 86, 79),
            Scenario(Alias.Name, 4096, 1, 425, null, 74),
            Scenario(Alias.Name, 32768, 1, null, 62, 59),
            Scenario(Alias.Name, 512, 2, 190, 69, 138),
            Scenario(Alias.Name, 512, 4, 275, 54, 210),
            // A scenario with no successful request is left out of every chart.
            Scenario("qwen-fast", 65536, 1, 9000, 10, 9) with { Ok = 0 },
        };
        return new BenchResult([], scenarios, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
    }

    private static IEnumerable<(double X, double Y)> Points(XElement series) =>
        series.Elements().Where(e => (string?)e.Attribute("class") == "point")
            .Select(e => (double.Parse((string)e.Attribute("data-x")!, CultureInfo.InvariantCulture), double.Parse((string)e.Attribute("data-y")!, CultureInfo.InvariantCulture)));

    private static XElement Series(XDocument svg, string name) =>
        svg.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "series" && (string?)g.Attribute("data-name") == name);

    /// <summary>The pixel a data value maps to on an axis, from its first and last tick (value and pixel).</summary>
    private static double Pixel(XDocument svg, string axis, double value, bool vertical)
    {
        var ticks = svg.Descendants(Svg + "g").Single(g => (string?)g.Attribute("id") == axis).Elements(Svg + "g")
            .Select(t => (Value: double.Parse((string)t.Attribute("data-value")!, CultureInfo.InvariantCulture),
                Pixel: double.Parse((string)t.Elements(Svg + "line").Last().Attribute(vertical ? "y1" : "x1")!, CultureInfo.InvariantCulture)))
            .ToList();
        Assert.True(ticks.Count >= 2, $"{axis} has {ticks.Count} ticks");
        var (first, last) = (ticks[0], ticks[^1]);
        return first.Pixel + (value - first.Value) / (last.Value - first.Value) * (last.Pixel - first.Pixel);
    }

    [Fact]
    public void The_context_chart_has_a_TTFT_and_a_decode_series_per_target_with_the_scenarios_points()
    {
        var files = BenchChart.Write(Result(), [Lane, Alias], _dir);

        Assert.Equal([Path.Combine(_dir, BenchChart.ContextFile), Path.Combine(_dir, BenchChart.ConcurrencyFile)], files);
        var svg = XDocument.Load(files[0]);
        Assert.Equal(Svg + "svg", svg.Root!.Name);
        Assert.Equal(
            ["qwen-fast TTFT p50 (s)", "qwen-fast decode tok/s", "alias <fast> & co TTFT p50 (s)", "alias <fast> & co decode tok/s"],
            svg.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "series").Select(g => (string)g.Attribute("data-name")!));
        Assert.Equal([(519.5, 0.1205), (4103.5, 0.41), (32775.5, 2.95075)], Points(Series(svg, "qwen-fast TTFT p50 (s)")));
        Assert.Equal([(519.5, 88.25), (4103.5, 81.5), (32775.5, 63.125)], Points(Series(svg, "qwen-fast decode tok/s")));
        Assert.Equal([(519.5, 0.131), (4103.5, 0.425)], Points(Series(svg, "alias <fast> & co TTFT p50 (s)")));
        Assert.Equal([(519.5, 86.0), (32775.5, 62.0)], Points(Series(svg, "alias <fast> & co decode tok/s")));
        Assert.Equal("right", (string?)Series(svg, "qwen-fast decode tok/s").Attribute("data-axis"));
        Assert.Equal("left", (string?)Series(svg, "qwen-fast TTFT p50 (s)").Attribute("data-axis"));
        // Both series of a target share its colour; the two targets differ.
        Assert.Equal(Series(svg, "qwen-fast TTFT p50 (s)").Element(Svg + "polyline")!.Attribute("stroke")!.Value, Series(svg, "qwen-fast decode tok/s").Element(Svg + "polyline")!.Attribute("stroke")!.Value);
        Assert.NotEqual(Series(svg, "qwen-fast TTFT p50 (s)").Element(Svg + "polyline")!.Attribute("stroke")!.Value, Series(svg, "alias <fast> & co TTFT p50 (s)").Element(Svg + "polyline")!.Attribute("stroke")!.Value);
        Assert.Equal("TTFT and decode speed by context (concurrency 1)", svg.Root.Element(Svg + "title")!.Value);
        Assert.Equal(4, svg.Descendants(Svg + "g").Count(g => (string?)g.Attribute("class") == "entry"));
    }

    [Fact]
    public void Each_marker_and_polyline_vertex_sits_where_the_axes_ticks_put_its_point()
    {
        var svg = XDocument.Load(BenchChart.Write(Result(), [Lane, Alias], _dir)[0]);

        foreach (var series in svg.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "series"))
        {
            var axis = (string)series.Attribute("data-axis")! == "right" ? "y-right" : "y-left";
            var vertices = ((string)series.Element(Svg + "polyline")!.Attribute("points")!).Split(' ')
                .Select(v => v.Split(',').Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray()).ToList();
            var points = Points(series).ToList();
            Assert.Equal(points.Count, vertices.Count);
            for (var i = 0; i < points.Count; i++)
            {
                var (x, y) = (Pixel(svg, "x-axis", points[i].X, vertical: false), Pixel(svg, axis, points[i].Y, vertical: true));
                Assert.InRange(vertices[i][0], x - 0.02, x + 0.02);
                Assert.InRange(vertices[i][1], y - 0.02, y + 0.02);
            }
        }
        // The y axes start at zero and cover the largest value.
        Assert.Equal("0", svg.Descendants(Svg + "g").Single(g => (string?)g.Attribute("id") == "y-left").Elements(Svg + "g").First().Attribute("data-value")!.Value);
        Assert.True(double.Parse(svg.Descendants(Svg + "g").Single(g => (string?)g.Attribute("id") == "y-right").Elements(Svg + "g").Last().Attribute("data-value")!.Value, CultureInfo.InvariantCulture) >= 88.25);
    }

    [Fact]
    public void The_concurrency_chart_plots_TTFT_and_aggregate_throughput_at_the_smallest_context()
    {
        var svg = XDocument.Load(BenchChart.Write(Result(), [Lane, Alias], _dir)[1]);

        Assert.Equal("TTFT and throughput by concurrency (context 512)", svg.Root!.Element(Svg + "title")!.Value);
        Assert.Equal([(1.0, 0.1205), (2.0, 0.18), (4.0, 0.26)], Points(Series(svg, "qwen-fast TTFT p50 (s)")));
        Assert.Equal([(1.0, 80.0), (2.0, 140.0), (4.0, 215.5)], Points(Series(svg, "qwen-fast total tok/s")));
        Assert.Equal([(1.0, 79.0), (2.0, 138.0), (4.0, 210.0)], Points(Series(svg, "alias <fast> & co total tok/s")));
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "concurrent requests");
    }

    [Fact]
    public void The_same_result_writes_the_same_bytes_in_any_culture()
    {
        var first = File.ReadAllBytes(BenchChart.Write(Result(), [Lane, Alias], _dir)[0]);
        var culture = CultureInfo.CurrentCulture;
        try
        {
            // The build runs with invariant globalization, so a German-style culture is made by hand.
            var german = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            german.NumberFormat.NumberDecimalSeparator = ",";
            german.NumberFormat.NumberGroupSeparator = ".";
            CultureInfo.CurrentCulture = german;
            var second = File.ReadAllBytes(BenchChart.Write(Result(), [Lane, Alias], _dir)[0]);
            Assert.Equal(first, second);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
        Assert.DoesNotContain((byte)0xEF, first.Take(1)); // no byte-order mark
    }

    [Fact]
    public void An_axis_with_a_single_point_gets_no_chart()
    {
        var result = new BenchResult([], [Scenario("qwen-fast", 512, 1, 100, 80, 80), Scenario("qwen-fast", 4096, 1, 300, 70, 70)], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

        Assert.Equal([Path.Combine(_dir, BenchChart.ContextFile)], BenchChart.Write(result, [Lane], _dir));
        Assert.False(File.Exists(Path.Combine(_dir, BenchChart.ConcurrencyFile)));
    }
}
