using System.Globalization;
using Llmctl.Components.Gpu;
using Llmctl.Stacks.Config;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Infra.Switching;

/// <summary>
/// One lane's recorded acceptance evidence, <c>evidence/&lt;stack&gt;/&lt;lane&gt;.yaml</c> (written by hand today, by
/// <c>llmctl bench</c> later). Keys: <c>lane</c>, <c>hardware</c> (a hardware-catalog key), <c>result</c>
/// (<c>pass</c> or <c>fail</c>), <c>ctxSize</c>, <c>peakVramMiB</c>, and optionally <c>recorded</c>, <c>notes</c>
/// and measurements (<c>tokensPerSecond</c>, <c>ttftSeconds</c>) that preflight does not judge. The lane settings the
/// measurement ran with may be recorded too (<c>parallel</c>, <c>cacheTypeK</c>, <c>cacheTypeV</c>, <c>image</c>,
/// <c>modelRef</c>); with <c>ctxSize</c> and <c>hardware</c> they decide whether the evidence is stale
/// (<see cref="AcceptanceEvidence.Changes"/>). Unknown keys are kept for the reader; a file that cannot be read is a
/// [WARN], never a crash.
/// </summary>
public sealed record EvidenceRecord(string? Lane, string? Hardware, string? Result, int? CtxSize, int? PeakVramMiB, string? Recorded, string? Notes);

public sealed class AcceptanceEvidence
{
    private readonly string _path;
    private readonly string? _error;

    /// <summary>The lane settings an evidence file may record besides <c>ctxSize</c>, and how the stack file's lane gives each.</summary>
    private static readonly (string Key, Func<LaneConfig, string?> Value)[] SettingKeys =
    [
        ("parallel", l => l.Parallel.ToString(CultureInfo.InvariantCulture)),
        ("cacheTypeK", l => l.CacheTypeK),
        ("cacheTypeV", l => l.CacheTypeV),
        ("image", l => l.Image),
        ("modelRef", l => l.ModelRef),
    ];

    private AcceptanceEvidence(string path, EvidenceRecord? record, string? error, IReadOnlyDictionary<string, string>? settings = null)
    {
        _path = path;
        Record = record;
        _error = error;
        Settings = settings ?? new Dictionary<string, string>();
    }

    public EvidenceRecord? Record { get; }

    /// <summary>The file's path relative to the project (<c>evidence/homelab/fast.yaml</c>).</summary>
    public string DisplayPath => _path;

    /// <summary>Why the file could not be read; null when it was read or is absent.</summary>
    public string? Error => _error;

    /// <summary>The optional lane settings the file records (<c>parallel</c>, <c>cacheTypeK</c>, …), by key.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>
    /// What differs between the recorded run and the lane as the stack file has it now, as <c>key recorded -> now</c>
    /// (hardware against the node's hardware key, <c>ctxSize</c>, and each recorded setting); empty when none does or no
    /// evidence is recorded. Keys the file does not record are not compared.
    /// </summary>
    public IReadOnlyList<string> Changes(LaneConfig lane, string? hardware)
    {
        ArgumentNullException.ThrowIfNull(lane);
        if (Record is not { } r) return [];
        var changes = new List<string>();
        if (hardware is not null && r.Hardware is not null && r.Hardware != hardware) changes.Add($"hardware {r.Hardware} -> {hardware}");
        if (r.CtxSize is { } ctx && ctx != lane.CtxSize) changes.Add($"ctxSize {ctx} -> {lane.CtxSize}");
        foreach (var (key, value) in SettingKeys)
        {
            if (Settings.TryGetValue(key, out var recorded) && value(lane) is var now && !string.Equals(recorded, now, StringComparison.Ordinal))
            {
                changes.Add($"{key} {recorded} -> {now ?? "(none)"}");
            }
        }
        return changes;
    }

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
            var settings = SettingKeys.Select(k => (k.Key, Value: Text(k.Key))).Where(k => k.Value is not null).ToDictionary(k => k.Key, k => k.Value!, StringComparer.Ordinal);
            return new AcceptanceEvidence(shown, new EvidenceRecord(Text("lane"), Text("hardware"), Text("result"), Int("ctxSize"), Int("peakVramMiB"), Text("recorded"), Text("notes")), null, settings);
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
        if (Changes(lane, hardware: null) is { Count: > 0 } changed)
        {
            return new PreflightCheck("validation_status", PreflightStatus.Warn, $"the evidence was recorded with other settings ({string.Join(", ", changed)}); measure it again");
        }
        if (gpu is not null && r.PeakVramMiB is { } peak && peak > gpu.VramMiB)
        {
            return new PreflightCheck("validated_live_peak", PreflightStatus.Block, $"the recorded peak of {peak} MiB is more than the {gpu.VramMiB} MiB the GPU has");
        }
        return new PreflightCheck("validated_live_peak", PreflightStatus.Pass,
            $"lane has acceptance evidence on this GPU{(r.PeakVramMiB is { } p ? $" (peak {p} MiB" + (gpu is null ? ")" : $" of {gpu.VramMiB} MiB)") : "")}{(r.Recorded is null ? "" : $", recorded {r.Recorded}")}");
    }
}
