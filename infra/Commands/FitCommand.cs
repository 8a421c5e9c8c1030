using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llmctl.Engine.Config;
using Llmctl.Fit.Estimate;
using Llmctl.Fit.Gguf;
using Llmctl.Fit.Lock;
using Llmctl.Infra.Cli;
using Llmctl.Stacks;
using Llmctl.Stacks.Config;
using Llmctl.Stacks.Fit;

namespace Llmctl.Infra.Commands;

/// <summary>
/// <c>llmctl fit</c>: will it fit? The VRAM estimate of a lane of the stack (<c>--lane</c>), of every active lane
/// (neither option), or of a model with explicit settings (<c>--model</c>), as a table with a bar of the budget or as
/// JSON. Exit 0 when it fits (also inside the margin), 1 when it does not fit or the server would refuse the settings.
/// </summary>
internal static class FitCommand
{
    private static readonly Option<string?> Lane = new("--lane") { Description = "A lane of the stack (-s)" };
    private static readonly Option<string?> Model = new("--model", "-m") { Description = "A models.lock.yaml ref or a .gguf file (instead of --lane)" };
    private static readonly Option<int?> Ctx = new("--ctx", "-c") { Description = "Context size (llama.cpp -c: total over slots; ollama: per slot; vllm: --max-model-len)" };
    private static readonly Option<int?> Parallel = new("--parallel", "-np") { Description = "Slots (parallel sequences); default 1" };
    private static readonly Option<string?> Ctk = new("--ctk") { Description = "K cache type (f16, q8_0, q4_0, …); default f16" };
    private static readonly Option<string?> Ctv = new("--ctv") { Description = "V cache type; default f16 (quantized V needs --fa on)" };
    private static readonly Option<string?> Fa = new("--fa") { Description = "Flash attention: on or off; default on" };
    private static readonly Option<int?> Ngl = new("--ngl") { Description = "Layers on the GPU (-ngl); default all" };
    private static readonly Option<string?> GpuOption = new("--gpu") { Description = "A hardware-catalog key (rtx-4090) or the GPU memory in MiB (24467)" };
    private static readonly Option<int?> GpuCount = new("--gpus") { Description = "GPUs the model is split over; default 1" };
    private static readonly Option<string?> Runtime = new("--runtime") { Description = "llamacpp (default), ollama or vllm" };
    private static readonly Option<bool> CpuMoe = new("--cpu-moe") { Description = "Keep every expert tensor in host memory" };
    private static readonly Option<int?> NCpuMoe = new("--n-cpu-moe") { Description = "Keep the expert tensors of the first N layers in host memory" };
    private static readonly Option<string[]> OverrideTensor = new("--override-tensor", "-ot") { Description = "pattern=CPU: tensors kept in host memory", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<int?> UBatch = new("--ubatch", "-ub") { Description = "Micro-batch size; default 512" };
    private static readonly Option<double?> GpuUtil = new("--gpu-memory-utilization") { Description = "vLLM: the reserved share of the GPU; default 0.9" };
    private static readonly Option<double?> Margin = new("--margin") { Description = "MiB to keep free, like llama.cpp --fit-target; default 1024" };
    private static readonly Option<bool> Json = new("--json", "-j") { Description = "The same numbers as JSON under stable keys" };
    private static readonly Option<bool> MaxCtx = new("--max-ctx") { Description = "Also answer the largest context that fits with the margin (steps of 256)" };

    public static Command Build(CliContext cli)
    {
        var command = new Command("fit", "Estimate the GPU memory of a lane or model (weights, KV, recurrent state, compute, overhead) against its GPU")
        {
            Lane, Model, Ctx, Parallel, Ctk, Ctv, Fa, Ngl, GpuOption, GpuCount, Runtime, CpuMoe, NCpuMoe, OverrideTensor, UBatch, GpuUtil, Margin, Json, MaxCtx,
        };
        command.SetAction(parse => Run(cli, parse));
        return command;
    }

    private static int Run(CliContext cli, ParseResult parse)
    {
        var margin = parse.GetValue(Margin) ?? FitEstimator.DefaultMarginMiB;
        if (margin < 0) throw new CliException(ExitCodes.ConfigOrUsage, "--margin must be 0 or more MiB");
        var results = new List<(FitEstimate Estimate, int? MaxCtx, string? MaxCtxUnit)>();
        try
        {
            if (parse.GetValue(Model) is { } model)
            {
                if (parse.GetValue(Lane) is not null) throw new CliException(ExitCodes.ConfigOrUsage, "give --lane or --model, not both");
                var facts = ModelFacts(cli, parse, model);
                var settings = ExplicitSettings(parse);
                var gpu = ExplicitGpu(parse);
                var load = new FitLoad(facts.Name, facts, settings);
                var estimate = FitEstimator.Estimate(load, gpu, margin);
                results.Add((estimate, parse.GetValue(MaxCtx) ? FitEstimator.MaxContext(load, gpu, margin) : null, Unit(settings.Runtime)));
            }
            else
            {
                RejectModelSettings(parse);
                var ws = StackWorkspace.Open(cli, parse, readsModelLocks: true);
                var config = ws.BindConfig();
                var locks = ws.LoadModelLocks();
                var facts = StackLaneFit.Facts(locks);
                if (parse.GetValue(Lane) is { } laneName)
                {
                    var lane = config.Lanes.Items.FirstOrDefault(l => l.Name == laneName)
                        ?? throw new CliException(ExitCodes.ConfigOrUsage, $"stack '{ws.Stack}' has no lane '{laneName}'; lanes: {string.Join(", ", config.Lanes.Items.Select(l => l.Name))}");
                    var estimate = LaneFit.Estimate(config, lane, facts, margin);
                    results.Add((estimate, parse.GetValue(MaxCtx) ? LaneFit.MaxContext(config, lane, facts, margin) : null, Unit(LaneFit.Settings(lane).Runtime)));
                }
                else
                {
                    if (parse.GetValue(MaxCtx)) throw new CliException(ExitCodes.ConfigOrUsage, "--max-ctx answers for one lane or model; add --lane or --model");
                    var all = LaneFit.ActiveOnNodes(config, facts, margin);
                    if (all.Count == 0) throw new CliException(ExitCodes.ConfigOrUsage, $"stack '{ws.Stack}' has no active lanes on GPU nodes; name one with --lane");
                    results.AddRange(all.Select(e => (e, (int?)null, (string?)null)));
                }
            }
        }
        catch (LaneFitException ex)
        {
            throw new CliException(ExitCodes.ConfigOrUsage, ex.Message);
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ExitCodes.ConfigOrUsage, ex.Message);
        }

        if (parse.GetValue(Json))
        {
            var array = new JsonArray(results.Select(r => (JsonNode)ToJson(r.Estimate, r.MaxCtx, parse.GetValue(MaxCtx))).ToArray());
            cli.Out.WriteLine((results.Count == 1 ? array[0]! : array).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            for (var i = 0; i < results.Count; i++)
            {
                if (i > 0) cli.Out.WriteLine();
                cli.Out.Write(Table(results[i].Estimate));
                if (parse.GetValue(MaxCtx))
                {
                    cli.Out.WriteLine(results[i].MaxCtx is { } max
                        ? $"largest context that fits with the {F(margin)} MiB margin: {max} tokens{results[i].MaxCtxUnit}"
                        : $"no context fits with the {F(margin)} MiB margin");
                }
            }
        }
        return results.Any(r => r.Estimate.Verdict is FitVerdict.DoesNotFit or FitVerdict.Refused) ? ExitCodes.Error : ExitCodes.Ok;
    }

    private static string Unit(FitRuntime runtime) => runtime switch
    {
        FitRuntime.Ollama => " per slot (num_ctx)",
        FitRuntime.Vllm => " (--max-model-len)",
        _ => "",
    };

    private static void RejectModelSettings(ParseResult parse)
    {
        Option[] modelOnly = [Ctx, Parallel, Ctk, Ctv, Fa, Ngl, GpuOption, GpuCount, Runtime, NCpuMoe, UBatch, GpuUtil];
        var given = modelOnly.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
        if (parse.GetValue(CpuMoe)) given.Add(CpuMoe.Name);
        if (parse.GetValue(OverrideTensor) is { Length: > 0 }) given.Add(OverrideTensor.Name);
        if (given.Count > 0)
        {
            throw new CliException(ExitCodes.ConfigOrUsage, $"{string.Join(", ", given)} go with --model; a lane's settings come from the stack file");
        }
    }

    private static ModelFactsRef ModelFacts(CliContext cli, ParseResult parse, string model)
    {
        var directory = StackWorkspace.Directory(cli, parse);
        var asPath = Path.GetFullPath(Path.Combine(directory, model));
        if (model.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) || File.Exists(asPath))
        {
            if (!File.Exists(asPath)) throw new CliException(ExitCodes.ConfigOrUsage, $"{model}: no such file");
            try
            {
                return new ModelFactsRef(Path.GetFileName(asPath), GgufModelFacts.Read([GgufFile.Read(asPath)]));
            }
            catch (GgufFormatException ex)
            {
                throw new CliException(ExitCodes.ConfigOrUsage, $"{model}: {ex.Message}");
            }
        }
        var project = ProjectLoader.FindProjectFile(directory);
        var lockPath = Path.Combine(project is null ? directory : Path.GetDirectoryName(project)!, ModelLockFile.DefaultFileName);
        if (!File.Exists(lockPath)) throw new CliException(ExitCodes.ConfigOrUsage, $"'{model}' is not a file, and there is no {ModelLockFile.DefaultFileName} at {lockPath} to look it up in");
        var locks = ModelLockFile.Load(lockPath);
        var entry = locks.TryFind(model)
            ?? throw new CliException(ExitCodes.ConfigOrUsage, $"'{model}' is not a file nor a ref in {lockPath}; refs: {string.Join(", ", locks.Models.Select(m => m.Ref))}");
        return entry.Facts is { } facts
            ? new ModelFactsRef(entry.Ref, facts)
            : throw new CliException(ExitCodes.ConfigOrUsage, $"'{model}' in {lockPath} has no facts; run 'llmctl lock' on its file (or --url) to record them");
    }

