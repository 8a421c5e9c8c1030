using System.Globalization;
using Llmctl.Components.Gpu;
using Llmctl.Stacks.Config;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Infra.Switching;

/// <summary>
/// One lane's recorded acceptance evidence, <c>evidence/&lt;stack&gt;/&lt;lane&gt;.yaml</c> (written by hand today, by
/// <c>llmctl bench</c> later). Keys: <c>lane</c>, <c>hardware</c> (a hardware-catalog key), <c>result</c>
/// (<c>pass</c> or <c>fail</c>), <c>ctxSize</c>, <c>peakVramMiB</c>, and optionally <c>recorded</c>, <c>notes</c>
/// and measurements (<c>tokensPerSecond</c>, <c>ttftSeconds</c>) that preflight does not judge. Unknown keys are kept
/// for the reader; a file that cannot be read is a [WARN], never a crash.
/// </summary>
public sealed record EvidenceRecord(string? Lane, string? Hardware, string? Result, int? CtxSize, int? PeakVramMiB, string? Recorded, string? Notes);

public sealed class AcceptanceEvidence
{
    private readonly string _path;
    private readonly string? _error;

    private AcceptanceEvidence(string path, EvidenceRecord? record, string? error)
    {
        _path = path;
        Record = record;
        _error = error;
    }

    public EvidenceRecord? Record { get; }

    public static string PathFor(string projectDirectory, string stack, string lane) => Path.Combine(projectDirectory, "evidence", stack, lane + ".yaml");

    public static AcceptanceEvidence Load(string projectDirectory, string stack, string lane)
    {
        var path = PathFor(projectDirectory, stack, lane);
        var shown = Path.Combine("evidence", stack, lane + ".yaml");
        if (!File.Exists(path)) return new AcceptanceEvidence(shown, null, null);
        try
        {
            var yaml = new YamlStream();
            using (var reader = new StreamReader(path)) yaml.Load(reader);
            if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode map)
            {
                return new AcceptanceEvidence(shown, null, "it is not a map of keys");
            }
            string? Text(string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;
            int? Int(string key) => int.TryParse(Text(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
            return new AcceptanceEvidence(shown, new EvidenceRecord(Text("lane"), Text("hardware"), Text("result"), Int("ctxSize"), Int("peakVramMiB"), Text("recorded"), Text("notes")), null);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            return new AcceptanceEvidence(shown, null, $"line {ex.Start.Line}: {ex.Message}");
        }
    }

    /// <summary>The evidence check: PASS for a passing record on this hardware at this context, WARN when absent or stale, BLOCK when it failed.</summary>
    public PreflightCheck Check(LaneConfig lane, NodeGpu? gpu)
    {
        if (_error is not null) return new PreflightCheck("validation_status", PreflightStatus.Warn, $"{_path} cannot be read ({_error}); fix it or remove it");
        if (Record is not { } r) return new PreflightCheck("validation_status", PreflightStatus.Warn, $"no successful load/serve validation is recorded ({_path})");
        if (r.Lane is not null && r.Lane != lane.Name)
        {
            return new PreflightCheck("validation_status", PreflightStatus.Warn, $"{_path} records lane '{r.Lane}', not '{lane.Name}'");
        }
        if (!string.Equals(r.Result, "pass", StringComparison.OrdinalIgnoreCase))
        {
            return new PreflightCheck("validation_status", PreflightStatus.Block,
                $"the recorded validation did not pass (result: {r.Result ?? "missing"}{(r.Notes is null ? "" : $"; {r.Notes}")})");
        }
        if (gpu is not null && r.Hardware is not null && r.Hardware != gpu.Model)
        {
            return new PreflightCheck("validation_status", PreflightStatus.Warn, $"the evidence was recorded on {r.Hardware}, and this node has {gpu.Model}; measure it again here");
        }
        if (r.CtxSize is { } ctx && ctx != lane.CtxSize)
        {
            return new PreflightCheck("validation_status", PreflightStatus.Warn, $"the evidence was recorded at ctx={ctx}, and the lane now asks for ctx={lane.CtxSize}; measure it again");
        }
        if (gpu is not null && r.PeakVramMiB is { } peak && peak > gpu.VramMiB)
        {
            return new PreflightCheck("validated_live_peak", PreflightStatus.Block, $"the recorded peak of {peak} MiB is more than the {gpu.VramMiB} MiB the GPU has");
        }
        return new PreflightCheck("validated_live_peak", PreflightStatus.Pass,
            $"lane has acceptance evidence on this GPU{(r.PeakVramMiB is { } p ? $" (peak {p} MiB" + (gpu is null ? ")" : $" of {gpu.VramMiB} MiB)") : "")}{(r.Recorded is null ? "" : $", recorded {r.Recorded}")}");
    }
}
