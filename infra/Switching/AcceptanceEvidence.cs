using System.Globalization;
using Llmctl.Components.Gpu;
using Llmctl.Stacks.Config;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Infra.Switching;

/// <summary>
/// The lane settings a measurement holds for, top-level keys of the evidence file: <c>modelRef</c>, <c>model</c>,
/// <c>modelSha256</c> (from <c>models.lock.yaml</c>; null while the lock has none), <c>ctxSize</c>,
/// <c>cacheTypeK</c>, <c>cacheTypeV</c>, <c>parallel</c> and <c>image</c> (with its digest when pinned; also written
/// alone as <c>imageDigest</c> for readers). Change any of them and the evidence is stale. A file records what it
/// records: a key it lacks (null here) is not compared, so a hand-written file with only <c>ctxSize</c> is judged on it.
/// </summary>
public sealed record EvidenceSettings(string? ModelRef, string? ModelFile, string? ModelSha256, int? CtxSize, string? CacheTypeK, string? CacheTypeV, int? Parallel, string? Image)
{
    /// <summary>The digest of <see cref="Image"/> (<c>sha256:…</c>), or null when the image is not pinned by digest.</summary>
    public string? ImageDigest => Image?.IndexOf('@', StringComparison.Ordinal) is >= 0 and var at ? Image[(at + 1)..] : null;

    /// <summary>The lane's settings now; <paramref name="locks"/> gives the model's sha256 when the lane names a locked file.</summary>
    public static EvidenceSettings Of(LaneConfig lane, Fit.Lock.ModelLockFile? locks)
    {
        ArgumentNullException.ThrowIfNull(lane);
        var sha = lane.ModelRef is { } modelRef ? locks?.TryFind(modelRef)?.Sha256 : null;
        return new EvidenceSettings(lane.ModelRef, lane.Model, string.IsNullOrEmpty(sha) ? null : sha, lane.CtxSize, lane.CacheTypeK, lane.CacheTypeV, lane.Parallel, lane.Image);
    }

    /// <summary>What changed from <paramref name="recorded"/> to this, one phrase each (<c>ctx 49152 → 65536</c>), for the keys it records; empty when nothing did.</summary>
    public IReadOnlyList<string> ChangesSince(EvidenceSettings recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var changes = new List<string>();
        void Compare(string what, string? then, string? now)
        {
            if (then is not null && !string.Equals(then, now, StringComparison.Ordinal)) changes.Add($"{what} {then} → {now ?? "none"}");
        }
        Compare("model", recorded.ModelRef, ModelRef);
        Compare("model file", recorded.ModelFile, ModelFile);
        Compare("model sha256", Short(recorded.ModelSha256), Short(ModelSha256));
        Compare("ctx", recorded.CtxSize?.ToString(CultureInfo.InvariantCulture), CtxSize?.ToString(CultureInfo.InvariantCulture));
        Compare("cache type K", recorded.CacheTypeK, CacheTypeK);
        Compare("cache type V", recorded.CacheTypeV, CacheTypeV);
        Compare("parallel", recorded.Parallel?.ToString(CultureInfo.InvariantCulture), Parallel?.ToString(CultureInfo.InvariantCulture));
        Compare("image", recorded.Image is null ? null : Short(recorded.ImageDigest) ?? recorded.Image, Short(ImageDigest) ?? Image);
        return changes;
    }

    private static string? Short(string? digest) => digest is null ? null : digest.Length > 19 ? digest[..19] + "…" : digest;
}

/// <summary>
/// One lane's recorded acceptance evidence, <c>evidence/&lt;stack&gt;/&lt;lane&gt;.yaml</c>, written by
/// <c>llmctl bench --evidence</c> (or by hand). Keys preflight judges: <c>lane</c>, <c>hardware</c> (a hardware-catalog
/// key), <c>result</c> (<c>pass</c> or <c>fail</c>), <c>peakVramMiB</c>, and the settings it was measured with
/// (<see cref="EvidenceSettings"/>, <c>ctxSize</c> among them: a change makes it stale); shown: <c>recorded</c>,
/// <c>notes</c>. The figures (<c>tokensPerSecond</c>, <c>ttftSeconds</c>, <c>scenarios</c>…) are for readers. A file
/// that cannot be read is a [WARN], never a crash. Format: docs/stacks.md, "Acceptance evidence".
/// </summary>
public sealed record EvidenceRecord(string? Lane, string? Hardware, string? Result, int? CtxSize, int? PeakVramMiB, string? Recorded, string? Notes)
{
    /// <summary>The settings it was measured with, each null where the file does not record it.</summary>
    public EvidenceSettings Settings { get; init; } = new(null, null, null, CtxSize, null, null, null, null);
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