    private static FitSettings ExplicitSettings(ParseResult parse)
    {
        var runtime = parse.GetValue(Runtime) switch
        {
            null or "llamacpp" or "llama.cpp" => FitRuntime.LlamaCpp,
            "ollama" => FitRuntime.Ollama,
            "vllm" => FitRuntime.Vllm,
            var other => throw new CliException(ExitCodes.ConfigOrUsage, $"--runtime '{other}' is not llamacpp, ollama or vllm"),
        };
        CacheType Cache(Option<string?> option, CacheType fallback) => parse.GetValue(option) is not { } text ? fallback
            : CacheType.TryParse(text, out var type) ? type
            : throw new CliException(ExitCodes.ConfigOrUsage, $"{option.Name} '{text}' is not a KV cache type; use one of {string.Join(", ", CacheType.All.Select(t => t.Name))}");
        var fa = parse.GetValue(Fa) switch
        {
            null or "on" => true,
            "off" => false,
            var other => throw new CliException(ExitCodes.ConfigOrUsage, $"--fa '{other}' is not on or off"),
        };
        var settings = new FitSettings
        {
            Runtime = runtime,
            CtxSize = parse.GetValue(Ctx) ?? 0,
            Parallel = parse.GetValue(Parallel) ?? 1,
            CacheTypeK = Cache(Ctk, runtime == FitRuntime.Vllm ? CacheType.Bf16 : CacheType.F16),
            CacheTypeV = Cache(Ctv, runtime == FitRuntime.Vllm ? CacheType.Bf16 : CacheType.F16),
            FlashAttention = fa,
            GpuLayers = parse.GetValue(Ngl) ?? 999,
            CpuMoe = parse.GetValue(CpuMoe),
            NCpuMoe = parse.GetValue(NCpuMoe) ?? 0,
            OverrideTensors = parse.GetValue(OverrideTensor) ?? [],
            UBatch = parse.GetValue(UBatch) ?? 512,
            GpuMemoryUtilization = parse.GetValue(GpuUtil) ?? 0.9,
        };
        if (settings.CtxSize < 0 || settings.Parallel < 1 || settings.UBatch < 1 || settings.NCpuMoe < 0 || settings.GpuMemoryUtilization is <= 0 or > 1)
        {
            throw new CliException(ExitCodes.ConfigOrUsage, "--ctx, --n-cpu-moe must be 0 or more, --parallel and --ubatch at least 1, --gpu-memory-utilization in (0, 1]");
        }
        return settings;
    }

