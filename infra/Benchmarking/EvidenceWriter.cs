using System.Globalization;
using System.Text;
using Llmctl.Infra.Switching;

namespace Llmctl.Infra.Benchmarking;

/// <summary>
/// Writes a lane's acceptance evidence, <c>evidence/&lt;stack&gt;/&lt;lane&gt;.yaml</c>, from a bench run: the keys
/// <see cref="AcceptanceEvidence"/> judges (lane, hardware, result, ctxSize, peakVramMiB, settings) and the figures
/// for readers (tokensPerSecond direct and through the gateway, ttftSeconds, every scenario). The result is
/// <c>pass</c> when every timed request succeeded, else <c>fail</c> with the first error in <c>notes</c>.
/// </summary>
public static class EvidenceWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Text(string lane, string? hardware, EvidenceSettings settings, BenchReport report, DateTimeOffset recorded)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(report);
        var scenarios = report.Result.Scenarios;
        var failed = scenarios.Sum(s => s.Errors + s.Timeouts);
        var total = scenarios.Sum(s => s.Requests);
        var text = new StringBuilder();
        text.AppendLine($"# Acceptance evidence for lane {lane}, measured by `llmctl bench` (read by `llmctl preflight`; format in");
        text.AppendLine("# docs/stacks.md, \"Acceptance evidence\"). Preflight flags it stale when the lane's settings below change.");
        text.AppendLine($"lane: {Q(lane)}");
        if (hardware is not null) text.AppendLine($"hardware: {Q(hardware)}");
        text.AppendLine($"result: {(failed == 0 && total > 0 ? "pass" : "fail")}");
        text.AppendLine($"recorded: {Q(recorded.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Inv))}");
        text.AppendLine($"ctxSize: {(settings.CtxSize is { } ctx ? ctx.ToString(Inv) : "null")}");
        if (report.Peak?.MiB is { } peak) text.AppendLine($"peakVramMiB: {Math.Ceiling(peak).ToString("0", Inv)}");
        if (report.Peak?.TotalMiB is { } totalMiB) text.AppendLine($"gpuMemoryMiB: {totalMiB.ToString(Inv)}");
        var notes = new List<string>();
        if (total == 0) notes.Add("no request was timed");
        else if (failed > 0) notes.Add($"{failed} of {total} requests failed; first: {scenarios.First(s => s.FirstError is not null).FirstError}");
        if (report.Peak is { MiB: null } missing) notes.Add($"peak GPU memory not measured: {missing.Unavailable}");
        if (notes.Count > 0) text.AppendLine($"notes: {Q(string.Join("; ", notes))}");
        text.AppendLine("# The lane's settings it was measured with: preflight flags the evidence stale when one changes.");
        text.AppendLine($"modelRef: {Q(settings.ModelRef)}");
        text.AppendLine($"model: {Q(settings.ModelFile)}");
        text.AppendLine($"modelSha256: {Q(settings.ModelSha256)}");
        text.AppendLine($"cacheTypeK: {Q(settings.CacheTypeK)}");
        text.AppendLine($"cacheTypeV: {Q(settings.CacheTypeV)}");
        text.AppendLine($"parallel: {(settings.Parallel is { } p ? p.ToString(Inv) : "null")}");
        text.AppendLine($"image: {Q(settings.Image)}");
        text.AppendLine($"imageDigest: {Q(settings.ImageDigest)}");
        var lowest = scenarios.Count == 0 ? 1 : scenarios.Min(s => s.Concurrency);
        ScenarioSummary? Smallest(TargetKind kind) => scenarios.Where(s => s.Kind == kind && s.Concurrency == lowest && s.DecodeTokensPerSecond is not null).MinBy(s => s.Context);
        ScenarioSummary? Largest(TargetKind kind) => scenarios.Where(s => s.Kind == kind && s.Concurrency == lowest && s.TtftP50Ms is not null).MaxBy(s => s.Context);
        if (Smallest(TargetKind.Lane) is { } direct)
        {
            text.AppendLine("tokensPerSecond: # decode, at the smallest context and the lowest concurrency");
            text.AppendLine($"  direct: {F(direct.DecodeTokensPerSecond)}");
            if (Smallest(TargetKind.Alias) is { } gateway) text.AppendLine($"  gateway: {F(gateway.DecodeTokensPerSecond)}");
        }
        if (Largest(TargetKind.Lane) is { } longest)
        {
            text.AppendLine($"ttftSeconds: # p50 at the largest context ({longest.PromptTokens.ToString("0", Inv)} prompt tokens)");
            text.AppendLine($"  direct: {(longest.TtftP50Ms!.Value / 1000).ToString("0.###", Inv)}");
            if (Largest(TargetKind.Alias) is { TtftP50Ms: { } g }) text.AppendLine($"  gateway: {(g / 1000).ToString("0.###", Inv)}");
        }
        text.AppendLine($"scenarios: # {(report.Settings.VaryPrompts ? "varied prompts (no prefix cache)" : report.Settings.Session ? "a continuing session" : "repeated prompts")}; {report.Settings.MaxTokens} max tokens");
        foreach (var s in scenarios)
        {
            text.AppendLine($"  - path: {(s.Kind == TargetKind.Alias ? "gateway" : "direct")}");
            text.AppendLine($"    target: {Q(s.Target)}");
            text.AppendLine($"    context: {s.Context.ToString(Inv)}");
            text.AppendLine($"    concurrency: {s.Concurrency.ToString(Inv)}");
            text.AppendLine($"    requests: {s.Requests.ToString(Inv)}");
            text.AppendLine($"    failed: {(s.Errors + s.Timeouts).ToString(Inv)}");
            text.AppendLine($"    promptTokens: {s.PromptTokens.ToString("0", Inv)}");
            text.AppendLine($"    ttftMs: {{p50: {F(s.TtftP50Ms)}, p95: {F(s.TtftP95Ms)}}}");
            text.AppendLine($"    prefillTokensPerSecond: {F(s.PrefillTokensPerSecond)}");
            text.AppendLine($"    decodeTokensPerSecond: {F(s.DecodeTokensPerSecond)}");
            text.AppendLine($"    throughputTokensPerSecond: {F(s.ThroughputTokensPerSecond)}");
        }
        return text.ToString();
    }

    public static string Write(string projectDirectory, string stack, string lane, string text)
    {
        var path = AcceptanceEvidence.PathFor(projectDirectory, stack, lane);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    private static string F(double? v) => v is { } d ? d.ToString("0.#", Inv) : "null";

    /// <summary>A YAML double-quoted scalar (JSON's escaping is valid there), or null.</summary>
    private static string Q(string? s) => s is null ? "null" : System.Text.Json.Nodes.JsonValue.Create(s).ToJsonString(Relaxed);

    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