    /// <summary>The file's path relative to the project (<c>evidence/homelab/fast.yaml</c>).</summary>
    public string DisplayPath => _path;

    /// <summary>Why the file could not be read; null when it was read or is absent.</summary>
    public string? Error => _error;

    /// <summary>
    /// What differs between the recorded run and the lane as the stack file has it now (hardware against the node's
    /// hardware key, then <see cref="EvidenceSettings.ChangesSince"/>: ctx, model, cache types, parallel, image), one
    /// phrase each; empty when nothing does or no evidence is recorded. Settings the file does not record are not
    /// compared, and the model's sha256 only when <paramref name="locks"/> gives the lane's.
    /// </summary>
    public IReadOnlyList<string> Changes(LaneConfig lane, string? hardware, Fit.Lock.ModelLockFile? locks = null)
    {
        ArgumentNullException.ThrowIfNull(lane);
        if (Record is not { } r) return [];
        var changes = new List<string>();
        if (hardware is not null && r.Hardware is not null && r.Hardware != hardware) changes.Add($"hardware {r.Hardware} → {hardware}");
        var now = EvidenceSettings.Of(lane, locks);
        if (locks is null) now = now with { ModelSha256 = r.Settings.ModelSha256 };
        changes.AddRange(now.ChangesSince(r.Settings));
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
            var record = new EvidenceRecord(Text(map, "lane"), Text(map, "hardware"), Text(map, "result"), Int(map, "ctxSize"), Int(map, "peakVramMiB"), Text(map, "recorded"), Text(map, "notes"))
            {
                Settings = new EvidenceSettings(Text(map, "modelRef"), Text(map, "model"), Text(map, "modelSha256"), Int(map, "ctxSize"),
                    Text(map, "cacheTypeK"), Text(map, "cacheTypeV"), Int(map, "parallel"), Text(map, "image")),
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

    /// <summary>The evidence check against the lane's own settings, without the lock (the model's sha256 is not compared).</summary>
    public PreflightCheck Check(LaneConfig lane, NodeGpu? gpu) => Check(lane, gpu, EvidenceSettings.Of(lane, locks: null) with { ModelSha256 = Record?.Settings.ModelSha256 });

    /// <summary>
    /// The evidence check: PASS for a passing record on this hardware with the lane's settings, WARN when absent or
    /// stale (another card, or <paramref name="current"/> differs from a setting the file records), BLOCK when it failed or
    /// its peak is more than the GPU has.
    /// </summary>
    public PreflightCheck Check(LaneConfig lane, NodeGpu? gpu, EvidenceSettings current)
    {
        ArgumentNullException.ThrowIfNull(lane);
        ArgumentNullException.ThrowIfNull(current);
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
        if (current.ChangesSince(r.Settings) is { Count: > 0 } changes)
        {
            return new PreflightCheck("validation_status", PreflightStatus.Warn,
                $"the evidence is stale: the lane changed since it was measured{(r.Recorded is null ? "" : $" ({r.Recorded})")}: {string.Join("; ", changes)}; measure it again with `llmctl bench --lane {lane.Name} --evidence`");
        }
        if (gpu is not null && r.PeakVramMiB is { } peak && peak > gpu.VramMiB)
        {
            return new PreflightCheck("validated_live_peak", PreflightStatus.Block, $"the recorded peak of {peak} MiB is more than the {gpu.VramMiB} MiB the GPU has");
        }
        return new PreflightCheck("validated_live_peak", PreflightStatus.Pass,
            $"lane has acceptance evidence on this GPU{(r.PeakVramMiB is { } p ? $" (peak {p} MiB" + (gpu is null ? ")" : $" of {gpu.VramMiB} MiB)") : " (no peak GPU memory recorded)")}{(r.Recorded is null ? "" : $", recorded {r.Recorded}")}");
    }
}
