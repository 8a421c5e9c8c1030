namespace Llmctl.Fit.Estimate;

/// <summary>What a number in the breakdown is.</summary>
public enum FitPartKind
{
    /// <summary>Model weights in GPU memory.</summary>
    WeightsGpu,
    /// <summary>Model weights kept in host memory (token embedding, CPU layers, offloaded experts); not counted against the GPU.</summary>
    WeightsHost,
    /// <summary>KV cache of full-attention layers.</summary>
    Kv,
    /// <summary>KV cache of sliding-window layers.</summary>
    KvSwa,
    /// <summary>Recurrent (SSM / linear-attention) state, per sequence.</summary>
    Recurrent,
    /// <summary>The compute buffer (the graph's scratch for one ubatch).</summary>
    Compute,
    /// <summary>What the process takes outside the model: CUDA context, cuBLAS workspace, the memory pool.</summary>
    Overhead,
    /// <summary>vLLM: what the engine reserves beyond its own needs (its KV block pool fills the reservation).</summary>
    Reservation,
}

/// <summary>One number of the breakdown: which load and GPU it belongs to, its size, and the rule it came from.</summary>
public sealed record FitPart(FitPartKind Kind, string Load, int Device, double MiB, string Rule)
{
    public bool OnGpu => Kind != FitPartKind.WeightsHost;
}

public enum FitVerdict
{
    /// <summary>The total plus the margin fits the budget.</summary>
    Fits,
    /// <summary>It fits, but leaves less than the margin free (llama.cpp's <c>--fit</c> would shrink something).</summary>
    InsideMargin,
    /// <summary>The total exceeds the budget.</summary>
    DoesNotFit,
    /// <summary>The settings are refused by the server before any memory is taken (e.g. quantized V without flash attention).</summary>
    Refused,
}

/// <summary>The per-GPU totals when a lane spans several GPUs (layer split).</summary>
public sealed record FitDevice(int Index, double TotalMiB, double BudgetMiB)
{
    public double HeadroomMiB => BudgetMiB - TotalMiB;
}

/// <summary>
/// The estimate for one GPU (or one multi-GPU lane): every part with its rule, the totals, the budget and the verdict.
/// Totals are GPU memory (MiB = 2^20 B); <see cref="WeightsHostMiB"/> is host memory and not part of <see cref="TotalMiB"/>.
/// With several GPUs, <see cref="TotalMiB"/> and <see cref="BudgetMiB"/> are those of the fullest GPU.
/// </summary>
public sealed record FitEstimate
{
    public required string Subject { get; init; }
    public required FitGpu Gpu { get; init; }
    public required IReadOnlyList<FitPart> Parts { get; init; }
    public required IReadOnlyList<FitDevice> Devices { get; init; }
    public required double MarginMiB { get; init; }
    /// <summary>Why the server would refuse these settings; a non-empty list makes the verdict <see cref="FitVerdict.Refused"/>.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
    /// <summary>Why it does not fit although the GPU total may be below the budget (vLLM: weights and one sequence exceed its reservation).</summary>
    public IReadOnlyList<string> Shortfalls { get; init; } = [];
    /// <summary>Facts about the sizing worth saying (the context actually allocated, cells per stream, placement).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    private double Sum(FitPartKind kind) => Parts.Where(p => p.Kind == kind).Sum(p => p.MiB);

    public double WeightsGpuMiB => Sum(FitPartKind.WeightsGpu);
    public double WeightsHostMiB => Sum(FitPartKind.WeightsHost);
    /// <summary>Full-attention and sliding-window KV together.</summary>
    public double KvMiB => Sum(FitPartKind.Kv) + Sum(FitPartKind.KvSwa);
    public double KvSwaMiB => Sum(FitPartKind.KvSwa);
    public double RecurrentMiB => Sum(FitPartKind.Recurrent);
    public double ComputeMiB => Sum(FitPartKind.Compute);
    public double OverheadMiB => Sum(FitPartKind.Overhead) + Sum(FitPartKind.Reservation);

    private FitDevice Fullest => Devices.OrderBy(d => d.HeadroomMiB).First();
    public double TotalMiB => Fullest.TotalMiB;
    public double BudgetMiB => Fullest.BudgetMiB;
    public double HeadroomMiB => Fullest.HeadroomMiB;

    public FitVerdict Verdict =>
        Problems.Count > 0 ? FitVerdict.Refused
        : HeadroomMiB < 0 || Shortfalls.Count > 0 ? FitVerdict.DoesNotFit
        : HeadroomMiB < MarginMiB ? FitVerdict.InsideMargin
        : FitVerdict.Fits;

    /// <summary>The verdict as output shows it (<c>fits</c>, <c>inside margin</c>, <c>does not fit</c>, <c>refused</c>).</summary>
    public string VerdictText => Verdict switch
    {
        FitVerdict.Fits => "fits",
        FitVerdict.InsideMargin => "inside margin",
        FitVerdict.DoesNotFit => "does not fit",
        _ => "refused",
    };
}
