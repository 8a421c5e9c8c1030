namespace Llmctl.Components.Models;

/// <summary>
/// The ranges llmctl accepts for the numbers every model server takes, checked by each lane's validation so a value out
/// of range is a configuration error at its key, never an overflow or an absurd estimate later. The bounds are the
/// servers' own where they have one and otherwise far beyond any real deployment:
/// <list type="bullet">
/// <item>context (<c>--ctx-size</c>, <c>--max-model-len</c>, <c>OLLAMA_CONTEXT_LENGTH</c>): 1 to 2^24 tokens, above the
/// longest trained context of any released model (Llama 4 Scout's 10M); llama.cpp keeps it in a uint32 but multiplies
/// it by the slots, and Ollama passes context x parallel to its runner's <c>-c</c>, so that product is bounded too;</item>
/// <item>parallel slots (<c>--parallel</c>, <c>OLLAMA_NUM_PARALLEL</c>): 1 to 256, llama.cpp's <c>LLAMA_MAX_SEQ</c>
/// (src/llama-cparams.h; larger values fail with "n_seq_max must be &lt;= 256");</item>
/// <item>GPUs per lane: 1 to 64, the most a node may declare (<c>gpus.count</c>).</item>
/// </list>
/// </summary>
public static class ModelServerLimits
{
    public const int MaxContext = 1 << 24;
    public const int MaxParallel = 256;
    public const int MaxGpus = 64;

    /// <summary>Null when <paramref name="tokens"/> is a usable context, else what is wrong.</summary>
    public static string? ContextProblem(long tokens) => tokens switch
    {
        <= 0 => $"must be greater than 0, not {tokens}",
        > MaxContext => $"{tokens} tokens is beyond any model's context; use at most {MaxContext} (2^24)",
        _ => null,
    };

    /// <summary>Null when <paramref name="slots"/> is a usable number of parallel slots, else what is wrong.</summary>
    public static string? ParallelProblem(int slots) => slots is >= 1 and <= MaxParallel
        ? null
        : $"must be between 1 and {MaxParallel} (llama.cpp's limit on parallel sequences), not {slots}";

    /// <summary>Null when <paramref name="gpus"/> is a usable number of GPUs for one lane, else what is wrong.</summary>
    public static string? GpuCountProblem(int gpus) => gpus is >= 1 and <= MaxGpus
        ? null
        : $"must be between 1 and {MaxGpus}, not {gpus}";
}
