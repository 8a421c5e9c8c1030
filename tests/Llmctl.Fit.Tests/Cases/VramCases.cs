using System.Globalization;
using Llmctl.Fit.Estimate;
using Llmctl.Fit.Facts;

namespace Llmctl.Fit.Tests.Cases;

/// <summary>One measured figure of a case and the estimate it is compared with.</summary>
internal sealed record CaseRow(string CaseId, string Figure, double EstimateMiB, double MeasuredMiB, string Compared, FitEstimate Estimate)
{
    public double ErrorPercent => (EstimateMiB - MeasuredMiB) / MeasuredMiB * 100;

    /// <summary>The bar: within 5 % and never under by more than 3 %.</summary>
    public bool MeetsBar => ErrorPercent is <= 5 and >= -3;

    public string TableLine => string.Create(CultureInfo.InvariantCulture,
        $"| {CaseId} | {Figure} | {EstimateMiB:0.0} | {MeasuredMiB:0.0} | {ErrorPercent:+0.0;-0.0;0.0} % | {Compared} |");
}

/// <summary>
/// The cases of vram-cases.yaml as estimator inputs: the settings each case states, the model facts of
/// <see cref="PublicModels"/>, and which estimate figure its measurement is compared with. The measured values are read
/// from the YAML by the tests; this class only says what to estimate.
/// </summary>
internal static class VramCases
{
    private const double MB = 1_000_000.0 / (1024 * 1024);

    internal static FitEstimate Estimate(string name, ModelFacts facts, FitSettings settings, FitGpu gpu) =>
        FitEstimator.Estimate(new FitLoad(name, new ModelFactsRef(name, facts), settings), gpu);

    internal static readonly FitGpu RtxPro4000 = new() { Name = "NVIDIA RTX PRO 4000 Blackwell SFF", MiBPerGpu = 24467 };
    internal static readonly FitGpu Rtx4090 = new() { Name = "NVIDIA GeForce RTX 4090", MiBPerGpu = 24077 };
    internal static readonly FitGpu Rtx4080 = new() { Name = "NVIDIA GeForce RTX 4080", MiBPerGpu = 16376 };
    internal static readonly FitGpu M4Max = new() { Name = "Apple M4 Max", MiBPerGpu = 36864, Backend = GpuBackend.Metal, UnifiedMemory = true };
    internal static readonly FitGpu Mi300X = new() { Name = "AMD Instinct MI300X", MiBPerGpu = 196592, Backend = GpuBackend.Rocm };

    internal static readonly FitSettings Qwen36Fast = new()
    {
        CtxSize = 49152, Parallel = 1, CacheTypeK = CacheType.Q8_0, CacheTypeV = CacheType.Q8_0, FlashAttention = true, GpuLayers = 999,
    };

    /// <summary>The rows compared for the case <paramref name="id"/>, given what the YAML measured.</summary>
    internal static IEnumerable<CaseRow> Rows(string id, IReadOnlyDictionary<string, double> measured)
    {
        switch (id)
        {
            case "qwen36-35b-a3b-q4km-ctx49152-rtxpro4000":
            {
                var e = Estimate("qwen36-35b-gguf-fast", PublicModels.Qwen36_35B_A3B_Q4KM(), Qwen36Fast, RtxPro4000);
                yield return new(id, "GPU total (nvidia-smi peak)", e.TotalMiB, measured["nvidia_smi_peak_mib"], "total", e);
                yield break;
            }
            case "qwen25-7b-q4km-ollama-m4":
                foreach (var p in new[] { 1, 2, 4 })
                {
                    var e = Estimate($"qwen2.5:7b np{p}", PublicModels.Qwen25_7B_Q4KM(),
                        new FitSettings { Runtime = FitRuntime.Ollama, CtxSize = 4096, Parallel = p, FlashAttention = true }, M4Max);
                    yield return new(id, $"Ollama size, num_parallel {p}", e.TotalMiB + e.WeightsHostMiB, measured[$"parallel_{p}"] * MB,
                        "total + weights on host (Ollama's size counts both; measured MB converted to MiB)", e);
                }
                yield break;
            case "qwen3-30b-a3b-f16-fit-rtx4090":
            {
                var settings = new FitSettings
                {
                    CtxSize = 4096, Parallel = 4, KvUnified = true, FlashAttention = true, GpuLayers = 48, NglCountsOutputFirst = false,
                    OverrideTensors = [@"blk\.(1[4-9]|[2-4][0-9])\.ffn_(up|down|gate)_(ch|)exps=CPU"],
                    ReservedOutputs = 512, // llama-fit-params uses llama.cpp as a library: one logit row per ubatch token
                };
                var e = Estimate("qwen_3-30b3a-f16", PublicModels.Qwen3_30B_A3B_F16(), settings, Rtx4090);
                yield return new(id, "CUDA0 self (model + context + compute)", e.TotalMiB - e.OverheadMiB, measured["cuda0_self_mib"], "total - overhead", e);
                yield break;
            }
            case "llama31-8b-q4km-ollama-cuda":
            {
                var e = Estimate("llama3.1:8b", PublicModels.Llama31_8B_Q4KM(),
                    new FitSettings { Runtime = FitRuntime.Ollama, CtxSize = 2048, Parallel = 4, FlashAttention = false }, RtxPro4000);
                yield return new(id, "CUDA0 model + KV + compute", e.TotalMiB - e.OverheadMiB,
                    measured["cuda0_model_mib"] + measured["kv_mib"] + measured["cuda0_compute_mib"], "total - overhead", e);
                yield break;
            }
            case "gemma4-12b-q4km-swa-kv":
            {
                var e = Estimate("gemma-4-12b", PublicModels.Gemma4_12B_Q4KM(),
                    new FitSettings { CtxSize = 262144, Parallel = 1, CacheTypeK = CacheType.Q8_0, CacheTypeV = CacheType.Q8_0, UBatch = 512 }, Rtx4080);
                yield return new(id, "CUDA0 model + KV (global + SWA)", e.WeightsGpuMiB + e.KvMiB,
                    measured["cuda0_model_mib"] + measured["kv_global_mib"] + measured["kv_swa_mib"], "weights on GPU + KV", e);
                yield break;
            }
            case "small-moe-compute-buffers-mi300x":
                foreach (var (model, facts) in new[] { ("OLMoE-1B-7B", PublicModels.Olmoe1B7B()), ("granite-3.0-3b-a800m", PublicModels.Granite3B800M()), ("Qwen3-0.6B", PublicModels.Qwen3_0_6B()) })
                {
                    var e = Estimate(model, facts, new FitSettings
                    {
                        CtxSize = 4096, Parallel = 1, CacheTypeK = CacheType.Q8_0, CacheTypeV = CacheType.Q8_0, FlashAttention = true, Batch = 2048, UBatch = 512,
                    }, Mi300X);
                    yield return new(id, $"{model} compute, full offload", e.ComputeMiB, measured[$"{model}.full"], "compute", e);
                }
                yield break;
            default:
                throw new InvalidOperationException($"vram-cases.yaml has a case this test does not know: '{id}'; add its settings and model facts");
        }
    }
}
