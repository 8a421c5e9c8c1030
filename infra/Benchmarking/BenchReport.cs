using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Llmctl.Infra.Benchmarking;

/// <summary>
/// What a run shows and leaves behind: the terminal table (one row per scenario), the acceptance summary in seed
/// 002's shape (path → result), <c>requests.csv</c> (every timed request), <c>scenarios.csv</c>, and
/// <c>bench.json</c>. No key or secret is in any of them: targets are written by name, URL and model.
/// </summary>
public sealed record BenchReport(string Stack, BenchSettings Settings, IReadOnlyList<ChatTarget> Targets, BenchResult Result, PeakGpuMemory? Peak)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public void WriteTable(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        string[] header = ["target", "ctx", "conc", "ok/n", "prompt", "TTFT p50", "TTFT p95", "prefill tok/s", "decode tok/s", "e2e p50", "total tok/s"];
        var rows = Result.Scenarios.Select(s => new[]
        {
            s.Target,
            s.Context.ToString(Inv),
            s.Concurrency.ToString(Inv),
            $"{s.Ok}/{s.Requests}",
            s.Ok == 0 ? "-" : s.PromptTokens.ToString("0", Inv),
            Ms(s.TtftP50Ms),
            Ms(s.TtftP95Ms),
            Num(s.PrefillTokensPerSecond),
            Num(s.DecodeTokensPerSecond),
            Ms(s.LatencyP50Ms),
            s.Ok == 0 ? "-" : s.ThroughputTokensPerSecond.ToString("0.0", Inv),
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();
        writer.WriteLine(Line(header));
        foreach (var row in rows) writer.WriteLine(Line(row));
        foreach (var s in Result.Scenarios.Where(s => s.Errors + s.Timeouts > 0))
        {
            writer.WriteLine($"{s.Target} ctx {s.Context} c={s.Concurrency}: {s.Errors} error(s), {s.Timeouts} timeout(s); first: {s.FirstError}");
        }
        if (Result.Scenarios.Any(s => s.Ok > 0 && !s.UsageFromServer))
        {
            writer.WriteLine("note: some servers sent no usage; their token counts are the client's (one streamed delta per token, the prompt estimated)");
        }
    }

    /// <summary>Seed 002's acceptance table: per target, decode speed at each context step and the prefill and TTFT at the largest, then the gateway's cost.</summary>
    public IReadOnlyList<(string Path, string Result)> Acceptance()
    {
        var lines = new List<(string, string)>();
        var lowest = Result.Scenarios.Count == 0 ? 1 : Result.Scenarios.Min(s => s.Concurrency);
        foreach (var target in Targets)
        {
            var mine = Result.Scenarios.Where(s => s.Target == target.Name && s.Concurrency == lowest && s.Ok > 0).OrderBy(s => s.Context).ToList();
            foreach (var s in mine.Where(s => s.DecodeTokensPerSecond is not null))
            {
                lines.Add(($"{target.Name}: decode around {Tokens(s.PromptTokens)} context", $"about {s.DecodeTokensPerSecond!.Value.ToString("0.0", Inv)} tokens per second"));
            }
            if (mine.LastOrDefault() is { } largest)
            {
                var cold = Settings.VaryPrompts ? "cold " : "";
                if (largest.PrefillTokensPerSecond is { } prefill) lines.Add(($"{target.Name}: {cold}prefill around {Tokens(largest.PromptTokens)} context", $"about {prefill.ToString("0", Inv)} prompt tokens per second"));
                if (largest.TtftP50Ms is { } ttft) lines.Add(($"{target.Name}: {cold}TTFT around {Tokens(largest.PromptTokens)} context", $"about {(ttft / 1000).ToString("0.0##", Inv)} seconds"));
            }
        }
        foreach (var lane in Targets.Where(t => t.Kind == TargetKind.Lane))
        {
            foreach (var alias in Targets.Where(t => t.Kind == TargetKind.Alias))
            {
                var pairs = Result.Scenarios.Where(s => s.Target == lane.Name && s.Ok > 0)
                    .Join(Result.Scenarios.Where(s => s.Target == alias.Name && s.Ok > 0), s => (s.Context, s.Concurrency), s => (s.Context, s.Concurrency), (l, a) => (l, a))
                    .Where(p => p.l.TtftP50Ms is not null && p.a.TtftP50Ms is not null).ToList();
                if (pairs.Count == 0) continue;
                var ttft = pairs.Average(p => p.a.TtftP50Ms!.Value - p.l.TtftP50Ms!.Value);
                var decode = pairs.Where(p => p.l.DecodeTokensPerSecond is not null && p.a.DecodeTokensPerSecond is not null).ToList();
                lines.Add(($"gateway overhead ({alias.Name} over {lane.Name})",
                    $"TTFT {(ttft >= 0 ? "+" : "")}{ttft.ToString("0", Inv)} ms"
                    + (decode.Count == 0 ? "" : $", decode {(decode.Average(p => p.a.DecodeTokensPerSecond!.Value / p.l.DecodeTokensPerSecond!.Value) * 100 - 100).ToString("+0.0;-0.0", Inv)}%")));
            }
        }
        if (Peak is { } peak) lines.Add(("peak GPU memory (DCGM)", peak.Describe()));
        return lines;
    }

    public void WriteAcceptance(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var lines = Acceptance();
        if (lines.Count == 0) return;
        var width = Math.Max(4, lines.Max(l => l.Path.Length));
        writer.WriteLine($"{"Path".PadRight(width)}  Result");
        foreach (var (path, result) in lines) writer.WriteLine($"{path.PadRight(width)}  {result}");
    }

    public static string RequestsCsvHeader => "target,context,concurrency,start_s,outcome,ttft_ms,latency_ms,decode_ms,prompt_tokens,completion_tokens,usage_from_server,prefill_tok_s,decode_tok_s,error";

    public string RequestsCsv()
    {
        var text = new StringBuilder().AppendLine(RequestsCsvHeader);
        foreach (var s in Result.Samples)
        {
            text.AppendLine(string.Join(',',
                Csv(s.Target), s.Context.ToString(Inv), s.Concurrency.ToString(Inv), s.Start.TotalSeconds.ToString("0.000", Inv),
                s.Outcome.ToString().ToLowerInvariant(), Opt(s.Ttft?.TotalMilliseconds), s.Latency.TotalMilliseconds.ToString("0.0", Inv), Opt(s.DecodeTime?.TotalMilliseconds),
                s.PromptTokens.ToString(Inv), s.CompletionTokens.ToString(Inv), s.UsageFromServer ? "true" : "false",
                Opt(s.PrefillTokensPerSecond), Opt(s.DecodeTokensPerSecond), Csv(s.Error ?? "")));
        }
        return text.ToString();
    }

    public string ScenariosCsv()
    {
        var text = new StringBuilder().AppendLine("target,kind,context,concurrency,requests,ok,errors,timeouts,prompt_tokens,completion_tokens,ttft_p50_ms,ttft_p95_ms,ttft_mean_ms,latency_p50_ms,latency_p95_ms,prefill_tok_s,decode_tok_s,decode_p50_tok_s,throughput_tok_s,requests_per_s,wall_s,usage_from_server");
        foreach (var s in Result.Scenarios)
        {
            text.AppendLine(string.Join(',',
                Csv(s.Target), s.Kind.ToString().ToLowerInvariant(), s.Context.ToString(Inv), s.Concurrency.ToString(Inv), s.Requests.ToString(Inv), s.Ok.ToString(Inv),
                s.Errors.ToString(Inv), s.Timeouts.ToString(Inv), s.PromptTokens.ToString("0.0", Inv), s.CompletionTokens.ToString("0.0", Inv),
                Opt(s.TtftP50Ms), Opt(s.TtftP95Ms), Opt(s.TtftMeanMs), Opt(s.LatencyP50Ms), Opt(s.LatencyP95Ms), Opt(s.PrefillTokensPerSecond),
                Opt(s.DecodeTokensPerSecond), Opt(s.DecodeP50TokensPerSecond), s.ThroughputTokensPerSecond.ToString("0.00", Inv), s.RequestsPerSecond.ToString("0.000", Inv),
                s.WallSeconds.ToString("0.000", Inv), s.UsageFromServer ? "true" : "false"));
        }
        return text.ToString();
    }

    public JsonObject ToJson() => new()
    {
        ["stack"] = Stack,
        ["started"] = Result.Started.ToString("O", Inv),
        ["finished"] = Result.Finished.ToString("O", Inv),
        ["settings"] = new JsonObject
        {
            ["contexts"] = new JsonArray(Settings.Contexts.Select(c => (JsonNode)c).ToArray()),
            ["concurrency"] = new JsonArray(Settings.Concurrency.Select(c => (JsonNode)c).ToArray()),
            ["requests"] = Settings.Requests,
            ["durationSeconds"] = Settings.Duration?.TotalSeconds,
            ["prime"] = Settings.Prime,
            ["varyPrompts"] = Settings.VaryPrompts,
            ["session"] = Settings.Session,
            ["maxTokens"] = Settings.MaxTokens,
            ["temperature"] = Settings.Temperature,
            ["timeoutSeconds"] = Settings.Timeouts.Total.TotalSeconds,
            ["stallTimeoutSeconds"] = Settings.Timeouts.Stall.TotalSeconds,
        },
        ["targets"] = new JsonArray(Targets.Select(t => (JsonNode)new JsonObject
        {
            ["name"] = t.Name,
            ["kind"] = t.Kind.ToString().ToLowerInvariant(),
            ["url"] = t.BaseUrl.AbsoluteUri,
            ["model"] = t.Model,
            ["viaApiServer"] = t.Handler is not null,
            ["apiKey"] = t.ApiKey is null ? null : "[secret]",
        }).ToArray()),
        ["peakGpuMemory"] = Peak?.ToJson(),
        ["scenarios"] = JsonSerializer.SerializeToNode(Result.Scenarios, BenchJsonContext.Default.IReadOnlyListScenarioSummary),
        ["requests"] = JsonSerializer.SerializeToNode(Result.Samples.Select(s => new BenchRequestRow(
            s.Target, s.Context, s.Concurrency, s.Start.TotalSeconds, s.Outcome.ToString().ToLowerInvariant(), s.Ttft?.TotalMilliseconds,
            s.Latency.TotalMilliseconds, s.DecodeTime?.TotalMilliseconds, s.PromptTokens, s.CompletionTokens, s.UsageFromServer,
            s.PrefillTokensPerSecond, s.DecodeTokensPerSecond, s.Error)).ToList(), BenchJsonContext.Default.ListBenchRequestRow),
    };

    /// <summary>Writes the CSV and JSON files into <paramref name="directory"/>; returns their paths.</summary>
    public IReadOnlyList<string> WriteFiles(string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        void Write(string name, string text)
        {
            var path = Path.Combine(directory, name);
            File.WriteAllText(path, text);
            files.Add(path);
        }
        Write("requests.csv", RequestsCsv());
        Write("scenarios.csv", ScenariosCsv());
        Write("bench.json", ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return files;
    }

    private static string Ms(double? ms) => ms is { } v ? v.ToString("0", Inv) + " ms" : "-";

    private static string Num(double? v) => v is { } d ? d.ToString("0.0", Inv) : "-";

    private static string Opt(double? v) => v is { } d ? d.ToString("0.###", Inv) : "";

    private static string Tokens(double tokens) => tokens >= 1000 ? (tokens / 1000).ToString("0.#", Inv) + "K" : tokens.ToString("0", Inv);

    private static string Csv(string text) => text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}

/// <summary>The peak GPU memory DCGM reported during a run, or why it is not known.</summary>
public sealed record PeakGpuMemory(double? MiB, int? TotalMiB, string Source, string? Unavailable = null)
{
    public string Describe() => MiB is { } m
        ? $"{m.ToString("0", CultureInfo.InvariantCulture)} MiB" + (TotalMiB is { } t ? $" of {t.ToString(CultureInfo.InvariantCulture)}" : "") + $" ({Source})"
        : $"not measured: {Unavailable}";

    public JsonObject ToJson() => new() { ["mib"] = MiB, ["totalMiB"] = TotalMiB, ["source"] = Source, ["unavailable"] = Unavailable };
}

/// <summary>One request as <c>bench.json</c> lists it.</summary>
internal sealed record BenchRequestRow(
    string Target, int Context, int Concurrency, double StartSeconds, string Outcome, double? TtftMs, double LatencyMs, double? DecodeMs,
    int PromptTokens, int CompletionTokens, bool UsageFromServer, double? PrefillTokensPerSecond, double? DecodeTokensPerSecond, string? Error);

/// <summary><c>bench.json</c>'s scenario and request lists: camelCase names, enums as camelCase strings.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, Converters = [typeof(CamelCaseTargetKindConverter)])]
[JsonSerializable(typeof(IReadOnlyList<ScenarioSummary>))]
[JsonSerializable(typeof(List<BenchRequestRow>))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;

internal sealed class CamelCaseTargetKindConverter() : JsonStringEnumConverter<TargetKind>(JsonNamingPolicy.CamelCase);
