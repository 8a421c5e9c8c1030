using System.CommandLine;
using System.Text.Json.Nodes;
using Llmctl.Engine.Config;
using Llmctl.Engine.Deployment;
using Llmctl.Engine.Output;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Policy;

namespace Llmctl.Infra.Cli;

/// <summary>
/// How a verb shows a plan, progress and results: one place that decides colour (a terminal, <c>--color</c>,
/// <c>NO_COLOR</c>) and hands the engine's renderers what they need.
/// </summary>
internal sealed class Views(CliContext cli, bool color)
{
    public static IReadOnlyDictionary<string, string> PackVersions { get; } =
        new Dictionary<string, string> { [new Policies.Platform.LlmctlPlatformPack().Name] = new Policies.Platform.LlmctlPlatformPack().Version };

    public bool Color => color;

    public static Views For(CliContext cli, ParseResult parse) => new(cli, UseColor(cli, parse.GetValue(GlobalOptions.Color)));

    /// <summary><c>--color always|never</c> wins; otherwise colour only on a terminal and only without <c>NO_COLOR</c> (https://no-color.org).</summary>
    public static bool UseColor(CliContext cli, string? mode) => mode switch
    {
        "always" => true,
        "never" => false,
        _ => cli.OutIsTerminal && string.IsNullOrEmpty(cli.Environment("NO_COLOR")),
    };

    public void Preview(Plan plan, IReadOnlyList<Violation> violations, bool diff, bool showSames, bool showReplacementSteps, PolicyReport? report = null) =>
        PreviewRenderer.Render(cli.Out, plan, new PreviewOptions
        {
            Color = color,
            Diff = diff,
            ShowSames = showSames,
            ShowReplacementSteps = showReplacementSteps,
            PolicyViolations = violations,
            PolicyPackVersions = PackVersions,
            PolicyReport = report,
        });

    public void Json(Plan plan, IReadOnlyList<Violation> violations, StackWorkspace ws, TimeSpan duration = default, PolicyReport? report = null) =>
        JsonDigestWriter.Write(cli.Out, plan, new JsonDigestOptions
        {
            Config = BlindedConfig(ws.Loaded),
            Duration = duration,
            PolicyViolations = violations,
            PolicyPackVersions = PackVersions,
            PolicyReport = report,
        });

    public void Markdown(Plan plan, IReadOnlyList<Violation> violations, bool includeDiff, string operation = "preview") =>
        MarkdownSummary.Write(cli.Out, plan, new MarkdownOptions
        {
            Operation = operation,
            PolicyViolations = violations,
            PolicyPackVersions = PackVersions,
            IncludeDiff = true,
        });

    private IProgressSink? _sink;

    public IStepObserver Progress(CliLog? log = null)
    {
        _sink = ProgressReporter.Create(cli.Out, new ProgressOptions { Color = color }, cli.OutIsTerminal);
        return new SinkObserver(_sink, log);
    }

    public void Summary(UpdateResult result, Plan plan, bool json, StackWorkspace ws)
    {
        _sink?.Finished(result.Duration);
        foreach (var (op, resolution) in result.Interrupted)
        {
            cli.Err.WriteLine($"warning: a previous run did not finish {op.Type.ToString().ToLowerInvariant()} {op.Resource.Urn} "
                + $"(it was killed, or failed before the outcome was known); {resolution}");
        }
        foreach (var failure in result.Failures)
        {
            cli.Err.WriteLine($"error: {failure.Urn}: {failure.Message}");
        }
        foreach (var skipped in result.Skipped)
        {
            cli.Err.WriteLine($"skipped: {skipped.Urn} ({skipped.Op.Json()} not run: {skipped.Because})");
        }
        if (json) Json(plan, [], ws, result.Duration);
    }

    /// <summary>The stack's config for the JSON digest, every secret (or value holding one) as <c>[secret]</c>.</summary>
    private static Dictionary<string, JsonNode?> BlindedConfig(LoadedStack loaded) =>
        loaded.Config.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(
            kv => kv.Key,
            kv => kv.Value.ContainsSecure ? JsonValue.Create("[secret]") : YamlJson.ToJsonNode(kv.Value.Node),
            StringComparer.Ordinal);

    private sealed class SinkObserver(IProgressSink sink, CliLog? log) : IStepObserver
    {
        public void StepStarted(Step step)
        {
            log?.Write(3, $"step started: {step.Op.Json()} {step.Urn}");
            sink.StepStarted(step);
        }

        public void StepCompleted(Step step, StepOp performed, TimeSpan elapsed)
        {
            log?.Write(3, $"step done: {performed.Json()} {step.Urn} in {elapsed.TotalSeconds:0.###}s");
            sink.StepCompleted(performed == step.Op ? step : step with { Op = performed }, elapsed);
        }

        public void StepFailed(Step step, string error)
        {
            log?.Write(3, $"step failed: {step.Op.Json()} {step.Urn}");
            sink.StepFailed(step, error);
        }

        public void StepProgress(Step step, string message)
        {
            log?.Write(5, $"step waiting: {step.Urn}: {message}");
            sink.Waiting(step, message);
        }
    }
}
