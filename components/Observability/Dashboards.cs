using Llmctl.Components.Gpu;

namespace Llmctl.Components.Observability;

/// <summary>
/// The two dashboards of seed 002. Queries use only what the exporters emit: dcgm-exporter's fields as
/// <see cref="DcgmCounters"/> configures them (labels <c>gpu</c>, <c>Hostname</c>), llama-server's <c>llamacpp:*</c>
/// (with the <c>model</c> label <see cref="LlamaCppServiceMonitor"/> sets), LiteLLM's <c>litellm_*</c> in their
/// exposition form (<c>_total</c> counters, <c>_bucket</c> histograms) and kube-state-metrics.
/// </summary>
public static class Dashboards
{
    private const string Gpu = "{{Hostname}} gpu{{gpu}}";
    private static readonly string GpuLlm = $"kube_pod_labels{{{ObservabilityLabels.GpuLlmPromLabel}=\"{ObservabilityLabels.GpuLlmValue}\"}}";
    private const string VramRatio = "DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)";
    private const string AmdGpu = "{{hostname}} gpu{{gpu_id}}";
    private const string AmdVramRatio = "gpu_used_vram / gpu_total_vram";

    public static GrafanaDashboard DcgmOverview { get; } = new(
        "llmctl-gpu-dcgm-overview",
        "GPU / NVIDIA DCGM Overview",
        ["gpu", "nvidia", "dcgm", "llmctl"],
        [
            new Panel("GPU utilization", PanelType.Timeseries, "percent", [new("DCGM_FI_DEV_GPU_UTIL", Gpu)]) { Min = 0, Max = 100 },
            new Panel("Memory copy utilization", PanelType.Timeseries, "percent", [new("DCGM_FI_DEV_MEM_COPY_UTIL", Gpu)]) { Min = 0, Max = 100 },
            new Panel("Framebuffer used / free", PanelType.Timeseries, "mbytes",
                [new("DCGM_FI_DEV_FB_USED", "used " + Gpu), new("DCGM_FI_DEV_FB_FREE", "free " + Gpu)]),
            new Panel("VRAM in use", PanelType.Gauge, "percentunit", [new(VramRatio, Gpu)])
            {
                Description = "Framebuffer used / (used + free). A loaded llama.cpp lane holds its KV cache up front, so this is high even when the GPU is idle.",
                Width = 6, Min = 0, Max = 1,
            },
            new Panel("Last Xid error", PanelType.Stat, "none", [new("DCGM_FI_DEV_XID_ERRORS", Gpu)])
            {
                Description = "The last Xid the driver logged; 0 when none.",
                Width = 6,
            },
            new Panel("Temperature", PanelType.Timeseries, "celsius",
                [new("DCGM_FI_DEV_GPU_TEMP", "gpu " + Gpu), new("DCGM_FI_DEV_MEMORY_TEMP", "memory " + Gpu)]),
            new Panel("Power draw", PanelType.Timeseries, "watt", [new("DCGM_FI_DEV_POWER_USAGE", Gpu)]),
            new Panel("Clocks (MHz)", PanelType.Timeseries, "none",
                [new("DCGM_FI_DEV_SM_CLOCK", "SM " + Gpu), new("DCGM_FI_DEV_MEM_CLOCK", "memory " + Gpu)]),
            new Panel("Clock event (throttle) reasons", PanelType.Timeseries, "none", [new("DCGM_FI_DEV_CLOCKS_EVENT_REASONS", Gpu)])
            {
                Description = "NVML clock event bitmask: 0x4 software power cap, 0x8 hardware slowdown, 0x20 software thermal, 0x40 hardware thermal, 0x80 power brake. 0x1 (idle) is normal.",
            },
            new Panel("Time throttled", PanelType.Timeseries, "percentunit",
            [
                new("rate(DCGM_FI_DEV_POWER_VIOLATION[5m]) / 1e6", "power " + Gpu),
                new("rate(DCGM_FI_DEV_THERMAL_VIOLATION[5m]) / 1e6", "thermal " + Gpu),
            ]) { Description = "Share of wall time the clocks were held down (DCGM counts microseconds)." },
            // DCGM reports the PCIe profiling fields as bytes per second already.
            new Panel("PCIe throughput", PanelType.Timeseries, "Bps",
                [new("DCGM_FI_PROF_PCIE_TX_BYTES", "tx " + Gpu), new("DCGM_FI_PROF_PCIE_RX_BYTES", "rx " + Gpu)]),
            new Panel("PCIe link", PanelType.Stat, "none",
                [new("DCGM_FI_DEV_PCIE_LINK_GEN", "gen " + Gpu), new("DCGM_FI_DEV_PCIE_LINK_WIDTH", "width x " + Gpu)]) { Width = 6 },
            new Panel("PCIe replays (1h)", PanelType.Stat, "none", [new("increase(DCGM_FI_DEV_PCIE_REPLAY_COUNTER[1h])", Gpu)]) { Width = 6 },
            new Panel("Tensor / DRAM activity", PanelType.Timeseries, "percentunit",
            [
                new("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "tensor " + Gpu),
                new("DCGM_FI_PROF_DRAM_ACTIVE", "dram " + Gpu),
            ]) { Description = "Profiling fields; empty on GPUs without DCP support (most GeForce cards)." },
            new Panel("Energy (1h)", PanelType.Stat, "kwatth", [new("increase(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION[1h]) / 3.6e9", Gpu)])
            {
                Description = "DCGM counts millijoules; 3.6e9 mJ = 1 kWh.",
                Width = 6,
            },
        ]);

    public static GrafanaDashboard InferenceOverview { get; } = Inference(GpuVendor.Nvidia);

    /// <summary>The inference overview with the GPU panels of <paramref name="vendor"/>'s exporter.</summary>
    public static GrafanaDashboard Inference(GpuVendor vendor) => new(
        "llmctl-ai-inference-overview",
        "AI / Inference Operational Overview",
        ["ai", "llm", "llmctl"],
        [
            new Panel("Running GPU LLM pods", PanelType.Stat, "none",
                [new($"count((kube_pod_status_phase{{phase=\"Running\"}} == 1) and on (namespace, pod) {GpuLlm}) or vector(0)", "running")])
            { Description = "The contract is exactly one per GPU.", Width = 6 },
            new Panel("Pending GPU LLM pods", PanelType.Stat, "none",
                [new($"count((kube_pod_status_phase{{phase=\"Pending\"}} == 1) and on (namespace, pod) {GpuLlm}) or vector(0)", "pending")])
            { Description = "The contract is none.", Width = 6 },
            vendor == GpuVendor.Amd
                ? new Panel("GPUs reporting (AMD exporter)", PanelType.Stat, "none", [new("count(gpu_gfx_activity) or vector(0)", "GPUs")]) { Width = 6 }
                : new Panel("GPUs reporting (DCGM)", PanelType.Stat, "none", [new("count(DCGM_FI_DEV_GPU_TEMP) or vector(0)", "GPUs")]) { Width = 6 },
            new Panel("VRAM in use", PanelType.Stat, "percentunit", [vendor == GpuVendor.Amd ? new(AmdVramRatio, AmdGpu) : new(VramRatio, Gpu)]) { Width = 6, Min = 0, Max = 1 },
            new Panel("Generated tokens/s", PanelType.Timeseries, "none", [new("sum by (model) (rate(llamacpp:tokens_predicted_total[5m]))", "{{model}}")]),
            new Panel("Prompt tokens/s", PanelType.Timeseries, "none", [new("sum by (model) (rate(llamacpp:prompt_tokens_total[5m]))", "{{model}}")]),
            new Panel("Requests in flight / deferred", PanelType.Timeseries, "none",
            [
                new("sum by (model) (llamacpp:requests_processing)", "processing {{model}}"),
                new("sum by (model) (llamacpp:requests_deferred)", "deferred {{model}}"),
            ]) { Description = "Deferred requests wait for a free slot (--parallel)." },
            new Panel("GPU utilization", PanelType.Timeseries, "percent", [vendor == GpuVendor.Amd ? new("gpu_gfx_activity", AmdGpu) : new("DCGM_FI_DEV_GPU_UTIL", Gpu)]) { Min = 0, Max = 100 },
            new Panel("Gateway requests/s", PanelType.Timeseries, "reqps",
            [
                new("sum(rate(litellm_proxy_total_requests_metric_total[5m]))", "all"),
                new("sum(rate(litellm_proxy_failed_requests_metric_total[5m]))", "failed"),
            ]),
            new Panel("Gateway error ratio", PanelType.Timeseries, "percentunit",
                [new("sum(rate(litellm_proxy_failed_requests_metric_total[5m])) / sum(rate(litellm_proxy_total_requests_metric_total[5m]))", "failed / all")])
            { Min = 0 },
            new Panel("Time to first token p95", PanelType.Timeseries, "s",
                [new("histogram_quantile(0.95, sum by (le, model) (rate(litellm_llm_api_time_to_first_token_metric_bucket[10m])))", "{{model}}")]),
            new Panel("Request latency p95", PanelType.Timeseries, "s",
                [new("histogram_quantile(0.95, sum by (le, model) (rate(litellm_request_total_latency_metric_bucket[10m])))", "{{model}}")]),
            new Panel("Model pod restarts (1h)", PanelType.Timeseries, "none",
                [new($"sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total[1h]) and on (namespace, pod) {GpuLlm})", "{{namespace}}/{{pod}}")])
            { Width = 24 },
        ]);

    /// <summary>
    /// AMD GPUs through ROCm's device-metrics exporter (reference §3.2: lowercase field names, labels
    /// <c>hostname</c> and <c>gpu_id</c>, VRAM in MB; edge temperature on APUs and MI2xx, junction on MI3xx).
    /// </summary>
    public static GrafanaDashboard AmdOverview { get; } = new(
        "llmctl-gpu-amd-overview",
        "GPU / AMD Device Metrics Overview",
        ["gpu", "amd", "rocm", "llmctl"],
        [
            new Panel("GPU (GFX) activity", PanelType.Timeseries, "percent", [new("gpu_gfx_activity", AmdGpu)]) { Min = 0, Max = 100 },
            new Panel("Memory controller activity", PanelType.Timeseries, "percent", [new("gpu_umc_activity", AmdGpu)]) { Min = 0, Max = 100 },
            new Panel("VRAM used / total", PanelType.Timeseries, "mbytes",
                [new("gpu_used_vram", "used " + AmdGpu), new("gpu_total_vram", "total " + AmdGpu)]),
            new Panel("VRAM in use", PanelType.Timeseries, "percentunit", [new(AmdVramRatio, AmdGpu)]) { Min = 0, Max = 1 },
            new Panel("Temperature", PanelType.Timeseries, "celsius",
                [new("gpu_edge_temperature", "edge " + AmdGpu), new("gpu_junction_temperature", "junction " + AmdGpu)]),
            new Panel("Power", PanelType.Timeseries, "watt",
                [new("gpu_package_power", "package " + AmdGpu), new("gpu_power_usage", "usage " + AmdGpu)]),
        ]);

    /// <summary>The dashboards for a stack with GPUs of <paramref name="vendors"/>: one GPU overview per vendor and the inference overview.</summary>
    public static IReadOnlyList<GrafanaDashboard> For(IReadOnlyCollection<GpuVendor> vendors)
    {
        ArgumentNullException.ThrowIfNull(vendors);
        var list = new List<GrafanaDashboard>();
        if (vendors.Contains(GpuVendor.Nvidia) || vendors.Count == 0) list.Add(DcgmOverview);
        if (vendors.Contains(GpuVendor.Amd)) list.Add(AmdOverview);
        // One inference overview: its GPU panels follow the first vendor (NVIDIA when both are present).
        list.Add(vendors.Contains(GpuVendor.Nvidia) || vendors.Count == 0 ? InferenceOverview : Inference(GpuVendor.Amd));
        return list;
    }

    public static IReadOnlyList<GrafanaDashboard> All { get; } = [DcgmOverview, InferenceOverview];
}