    private static FitGpu ExplicitGpu(ParseResult parse)
    {
        var count = parse.GetValue(GpuCount) ?? 1;
        if (count < 1) throw new CliException(ExitCodes.ConfigOrUsage, "--gpus must be at least 1");
        var text = parse.GetValue(GpuOption)
            ?? throw new CliException(ExitCodes.ConfigOrUsage, $"--model needs --gpu: a hardware-catalog key ({HardwareCatalog.KnownKeys}) or the GPU memory in MiB");
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var mib) && mib > 0)
        {
            return new FitGpu { Name = $"{mib} MiB GPU", MiBPerGpu = mib, Count = count };
        }
        if (!HardwareCatalog.TryGet(text, out var hardware))
        {
            throw new CliException(ExitCodes.ConfigOrUsage, $"--gpu '{text}' is neither MiB nor a hardware-catalog key ({HardwareCatalog.KnownKeys})");
        }
        return new FitGpu
        {
            Name = hardware.DisplayName,
            MiBPerGpu = hardware.VramMiB,
            Count = count,
            Backend = hardware.Vendor == Components.Gpu.GpuVendor.Amd ? GpuBackend.Rocm : GpuBackend.Cuda,
            UnifiedMemory = hardware.UnifiedMemory,
            GttMiB = hardware.GttMiB,
        };
    }

    private static string F(double mib) => mib.ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>The breakdown as a table, the budget as a bar, the verdict; one line of rule per number.</summary>
    internal static string Table(FitEstimate e)
    {
        var text = new StringBuilder();
        var gpus = e.Gpu.Count > 1 ? $"{e.Gpu.Count} x " : "";
        text.AppendLine(CultureInfo.InvariantCulture, $"{e.Subject} on {gpus}{e.Gpu.Name} ({e.Gpu.BudgetPerGpuMiB} MiB{(e.Gpu.Count > 1 ? " each" : "")})");
        text.AppendLine();
        void Row(string label, double mib, string rule) =>
            text.AppendLine(CultureInfo.InvariantCulture, $"  {label,-18} {F(mib),10} MiB   {rule}");
        string Rules(FitPartKind kind) => string.Join(" | ", e.Parts.Where(p => p.Kind == kind && p.MiB > 0).Select(p => p.Rule).Distinct());
        Row("weights on GPU", e.WeightsGpuMiB, Rules(FitPartKind.WeightsGpu));
        Row("weights on host", e.WeightsHostMiB, "host memory, not counted against the GPU: " + Rules(FitPartKind.WeightsHost));
        Row("KV cache", e.KvMiB, string.Join(" | ", new[] { Rules(FitPartKind.Kv), Rules(FitPartKind.KvSwa) }.Where(r => r.Length > 0)));
        Row("recurrent state", e.RecurrentMiB, Rules(FitPartKind.Recurrent));
        Row("compute", e.ComputeMiB, Rules(FitPartKind.Compute));
        Row("overhead", e.OverheadMiB, string.Join(" | ", new[] { Rules(FitPartKind.Overhead), Rules(FitPartKind.Reservation) }.Where(r => r.Length > 0)));
        text.AppendLine("  " + new string('-', 34));
        Row("total", e.TotalMiB, e.Devices.Count > 1 ? "the fullest GPU: " + string.Join(", ", e.Devices.Select(d => $"GPU{d.Index} {F(d.TotalMiB)}")) : "GPU memory");
        Row("budget", e.BudgetMiB, e.Gpu.UnifiedMemory ? "the carve-out" + (e.Gpu.BudgetPerGpuMiB > e.Gpu.MiBPerGpu ? " + GTT" : "") : "per GPU");
        Row("headroom", e.HeadroomMiB, $"margin {F(e.MarginMiB)} MiB (llama.cpp --fit-target)");
        text.AppendLine();
        text.AppendLine("  " + Bar(e));
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"  verdict: {e.VerdictText}");
        foreach (var problem in e.Problems) text.AppendLine(CultureInfo.InvariantCulture, $"  problem: {problem}");
        foreach (var shortfall in e.Shortfalls) text.AppendLine(CultureInfo.InvariantCulture, $"  does not fit: {shortfall}");
        foreach (var note in e.Notes) text.AppendLine(CultureInfo.InvariantCulture, $"  note: {note}");
        return text.ToString();
    }

    /// <summary>[#####=====.....|   ] 89.6 % — '#' weights, '=' KV and state, '+' compute and overhead, '|' where the margin starts.</summary>
    internal static string Bar(FitEstimate e, int width = 50)
    {
        var budget = Math.Max(1, e.BudgetMiB);
        var cells = new char[width];
        Array.Fill(cells, '.');
        double used = 0;
        void Fill(double mib, char c)
        {
            var from = (int)Math.Round(used / budget * width);
            used += mib;
            var to = (int)Math.Min(width, Math.Round(used / budget * width));
            for (var i = from; i < to; i++) cells[i] = c;
        }
        var device = e.Devices.OrderBy(d => d.HeadroomMiB).First().Index;
        double On(params FitPartKind[] kinds) => e.Parts.Where(p => p.Device == device && kinds.Contains(p.Kind)).Sum(p => p.MiB);
        Fill(On(FitPartKind.WeightsGpu), '#');
        Fill(On(FitPartKind.Kv, FitPartKind.KvSwa, FitPartKind.Recurrent), '=');
        Fill(On(FitPartKind.Compute, FitPartKind.Overhead, FitPartKind.Reservation), '+');
        var marginAt = (int)Math.Round((budget - e.MarginMiB) / budget * width);
        if (marginAt is > 0 and < 50 && cells[marginAt] == '.') cells[marginAt] = '|';
        var over = e.TotalMiB > budget ? $" over by {F(e.TotalMiB - budget)} MiB" : "";
        return string.Create(CultureInfo.InvariantCulture, $"[{new string(cells)}] {e.TotalMiB / budget * 100:0.0} % of {F(budget)} MiB{over}   # weights  = KV/state  + compute/overhead  | margin");
    }

    /// <summary>The estimate under stable keys (MiB as numbers with two decimals).</summary>
    internal static JsonObject ToJson(FitEstimate e, int? maxCtx, bool askedMaxCtx)
    {
        static JsonNode N(double mib) => JsonValue.Create(Math.Round(mib, 2));
        var json = new JsonObject
        {
            ["subject"] = e.Subject,
            ["gpu"] = new JsonObject
            {
                ["name"] = e.Gpu.Name,
                ["mibPerGpu"] = e.Gpu.MiBPerGpu,
                ["count"] = e.Gpu.Count,
                ["backend"] = e.Gpu.Backend.ToString().ToLowerInvariant(),
                ["unifiedMemory"] = e.Gpu.UnifiedMemory,
                ["budgetPerGpuMiB"] = e.Gpu.BudgetPerGpuMiB,
            },
            ["weightsGpuMiB"] = N(e.WeightsGpuMiB),
            ["weightsHostMiB"] = N(e.WeightsHostMiB),
            ["kvMiB"] = N(e.KvMiB),
            ["kvSwaMiB"] = N(e.KvSwaMiB),
            ["recurrentMiB"] = N(e.RecurrentMiB),
            ["computeMiB"] = N(e.ComputeMiB),
            ["overheadMiB"] = N(e.OverheadMiB),
            ["totalMiB"] = N(e.TotalMiB),
            ["budgetMiB"] = N(e.BudgetMiB),
            ["marginMiB"] = N(e.MarginMiB),
            ["headroomMiB"] = N(e.HeadroomMiB),
            ["verdict"] = e.VerdictText,
            ["problems"] = new JsonArray(e.Problems.Select(p => (JsonNode)p).ToArray()),
            ["shortfalls"] = new JsonArray(e.Shortfalls.Select(p => (JsonNode)p).ToArray()),
            ["notes"] = new JsonArray(e.Notes.Select(n => (JsonNode)n).ToArray()),
            ["devices"] = new JsonArray(e.Devices.Select(d => (JsonNode)new JsonObject
            {
                ["index"] = d.Index, ["totalMiB"] = N(d.TotalMiB), ["budgetMiB"] = N(d.BudgetMiB), ["headroomMiB"] = N(d.HeadroomMiB),
            }).ToArray()),
            ["parts"] = new JsonArray(e.Parts.Select(p => (JsonNode)new JsonObject
            {
                ["kind"] = JsonNamingPolicy.CamelCase.ConvertName(p.Kind.ToString()),
                ["load"] = p.Load,
                ["device"] = p.Device,
                ["mib"] = N(p.MiB),
                ["rule"] = p.Rule,
            }).ToArray()),
        };
        if (askedMaxCtx) json["maxCtx"] = maxCtx is { } m ? JsonValue.Create(m) : null;
        return json;
    }
}
