using System.Globalization;
using System.Text;

namespace Llmctl.Infra.Benchmarking;

/// <summary>One line of a chart: its points in data units, drawn on the left or the right y axis.</summary>
public sealed record ChartSeries(string Name, string Color, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false, bool RightAxis = false);

/// <summary>
/// A line chart written as SVG by hand: a title, a bottom axis, a left and (when a series uses it) a right y axis with
/// round ticks and grid lines, one polyline with markers per series, and a legend. Written by hand rather than through
/// a plotting library so the native binary stays one file (ScottPlot draws through SkiaSharp, whose native libraries
/// sit beside the executable; docs/design.md). The output depends only on the data: numbers in the invariant culture
/// with at most two decimals, no timestamps or generated ids, so the same run writes the same bytes.
/// Every tick carries its value (<c>data-value</c>) and every marker its point (<c>data-x</c>, <c>data-y</c>), so a
/// reader — or a test — can map pixels back to data.
/// </summary>
public static class SvgLineChart
{
    public const int DefaultWidth = 1000;
    public const int DefaultHeight = 560;

    private const double MarginLeft = 80, MarginRight = 80, MarginBottom = 60, LegendTop = 46, LegendRow = 18;

    public static string Render(string title, string xLabel, string leftLabel, string? rightLabel, IReadOnlyList<ChartSeries> series,
        int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(series);
        var left = series.Where(s => !s.RightAxis).ToList();
        var right = series.Where(s => s.RightAxis).ToList();
        var shown = series.Where(s => s.Points.Count > 0).ToList();
        var top = LegendTop + LegendRow * ((shown.Count + 1) / 2) + 12;
        var plot = new Box(MarginLeft, top, width - MarginRight, height - MarginBottom);
        var xValues = series.SelectMany(s => s.Points).Select(p => p.X).ToList();
        var xs = Ticks.For(xValues, fromZero: false, integers: xValues.All(x => x == Math.Floor(x)));
        var leftTicks = Ticks.For(left.SelectMany(s => s.Points).Select(p => p.Y), fromZero: true);
        var rightTicks = right.Count > 0 ? Ticks.For(right.SelectMany(s => s.Points).Select(p => p.Y), fromZero: true) : null;

        var svg = new StringBuilder();
        svg.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append($"  <title>{Escape(title)}</title>\n");
        svg.Append($"  <rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n");
        svg.Append($"  <text class=\"title\" x=\"{N(width / 2.0)}\" y=\"31\" text-anchor=\"middle\" font-size=\"16\">{Escape(title)}</text>\n");

        // The bottom axis with vertical grid lines.
        svg.Append("  <g class=\"axis\" id=\"x-axis\">\n");
        svg.Append($"    <line x1=\"{N(plot.Left)}\" y1=\"{N(plot.Bottom)}\" x2=\"{N(plot.Right)}\" y2=\"{N(plot.Bottom)}\" stroke=\"#000000\"/>\n");
        foreach (var value in xs.Values)
        {
            var x = xs.Map(value, plot.Left, plot.Right);
            svg.Append($"    <g class=\"tick\" data-value=\"{D(value)}\"><line x1=\"{N(x)}\" y1=\"{N(plot.Top)}\" x2=\"{N(x)}\" y2=\"{N(plot.Bottom)}\" stroke=\"#e0e0e0\"/>"
                + $"<line x1=\"{N(x)}\" y1=\"{N(plot.Bottom)}\" x2=\"{N(x)}\" y2=\"{N(plot.Bottom + 5)}\" stroke=\"#000000\"/>"
                + $"<text x=\"{N(x)}\" y=\"{N(plot.Bottom + 18)}\" text-anchor=\"middle\">{Escape(Label(value))}</text></g>\n");
        }
        svg.Append($"    <text class=\"label\" x=\"{N((plot.Left + plot.Right) / 2)}\" y=\"{N(height - 14.0)}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n");
        svg.Append("  </g>\n");

        AppendYAxis(svg, "y-left", leftTicks, plot, plot.Left, -1, leftLabel);
        if (rightTicks is not null) AppendYAxis(svg, "y-right", rightTicks, plot, plot.Right, +1, rightLabel ?? "");

        foreach (var s in series)
        {
            if (s.Points.Count == 0) continue;
            var ys = s.RightAxis ? rightTicks! : leftTicks;
            var pixels = s.Points.Select(p => (p.X, p.Y, Px: xs.Map(p.X, plot.Left, plot.Right), Py: ys.Map(p.Y, plot.Bottom, plot.Top))).ToList();
            svg.Append($"  <g class=\"series\" data-name=\"{Escape(s.Name)}\" data-axis=\"{(s.RightAxis ? "right" : "left")}\">\n");
            svg.Append($"    <polyline points=\"{string.Join(' ', pixels.Select(p => $"{N(p.Px)},{N(p.Py)}"))}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\"{(s.Dashed ? " stroke-dasharray=\"8 5\"" : "")}/>\n");
            foreach (var p in pixels)
            {
                var tip = $"<title>{Escape(s.Name)}: {Escape(Label(p.X))}, {Escape(Label(p.Y))}</title>";
                var data = $"data-x=\"{D(p.X)}\" data-y=\"{D(p.Y)}\"";
                svg.Append(s.Dashed
                    ? $"    <rect class=\"point\" {data} x=\"{N(p.Px - 4)}\" y=\"{N(p.Py - 4)}\" width=\"8\" height=\"8\" fill=\"#ffffff\" stroke=\"{s.Color}\" stroke-width=\"1.5\">{tip}</rect>\n"
                    : $"    <circle class=\"point\" {data} cx=\"{N(p.Px)}\" cy=\"{N(p.Py)}\" r=\"4\" fill=\"{s.Color}\">{tip}</circle>\n");
            }
            svg.Append("  </g>\n");
        }

