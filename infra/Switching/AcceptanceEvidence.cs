using System.Globalization;
using Llmctl.Components.Gpu;
using Llmctl.Stacks.Config;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Infra.Switching;

/// <summary>
/// The lane settings a measurement holds for: change any of them and the evidence is stale. The model's sha256 (from
/// <c>models.lock.yaml</c>; null while the lock has none), the file, the context, the KV cache types, the parallel
/// slots and the image (with its digest when pinned).
/// </summary>
public sealed record EvidenceSettings(string? ModelFile, string? ModelSha256, int CtxSize, string CacheTypeK, string CacheTypeV, int Parallel, string Image)
{
    /// <summary>The digest of <see cref="Image"/> (<c>sha256:…</c>), or null when the image is not pinned by digest.</summary>
    public string? ImageDigest => Image.IndexOf('@', StringComparison.Ordinal) is var at and >= 0 ? Image[(at + 1)..] : null;

    /// <summary>The lane's settings now; <paramref name="locks"/> gives the model's sha256 when the lane names a locked file.</summary>
    public static EvidenceSettings Of(LaneConfig lane, Fit.Lock.ModelLockFile? locks)
    {
        ArgumentNullException.ThrowIfNull(lane);
        var sha = lane.ModelRef is { } modelRef ? locks?.TryFind(modelRef)?.Sha256 : null;
        return new EvidenceSettings(lane.Model, string.IsNullOrEmpty(sha) ? null : sha, lane.CtxSize, lane.CacheTypeK, lane.CacheTypeV, lane.Parallel, lane.Image);
    }

    /// <summary>What changed from <paramref name="recorded"/> to this, one phrase each (<c>ctx 49152 → 65536</c>); empty when nothing did.</summary>
    public IReadOnlyList<string> ChangesSince(EvidenceSettings recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var changes = new List<string>();
        void Compare(string what, string? then, string? now)
        {
            if (!string.Equals(then, now, StringComparison.Ordinal)) changes.Add($"{what} {then ?? "none"} → {now ?? "none"}");
        }
        Compare("model", recorded.ModelFile, ModelFile);
        Compare("model sha256", Short(recorded.ModelSha256), Short(ModelSha256));
        Compare("ctx", recorded.CtxSize.ToString(CultureInfo.InvariantCulture), CtxSize.ToString(CultureInfo.InvariantCulture));
        Compare("cache types", $"{recorded.CacheTypeK}/{recorded.CacheTypeV}", $"{CacheTypeK}/{CacheTypeV}");
        Compare("parallel", recorded.Parallel.ToString(CultureInfo.InvariantCulture), Parallel.ToString(CultureInfo.InvariantCulture));
        Compare("image", Short(recorded.ImageDigest) ?? recorded.Image, Short(ImageDigest) ?? Image);
        return changes;
    }

    private static string? Short(string? digest) => digest is null ? null : digest.Length > 19 ? digest[..19] + "…" : digest;
}

/// <summary>
/// One lane's recorded acceptance evidence, <c>evidence/&lt;stack&gt;/&lt;lane&gt;.yaml</c>, written by
/// <c>llmctl bench --evidence</c> (or by hand). Keys preflight judges: <c>lane</c>, <c>hardware</c> (a hardware-catalog
/// key), <c>result</c> (<c>pass</c> or <c>fail</c>), <c>ctxSize</c>, <c>peakVramMiB</c>, and <c>settings</c> (what the
/// measurement holds for, <see cref="EvidenceSettings"/>: a change makes it stale); shown: <c>recorded</c>,
/// <c>notes</c>. The figures (<c>tokensPerSecond</c>, <c>ttftSeconds</c>, <c>scenarios</c>…) are for readers. A file
/// that cannot be read is a [WARN], never a crash. Format: docs/stacks.md, "Acceptance evidence".
/// </summary>
public sealed record EvidenceRecord(string? Lane, string? Hardware, string? Result, int? CtxSize, int? PeakVramMiB, string? Recorded, string? Notes)
{
    /// <summary>The settings it was measured with; null in a hand-written file that records none.</summary>
    public EvidenceSettings? Settings { get; init; }
}

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
            var record = new EvidenceRecord(Text(map, "lane"), Text(map, "hardware"), Text(map, "result"), Int(map, "ctxSize"), Int(map, "peakVramMiB"), Text(map, "recorded"), Text(map, "notes"))
            {
                Settings = map.Children.TryGetValue(new YamlScalarNode("settings"), out var s) && s is YamlMappingNode settings ? ReadSettings(settings) : null,
            };
            return new AcceptanceEvidence(shown, record, null);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            return new AcceptanceEvidence(shown, null, $"line {ex.Start.Line}: {ex.Message}");
        }
    }

    private static string? Text(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode { Value: { Length: > 0 } s } && s != "~" && s != "null" ? s : null;

    private static int? Int(YamlMappingNode map, string key) => int.TryParse(Text(map, key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>The <c>settings:</c> map; missing numbers read as 0 and missing texts as empty, so a partial map is stale, not a crash.</summary>
    private static EvidenceSettings ReadSettings(YamlMappingNode map) =>
        new(Text(map, "model"), Text(map, "modelSha256"), Int(map, "ctxSize") ?? 0, Text(map, "cacheTypeK") ?? "", Text(map, "cacheTypeV") ?? "", Int(map, "parallel") ?? 0, Text(map, "image") ?? "");

    /// <summary>The evidence check as before settings were recorded: it cannot tell a stale measurement but by its context.</summary>
    public PreflightCheck Check(LaneConfig lane, NodeGpu? gpu) => Check(lane, gpu, current: null);

    /// <summary>
    /// The evidence check: PASS for a passing record on this hardware with the lane's settings, WARN when absent or
    /// stale (another card, or <paramref name="current"/> differs from the recorded settings — the context alone when
    /// the file records none), BLOCK when it failed or its peak is more than the GPU has.
    /// </summary>
    public PreflightCheck Check(LaneConfig lane, NodeGpu? gpu, EvidenceSettings? current)
    {
        ArgumentNullException.ThrowIfNull(lane);
        if (_error is not null) return new PreflightCheck("validation_status", PreflightStatus.Warn, $"{_path} cannot be read ({_error}); fix it or remove it");
        if (Record is not { } r) return new PreflightCheck("validation_status", PreflightStatus.Warn, $"no successful load/serve validation is recorded ({_path}); record it with `llmctl bench --lane {lane.Name} --evidence`");
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
        if (current is not null && r.Settings is { } recorded && current.ChangesSince(recorded) is { Count: > 0 } changes)
        {
            return new PreflightCheck("validation_status", PreflightStatus.Warn,
                $"the evidence is stale: the lane changed since it was measured{(r.Recorded is null ? "" : $" ({r.Recorded})")}: {string.Join("; ", changes)}; measure it again with `llmctl bench --lane {lane.Name} --evidence`");
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
            $"lane has acceptance evidence on this GPU{(r.PeakVramMiB is { } p ? $" (peak {p} MiB" + (gpu is null ? ")" : $" of {gpu.VramMiB} MiB)") : " (no peak GPU memory recorded)")}{(r.Recorded is null ? "" : $", recorded {r.Recorded}")}");
    }
}
