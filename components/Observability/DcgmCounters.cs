using System.Text;
using System.Text.RegularExpressions;

namespace Llmctl.Components.Observability;

/// <summary>How dcgm-exporter exposes a DCGM field: a Prometheus gauge or counter, or a label on every metric.</summary>
public enum DcgmMetricType
{
    Gauge,
    Counter,
    Label,
}

/// <summary>One line of dcgm-exporter's counters CSV: <c>DCGM field, Prometheus type, help</c>. The metric name is the field name.</summary>
public sealed partial record DcgmCounter(string Field, DcgmMetricType Type, string Help)
{
    /// <summary>A problem with this line, or null: dcgm-exporter refuses the whole file for one bad line.</summary>
    public string? Problem()
    {
        if (!FieldName().IsMatch(Field ?? "")) return $"'{Field}' is not a DCGM field name such as 'DCGM_FI_DEV_GPU_TEMP'";
        if (string.IsNullOrWhiteSpace(Help) || Help.IndexOfAny([',', '\n', '\r']) >= 0)
        {
            return $"the help text of {Field} must be one line without commas (the file is CSV)";
        }
        return null;
    }

    public string ToCsvLine() => $"{Field}, {Type.ToString().ToLowerInvariant()}, {Help}";

    [GeneratedRegex(@"^DCGM_(FI|EXP)_[A-Z0-9_]+$")]
    private static partial Regex FieldName();
}

/// <summary>
/// The counters llmctl's dcgm-exporter emits. dcgm-exporter reads one complete list (the file is not additive), so
/// <see cref="Defaults"/> repeats the chart's own list (dcgm-exporter 4.8.2 <c>etc/default-counters.csv</c>) and
/// <see cref="Platform"/> adds what seed 002 watches that the defaults leave out.
/// </summary>
public static class DcgmCounters
{
    public static IReadOnlyList<DcgmCounter> Defaults { get; } =
    [
        new("DCGM_FI_DEV_SM_CLOCK", DcgmMetricType.Gauge, "SM clock frequency (in MHz)."),
        new("DCGM_FI_DEV_MEM_CLOCK", DcgmMetricType.Gauge, "Memory clock frequency (in MHz)."),
        new("DCGM_FI_DEV_MEMORY_TEMP", DcgmMetricType.Gauge, "Memory temperature (in C)."),
        new("DCGM_FI_DEV_GPU_TEMP", DcgmMetricType.Gauge, "GPU temperature (in C)."),
        new("DCGM_FI_DEV_POWER_USAGE", DcgmMetricType.Gauge, "Power draw (in W)."),
        new("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", DcgmMetricType.Counter, "Total energy consumption since boot (in mJ)."),
        new("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", DcgmMetricType.Counter, "Total number of PCIe retries."),
        new("DCGM_FI_DEV_GPU_UTIL", DcgmMetricType.Gauge, "GPU utilization (in %)."),
        new("DCGM_FI_DEV_MEM_COPY_UTIL", DcgmMetricType.Gauge, "Memory utilization (in %)."),
        new("DCGM_FI_DEV_ENC_UTIL", DcgmMetricType.Gauge, "Encoder utilization (in %)."),
        new("DCGM_FI_DEV_DEC_UTIL", DcgmMetricType.Gauge, "Decoder utilization (in %)."),
        new("DCGM_FI_DEV_XID_ERRORS", DcgmMetricType.Gauge, "Value of the last XID error encountered."),
        new("DCGM_FI_DEV_FB_FREE", DcgmMetricType.Gauge, "Framebuffer memory free (in MiB)."),
        new("DCGM_FI_DEV_FB_USED", DcgmMetricType.Gauge, "Framebuffer memory used (in MiB)."),
        new("DCGM_FI_DEV_FB_RESERVED", DcgmMetricType.Gauge, "Framebuffer memory reserved (in MiB)."),
        new("DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", DcgmMetricType.Counter, "Total number of NVLink bandwidth counters for all lanes."),
        new("DCGM_FI_DEV_VGPU_LICENSE_STATUS", DcgmMetricType.Gauge, "vGPU License status"),
        new("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", DcgmMetricType.Counter, "Number of remapped rows for uncorrectable errors"),
        new("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", DcgmMetricType.Counter, "Number of remapped rows for correctable errors"),
        new("DCGM_FI_DEV_ROW_REMAP_FAILURE", DcgmMetricType.Gauge, "Whether remapping of rows has failed"),
        // Profiling (DCP) fields need SYS_ADMIN (the chart's default securityContext); most GeForce cards do not have them.
        new("DCGM_FI_PROF_GR_ENGINE_ACTIVE", DcgmMetricType.Gauge, "Ratio of time the graphics engine is active."),
        new("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", DcgmMetricType.Gauge, "Ratio of cycles the tensor (HMMA) pipe is active."),
        new("DCGM_FI_PROF_DRAM_ACTIVE", DcgmMetricType.Gauge, "Ratio of cycles the device memory interface is active sending or receiving data."),
        new("DCGM_FI_PROF_PCIE_TX_BYTES", DcgmMetricType.Counter, "The number of bytes of active pcie tx data including both header and payload."),
        new("DCGM_FI_PROF_PCIE_RX_BYTES", DcgmMetricType.Counter, "The number of bytes of active pcie rx data including both header and payload."),
        new("DCGM_FI_DRIVER_VERSION", DcgmMetricType.Label, "Driver Version"),
    ];

    /// <summary>
    /// Throttling and PCIe link signals (seed 002: "PCIe counters … throttling signals"). The clock-event bitmask is
    /// field 112: DCGM 3.3 renamed <c>DCGM_FI_DEV_CLOCK_THROTTLE_REASONS</c> to <c>DCGM_FI_DEV_CLOCKS_EVENT_REASONS</c>;
    /// go-dcgm accepts both names for the same field and dcgm-exporter names the metric after the one in the file,
    /// so only the current name is listed (listing both would emit field 112 twice).
    /// </summary>
    public static IReadOnlyList<DcgmCounter> Platform { get; } =
    [
        new("DCGM_FI_DEV_CLOCKS_EVENT_REASONS", DcgmMetricType.Gauge, "Current clock event (throttle) reasons as an NVML bitmask."),
        new("DCGM_FI_DEV_POWER_VIOLATION", DcgmMetricType.Counter, "Throttling duration due to power constraints (in us)."),
        new("DCGM_FI_DEV_THERMAL_VIOLATION", DcgmMetricType.Counter, "Throttling duration due to thermal constraints (in us)."),
        new("DCGM_FI_DEV_PCIE_LINK_GEN", DcgmMetricType.Gauge, "PCIe link generation."),
        new("DCGM_FI_DEV_PCIE_LINK_WIDTH", DcgmMetricType.Gauge, "PCIe link width (lanes)."),
    ];

    /// <summary>The CSV file: <see cref="Defaults"/>, <see cref="Platform"/>, then <paramref name="extra"/>, each field once.</summary>
    public static string Csv(IEnumerable<DcgmCounter> extra)
    {
        ArgumentNullException.ThrowIfNull(extra);
        var text = new StringBuilder()
            .Append("# Written by llmctl (DcgmExporter). Format: DCGM field, Prometheus type, help.\n")
            .Append("# The list is complete: dcgm-exporter emits exactly these.\n");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var counter in Defaults.Concat(Platform).Concat(extra))
        {
            if (seen.Add(counter.Field)) text.Append(counter.ToCsvLine()).Append('\n');
        }
        return text.ToString();
    }
}
