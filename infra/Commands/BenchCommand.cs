using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Llmctl.Components.Observability;
using Llmctl.Infra.Benchmarking;
using Llmctl.Infra.Cli;
using Llmctl.Infra.Observability;
using Llmctl.Infra.Switching;
using Llmctl.Policies.Platform;
using Llmctl.Stacks.Config;

namespace Llmctl.Infra.Commands;

/// <summary>
/// <c>llmctl bench</c>: measures lanes and gateway aliases as users see them (seeds 000–002's benchmarks made
/// repeatable) — TTFT, prefill and decode speed, latency, per context step and concurrency level, direct and through
/// the gateway side by side — prints the table, writes CSV, JSON and SVG charts, reads the peak GPU memory from
/// Prometheus, and with <c>--evidence</c> records the lane's acceptance evidence for <c>preflight</c>. Exit 0 when
/// every timed request succeeded, 1 when any failed (the files are written either way).
/// </summary>
internal static class BenchCommand
{
    private static readonly Option<string?> Lane = new("--lane") { Description = "A lane of the stack: its own Service (the model server itself)" };
    private static readonly Option<string[]> Alias = new("--alias") { Description = "A gateway alias (repeatable); with --lane both run side by side", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string?> Url = new("--url") { Description = "An OpenAI-compatible base URL (http://host:8080/v1) instead of the stack's Services" };
    private static readonly Option<string?> Model = new("--model", "-m") { Description = "The model name to send (default: the lane's served name, the alias, or 'default' for --url)" };
    private static readonly Option<string?> Context = new("--context", "-c") { Description = "Context steps in prompt tokens, comma-separated (default 256,2048,8192, within the lane's context)" };
    private static readonly Option<string?> ContextRange = new("--context-range") { Description = "MIN:MAX prompt tokens, split into --context-steps geometric steps (seed 000: 256:8192)" };
    private static readonly Option<int> ContextSteps = new("--context-steps") { Description = "Steps of --context-range (default 8)", DefaultValueFactory = _ => 8 };
    private static readonly Option<string?> Concurrency = new("--concurrency") { Description = "Concurrency levels, comma-separated (default 1)" };
    private static readonly Option<int?> Requests = new("--requests", "-n") { Description = "Timed requests per scenario (default 3; with --duration, at most this many)" };
    private static readonly Option<string?> Duration = new("--duration") { Description = "Run each scenario this long instead (60s, 2m)" };
    private static readonly Option<int> Prime = new("--prime") { Description = "Untimed requests to each target before timing starts (default 1)", DefaultValueFactory = _ => 1 };
    private static readonly Option<bool> VaryPrompts = new("--vary-prompts") { Description = "Start every prompt differently so no prefix cache helps (cold prefill)" };
    private static readonly Option<bool> Session = new("--session") { Description = "Continue one conversation through the context steps (prefix caches may help, seed 000)" };
    private static readonly Option<int> MaxTokens = new("--max-tokens") { Description = "Completion tokens per request (default 256)", DefaultValueFactory = _ => 256 };
    private static readonly Option<double> Temperature = new("--temperature") { Description = "Sampling temperature (default 0.2)", DefaultValueFactory = _ => 0.2 };
    private static readonly Option<string?> Timeout = new("--timeout") { Description = "Per-request limit (default 10m)" };
    private static readonly Option<string?> StallTimeout = new("--stall-timeout") { Description = "A request with no data for this long is a timeout (default 2m)" };
    private static readonly Option<string> Connect = new("--connect") { Description = "How to reach the stack's Services: auto (direct inside the cluster, else api), direct, api (the API server's service proxy)", DefaultValueFactory = _ => "auto" };
    private static readonly Option<string?> Prometheus = new("--prometheus") { Description = "Prometheus base URL for the peak GPU memory, or 'none' (default: the stack's kube-prometheus-stack)" };
    private static readonly Option<string?> Out = new("--out", "-o") { Description = "Folder for the CSV, JSON and SVG files (default bench-results/<stack>-<time>)" };
    private static readonly Option<bool> Evidence = new("--evidence") { Description = "Write evidence/<stack>/<lane>.yaml (needs --lane), read by preflight" };
    private static readonly Option<bool> Json = new("--json", "-j") { Description = "Print the results as JSON instead of the table" };

    static BenchCommand()
    {
        Connect.AcceptOnlyFromAmong("auto", "direct", "api");
    }

    public static Command Build(CliContext cli)
    {
        var command = new Command("bench", "Measure TTFT, prefill and decode speed of a lane and/or gateway alias per context and concurrency; write CSV, JSON, charts and acceptance evidence")
        {
            Lane, Alias, Url, Model, Context, ContextRange, ContextSteps, Concurrency, Requests, Duration, Prime, VaryPrompts, Session, MaxTokens, Temperature,
            Timeout, StallTimeout, Connect, Prometheus, Out, Evidence, Json,
        };
        command.SetAction((parse, ct) => RunAsync(cli, parse, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext cli, ParseResult parse, CancellationToken ct)
    {
        var laneName = parse.GetValue(Lane);
        var aliases = parse.GetValue(Alias) ?? [];
        var url = parse.GetValue(Url);
        if (laneName is null && aliases.Length == 0 && url is null) throw new CliException(ExitCodes.ConfigOrUsage, "name what to measure: --lane <lane>, --alias <alias> (or both), or --url <base URL>");
        if (url is not null && (laneName is not null || aliases.Length > 0)) throw new CliException(ExitCodes.ConfigOrUsage, "--url measures one server; give it alone, or use --lane/--alias for the stack's");
        if (parse.GetValue(Evidence) && laneName is null) throw new CliException(ExitCodes.ConfigOrUsage, "--evidence records a lane's evidence: give --lane (and --alias for the gateway path)");

        var ws = StackWorkspace.Open(cli, parse, readsModelLocks: true);
        var config = ws.BindConfig();
        var desired = ws.Compose(config, isPreview: true);
        var resolver = new BenchTargets(ws, desired, Enum.Parse<ConnectMode>(parse.GetValue(Connect)!, ignoreCase: true));
        var targets = new List<ChatTarget>();
        var lane = laneName is null ? null : config.Lanes.Items.FirstOrDefault(l => l.Name == laneName);
        // Every option is checked before anything reaches the cluster.
        var settings = Settings(parse, lane);
        if (laneName is not null)
        {
            var (laneTargets, active) = resolver.Lane(laneName, parse.GetValue(Model));
            if (!active) cli.Err.WriteLine($"warning: lane '{laneName}' is parked (active: false): its Service has no pod to answer; switch to it first (llmctl switch {laneName})");
            if (parse.GetValue(Evidence) && lane?.Runtime == LaneRuntime.Ollama) throw new CliException(ExitCodes.ConfigOrUsage, "--evidence is for llamacpp and vllm lanes (what preflight checks); an ollama lane runs on all its nodes");
            targets.AddRange(laneTargets);
        }
        targets.AddRange(aliases.Distinct(StringComparer.Ordinal).Select(resolver.Alias));
        if (url is not null) targets.Add(BenchTargets.Url(url, parse.GetValue(Model), resolver.BenchKey));

        var progress = new BenchProgress(cli.Err, cli.OutIsTerminal);
        var via = url is not null ? "" : resolver.Mode == ConnectMode.Api ? " through the Kubernetes API server's service proxy" : " at the Services' in-cluster addresses";
        cli.Err.WriteLine($"measuring {string.Join(", ", targets.Select(t => t.Name))}{via}: contexts {string.Join(",", settings.Contexts)}, concurrency {string.Join(",", settings.Concurrency)}, "
            + (settings.Duration is { } d ? $"{d.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s" : $"{settings.Requests} request(s)") + " per scenario");
        var result = await new BenchRunner(settings, progress).RunAsync(targets, ct);

        var node = lane?.Node is { } n ? Lanes.Nodes(desired).FirstOrDefault(g => g.Gpu.Node == n)?.Gpu : null;
        var peak = await PeakAsync(parse, resolver, desired, lane?.Node, node?.VramMiB, result, cli, ct);
        var report = new BenchReport(ws.Stack, settings, targets, result, peak);

        var outDir = parse.GetValue(Out) is { } o ? Path.GetFullPath(Path.Combine(StackWorkspace.Directory(cli, parse), o))
            : Path.Combine(ws.Loaded.ProjectDirectory, "bench-results", $"{ws.Stack}-{result.Started.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        var files = report.WriteFiles(outDir).ToList();
        files.AddRange(BenchChart.Write(result, targets, outDir));

        if (parse.GetValue(Json)) cli.Out.WriteLine(report.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        else
        {
            report.WriteTable(cli.Out);
            cli.Out.WriteLine();
            report.WriteAcceptance(cli.Out);
        }
        foreach (var file in files) cli.Err.WriteLine($"wrote {Path.GetRelativePath(ws.Loaded.ProjectDirectory, file)}");
        if (parse.GetValue(Evidence) && lane is not null)
        {
            var text = EvidenceWriter.Text(lane.Name, node?.Model, EvidenceSettings.Of(lane, ws.LoadModelLocks()), report, result.Finished);
            var path = EvidenceWriter.Write(ws.Loaded.ProjectDirectory, ws.Stack, lane.Name, text);
            cli.Err.WriteLine($"wrote {Path.GetRelativePath(ws.Loaded.ProjectDirectory, path)} (preflight reads it)");
        }
        return result.Scenarios.Any(s => s.Errors + s.Timeouts > 0) ? ExitCodes.Error : ExitCodes.Ok;
    }

    private static BenchSettings Settings(ParseResult parse, LaneConfig? lane)
    {
        var maxTokens = parse.GetValue(MaxTokens);
        if (maxTokens < 1) throw new CliException(ExitCodes.ConfigOrUsage, "--max-tokens must be at least 1");
        var contexts = Contexts(parse, lane, maxTokens);
        var concurrency = parse.GetValue(Concurrency) is { } c ? Ints("--concurrency", c) : [1];
        if (concurrency.Any(n => n > 1024)) throw new CliException(ExitCodes.ConfigOrUsage, "--concurrency above 1024 is not a benchmark of one lane");
        var duration = parse.GetValue(Duration) is { } d ? Span("--duration", d) : (TimeSpan?)null;
        var requests = parse.GetValue(Requests);
        if (requests is < 1) throw new CliException(ExitCodes.ConfigOrUsage, "--requests must be at least 1");
        if (parse.GetValue(Prime) < 0) throw new CliException(ExitCodes.ConfigOrUsage, "--prime must be 0 or more");
        return new BenchSettings
        {
            Contexts = contexts,
            Concurrency = concurrency,
            Requests = duration is null ? requests ?? 3 : requests,
            Duration = duration,
            Prime = parse.GetValue(Prime),
            VaryPrompts = parse.GetValue(VaryPrompts),
            Session = parse.GetValue(Session),
            MaxTokens = maxTokens,
            Temperature = parse.GetValue(Temperature),
            Timeouts = new RequestTimeouts(
                parse.GetValue(Timeout) is { } t ? Span("--timeout", t) : RequestTimeouts.Default.Total,
                parse.GetValue(StallTimeout) is { } s ? Span("--stall-timeout", s) : RequestTimeouts.Default.Stall),
        };
    }

    /// <summary>The context steps: given, a geometric range, or the default 256, 2048, 8192 — each with its completion within a slot of the lane.</summary>
    internal static IReadOnlyList<int> Contexts(ParseResult parse, LaneConfig? lane, int maxTokens)
    {
        IReadOnlyList<int> steps;
        var explicitSteps = parse.GetValue(Context);
        var range = parse.GetValue(ContextRange);
        if (explicitSteps is not null && range is not null) throw new CliException(ExitCodes.ConfigOrUsage, "give --context or --context-range, not both");
        var slot = lane is { CtxSize: > 0 } l && l.Runtime != LaneRuntime.Ollama ? l.CtxSize / Math.Max(1, l.Parallel) : (int?)null;
        if (range is not null)
        {
            var parts = range.Split(':');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var max) || min < 1 || max <= min)
            {
                throw new CliException(ExitCodes.ConfigOrUsage, $"--context-range '{range}' is not MIN:MAX with 0 < MIN < MAX (e.g. 256:8192)");
            }
            steps = GeometricSteps(min, max, parse.GetValue(ContextSteps));
        }
        else if (explicitSteps is not null)
        {
            steps = Ints("--context", explicitSteps);
        }
        else
        {
            steps = slot is { } s ? [.. new[] { 256, 2048, 8192 }.Where(c => c + maxTokens <= s)] : [256, 2048, 8192];
            if (steps.Count == 0) throw new CliException(ExitCodes.ConfigOrUsage, $"the lane's context per slot ({slot}) leaves no room for {maxTokens} completion tokens; lower --max-tokens");
        }
        if (slot is { } perSlot && steps.FirstOrDefault(c => c + maxTokens > perSlot) is > 0 and var tooBig)
        {
            throw new CliException(ExitCodes.ConfigOrUsage,
                $"context step {tooBig} + {maxTokens} completion tokens does not fit the lane's {perSlot} tokens per slot (ctxSize {lane!.CtxSize} / parallel {lane.Parallel}); the server would refuse it — lower the step or --max-tokens");
        }
        return steps.Distinct().Order().ToList();
    }

    /// <summary><paramref name="count"/> steps from <paramref name="min"/> to <paramref name="max"/>, each the same factor larger (seed 000: 256 … 8192 in 8).</summary>
    public static IReadOnlyList<int> GeometricSteps(int min, int max, int count)
    {
        if (count < 2) throw new CliException(ExitCodes.ConfigOrUsage, "--context-steps must be at least 2");
        var ratio = Math.Pow((double)max / min, 1.0 / (count - 1));
        return Enumerable.Range(0, count).Select(i => i == count - 1 ? max : (int)Math.Round(min * Math.Pow(ratio, i))).Distinct().ToList();
    }

    private static List<int> Ints(string option, string text)
    {
        var values = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var k = part.EndsWith('k') || part.EndsWith('K');
            if (!int.TryParse(k ? part[..^1] : part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                throw new CliException(ExitCodes.ConfigOrUsage, $"{option}: '{part}' is not a positive whole number (write e.g. 256,2048,8k)");
            }
            values.Add(k ? n * 1024 : n);
        }
        return values.Count > 0 ? values : throw new CliException(ExitCodes.ConfigOrUsage, $"{option} needs at least one value");
    }

    private static TimeSpan Span(string option, string text)
    {
        var t = text.Trim();
        var (number, scale) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 0.001) : t.EndsWith('m') ? (t[..^1], 60.0) : t.EndsWith('s') ? (t[..^1], 1.0) : (t, 1.0);
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n > 0
            ? TimeSpan.FromSeconds(n * scale)
            : throw new CliException(ExitCodes.ConfigOrUsage, $"{option}: '{text}' is not a duration (write 30s, 2m or 500ms)");
    }

    /// <summary>
    /// The peak framebuffer use DCGM reported over the run, from <c>--prometheus</c> or the stack's kube-prometheus-stack
    /// (reached like the Services); a Prometheus that cannot be reached is said, never fatal.
    /// </summary>
    private static async Task<PeakGpuMemory?> PeakAsync(ParseResult parse, BenchTargets resolver, Engine.Model.StackContext desired, string? node, int? totalMiB,
        BenchResult result, CliContext cli, CancellationToken ct)
    {
        var option = parse.GetValue(Prometheus);
        if (option == "none") return null;
        PrometheusQuery query;
        HttpClient http;
        if (option is not null)
        {
            if (!Uri.TryCreate(option, UriKind.Absolute, out var uri)) throw new CliException(ExitCodes.ConfigOrUsage, $"--prometheus '{option}' is not a URL (or 'none')");
            http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            query = new PrometheusQuery(http, uri);
        }
        else if (parse.GetValue(Url) is not null)
        {
            return null; // a URL's server is not known to be the stack's: its GPU is read only with --prometheus
        }
        else if (desired.Resources.OfType<KubePrometheusStack>().FirstOrDefault() is { } stack)
        {
            HttpMessageHandler? handler;
            try
            {
                handler = resolver.ServiceHandler;
            }
            catch (Engine.Providers.ProviderException ex)
            {
                cli.Err.WriteLine($"warning: peak GPU memory not read: {ex.Message}");
                return new PeakGpuMemory(null, totalMiB, "DCGM", ex.Message);
            }
            http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
            http.Timeout = TimeSpan.FromSeconds(20);
            query = new PrometheusQuery(http, Providers.Kubernetes.ServiceProxy.ServiceUrl(PrometheusQuery.ServiceNameFor(stack.ReleaseName), stack.Namespace, PrometheusQuery.ServicePort));
        }
        else
        {
            return new PeakGpuMemory(null, totalMiB, "DCGM", "the stack has no observability section (no Prometheus); pass --prometheus <url>");
        }
        using (http)
        {
            var window = result.Finished - result.Started;
            var promql = PrometheusQuery.PeakFramebufferQuery(node, window < TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(30) : window);
            try
            {
                var mib = await query.MaxAsync(promql, ct, result.Finished);
                return mib is null
                    ? new PeakGpuMemory(null, totalMiB, "DCGM", $"Prometheus has no DCGM_FI_DEV_FB_USED series{(node is null ? "" : $" for node '{node}'")} over the run")
                    : new PeakGpuMemory(mib, totalMiB, "DCGM_FI_DEV_FB_USED via Prometheus");
            }
            catch (PrometheusException ex)
            {
                cli.Err.WriteLine($"warning: peak GPU memory not read: {ex.Message}");
                return new PeakGpuMemory(null, totalMiB, "DCGM", ex.Message);
            }
        }
    }
}