        // The legend, between the title and the plot, two entries a row (a target's TTFT and speed side by side).
        if (shown.Count > 0)
        {
            svg.Append("  <g class=\"legend\">\n");
            for (var i = 0; i < shown.Count; i++)
            {
                var x = plot.Left + (i % 2) * (plot.Right - plot.Left) / 2;
                var y = LegendTop + 12 + LegendRow * (i / 2);
                var s = shown[i];
                svg.Append($"    <g class=\"entry\" data-name=\"{Escape(s.Name)}\"><line x1=\"{N(x)}\" y1=\"{N(y - 4)}\" x2=\"{N(x + 24)}\" y2=\"{N(y - 4)}\" stroke=\"{s.Color}\" stroke-width=\"2\"{(s.Dashed ? " stroke-dasharray=\"6 3\"" : "")}/>"
                    + $"<text x=\"{N(x + 30)}\" y=\"{N(y)}\">{Escape(s.Name)}</text></g>\n");
            }
            svg.Append("  </g>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void AppendYAxis(StringBuilder svg, string id, Ticks ticks, Box plot, double x, int side, string label)
    {
        svg.Append($"  <g class=\"axis\" id=\"{id}\">\n");
        svg.Append($"    <line x1=\"{N(x)}\" y1=\"{N(plot.Top)}\" x2=\"{N(x)}\" y2=\"{N(plot.Bottom)}\" stroke=\"#000000\"/>\n");
        foreach (var value in ticks.Values)
        {
            var y = ticks.Map(value, plot.Bottom, plot.Top);
            var grid = side < 0 ? $"<line x1=\"{N(plot.Left)}\" y1=\"{N(y)}\" x2=\"{N(plot.Right)}\" y2=\"{N(y)}\" stroke=\"#e0e0e0\"/>" : "";
            svg.Append($"    <g class=\"tick\" data-value=\"{D(value)}\">{grid}<line x1=\"{N(x)}\" y1=\"{N(y)}\" x2=\"{N(x + 5 * side)}\" y2=\"{N(y)}\" stroke=\"#000000\"/>"
                + $"<text x=\"{N(x + 8 * side)}\" y=\"{N(y + 4)}\" text-anchor=\"{(side < 0 ? "end" : "start")}\">{Escape(Label(value))}</text></g>\n");
        }
        var lx = side < 0 ? 20.0 : x + 60;
        var ly = (plot.Top + plot.Bottom) / 2;
        svg.Append($"    <text class=\"label\" x=\"{N(lx)}\" y=\"{N(ly)}\" text-anchor=\"middle\" transform=\"rotate({(side < 0 ? -90 : 90)} {N(lx)} {N(ly)})\">{Escape(label)}</text>\n");
        svg.Append("  </g>\n");
    }

    /// <summary>A coordinate or a data value in an attribute: invariant, at most two decimals.</summary>
    private static string N(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A data value exactly (round-trip format), so the chart can be read back.</summary>
    private static string D(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A number for people: thousands separated, at most three decimals.</summary>
    private static string Label(double value) => Math.Round(value, 3).ToString("#,0.###", CultureInfo.InvariantCulture);

    internal static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                // Characters XML 1.0 cannot carry at all.
                < ' ' when c is not ('\t' or '\n' or '\r') => "\uFFFD",
                '\uFFFE' or '\uFFFF' => "\uFFFD",
                _ => c.ToString(),
            });
        }
        return escaped.ToString();
    }

    private readonly record struct Box(double Left, double Top, double Right, double Bottom);

    /// <summary>Round tick values (1, 2 or 5 times a power of ten) covering the data; the axis spans the first to the last.</summary>
    internal sealed class Ticks
    {
        public required IReadOnlyList<double> Values { get; init; }

        public double Min => Values[0];

        public double Max => Values[^1];

        public double Map(double value, double from, double to) => from + (value - Min) / (Max - Min) * (to - from);

        /// <summary>Ticks for <paramref name="data"/>; from zero when asked, and never between whole numbers when the data are whole (concurrency).</summary>
        public static Ticks For(IEnumerable<double> data, bool fromZero, bool integers = false)
        {
            var values = data.Where(double.IsFinite).ToList();
            double low = values.Count > 0 ? values.Min() : 0, high = values.Count > 0 ? values.Max() : 1;
            if (fromZero) low = Math.Min(0, low);
            if (high <= low) high = low == 0 ? 1 : low + Math.Abs(low) * 0.5;
            var rough = (high - low) / 6;
            var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
            var norm = rough / magnitude;
            var step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
            if (integers) step = Math.Max(step, 1);
            var first = Math.Floor(low / step + 1e-9);
            var last = Math.Ceiling(high / step - 1e-9);
            var ticks = new List<double>();
            for (var i = first; i <= last; i++) ticks.Add(Math.Round(i * step, 10));
            return new Ticks { Values = ticks };
        }
    }
}
