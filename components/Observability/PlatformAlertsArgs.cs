using Llmctl.Components.Gpu;

namespace Llmctl.Components.Observability;

/// <summary>Thresholds for the platform alerts; the defaults fit one 24 GB card serving one lane (seed 002).</summary>
public sealed record PlatformAlertsArgs
{
    /// <summary>Where the PrometheusRule lives (kube-prometheus-stack selects rules in every namespace).</summary>
    public string Namespace { get; init; } = "monitoring";
    public string PrometheusRelease { get; init; } = KubePrometheusStack.DefaultReleaseName;
    /// <summary>Whose GPUs the "one GPU LLM pod per GPU" rule counts (<c>nvidia.com/gpu</c> or <c>amd.com/gpu</c>).</summary>
    public GpuVendor Vendor { get; init; } = GpuVendor.Nvidia;
    /// <summary>Framebuffer used / (used + free) above which VRAM counts as full. llama.cpp allocates its KV cache up front, so a loaded lane sits high on purpose.</summary>
    public double VramUsedRatio { get; init; } = 0.95;
    public int GpuTemperatureCelsius { get; init; } = 85;
    /// <summary>Failed / total gateway requests over 5 minutes.</summary>
    public double GatewayErrorRatio { get; init; } = 0.05;
    /// <summary>p95 time to first token at the gateway; seed 002 measured about 17 s cold at 30K context.</summary>
    public TimeSpan TtftP95 { get; init; } = TimeSpan.FromSeconds(20);
}
