using System.Globalization;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Fit.Lock;

/// <summary>
/// Writes entries into <c>models.lock.yaml</c>. An entry whose <c>file</c> (or <c>ref</c>) is already in the lock is
/// replaced in place, a new one is appended; every other entry keeps its text byte for byte, comments included.
/// </summary>
public static class ModelLockWriter
{
    public const string Header = """
        # Locked model files: what the prefetch Job downloads and verifies, what lanes annotate their Deployments with, and
        # the GGUF facts the VRAM estimator reads (written by llmctl lock from the files' own metadata and tensor infos).

        """;

    /// <summary>
    /// The lock text with <paramref name="entries"/> written in. <paramref name="existing"/> is the current text (null
    /// when there is no lock yet); it must be a valid lock (see <see cref="ModelLockFile.Parse(string, string)"/>).
    /// </summary>
    public static string Upsert(string? existing, string file, IReadOnlyList<ModelLock> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (string.IsNullOrWhiteSpace(existing))
        {
            var fresh = new StringBuilder(Header).Append("version: 1\nmodels:\n");
            foreach (var e in UniqueRefs(entries, [])) Render(fresh, e, 2);
            return fresh.ToString();
        }
        if (!existing.EndsWith('\n')) existing += "\n";
        var lockFile = ModelLockFile.Parse(existing, file, out var root);
        var models = (YamlSequenceNode)ModelLockFile.Child(root!, "models")!;
        var pending = entries.ToList();
        if (models.Children.Count == 0 || models.Style == YamlDotNet.Core.Events.SequenceStyle.Flow)
        {
            // Nothing to keep verbatim: write the header comments the file had and every entry.
            var text = new StringBuilder(LeadingComments(existing)).Append("version: 1\nmodels:\n");
            foreach (var old in lockFile.Models)
            {
                var update = pending.FirstOrDefault(e => Same(e, old));
                if (update is not null) pending.Remove(update);
                Render(text, update is null ? old : Merge(old, update), 2);
            }
            foreach (var e in UniqueRefs(pending, lockFile.Models.Select(m => m.Ref))) Render(text, e, 2);
            return text.ToString();
        }

        var starts = models.Children.Select(c => LineStart(existing, (int)c.Start.Index)).ToList();
        var end = RegionEnd(existing, root!, models);
        var indent = DashIndent(existing, starts[0]);
        var result = new StringBuilder(existing[..starts[0]]);
        for (var i = 0; i < models.Children.Count; i++)
        {
            var regionEnd = i + 1 < starts.Count ? starts[i + 1] : end;
            var old = lockFile.Models[i];
            var update = pending.FirstOrDefault(e => Same(e, old));
            if (update is null)
            {
                result.Append(existing, starts[i], regionEnd - starts[i]);
                continue;
            }
            pending.Remove(update);
            Render(result, Merge(old, update), indent);
        }
        foreach (var e in UniqueRefs(pending, lockFile.Models.Select(m => m.Ref))) Render(result, e, indent);
        result.Append(existing, end, existing.Length - end);
        return result.ToString();
    }

    /// <summary>The same model: the same first file. A new model whose ref another entry already has gets a suffix instead.</summary>
    private static bool Same(ModelLock a, ModelLock b) => string.Equals(a.File, b.File, StringComparison.Ordinal);

    /// <summary>New entries with refs made unique against the lock's and each other's (<c>name</c>, <c>name-2</c>, …).</summary>
    private static List<ModelLock> UniqueRefs(IEnumerable<ModelLock> added, IEnumerable<string> taken)
    {
        var used = new HashSet<string>(taken, StringComparer.Ordinal);
        var result = new List<ModelLock>();
        foreach (var e in added)
        {
            var r = e.Ref;
            for (var i = 2; !used.Add(r); i++) r = $"{e.Ref}-{i}";
            result.Add(e with { Ref = r });
        }
        return result;
    }

    /// <summary>The new entry, keeping the old ref (stacks name it) and the older <c>gguf:</c> block.</summary>
    private static ModelLock Merge(ModelLock old, ModelLock update) => update with { Ref = old.Ref, Gguf = update.Gguf ?? old.Gguf };

    /// <summary>Writes one entry as a block-sequence item whose dash is indented by <paramref name="indent"/> spaces.</summary>
    public static void Render(StringBuilder text, ModelLock entry, int indent)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(entry);
        var dash = new string(' ', indent);
        var pad = new string(' ', indent + 2);
        text.Append(dash).Append("- ref: ").Append(entry.Ref).Append('\n');
        Shard(text, pad, new ModelLockShard(entry.File, entry.Source, entry.Sha256, entry.SizeBytes));
        if (entry.Parts.Count > 0)
        {
            text.Append(pad).Append("parts:\n");
            foreach (var part in entry.Parts)
            {
                var partText = new StringBuilder();
                Shard(partText, pad + "    ", part);
                text.Append(pad).Append("  - ").Append(partText.ToString().TrimStart());
            }
        }
        if (entry.Gguf is { } g)
        {
            text.Append(pad).Append("gguf:\n");
            var p = pad + "  ";
            if (g.Architecture is not null) text.Append(p).Append("architecture: ").Append(LockFacts.Quote(g.Architecture)).Append('\n');
            if (g.Quantization is not null) text.Append(p).Append("quantization: ").Append(LockFacts.Quote(g.Quantization)).Append('\n');
            if (g.LayerCount is { } l) text.Append(p).Append("layerCount: ").Append(Num(l)).Append('\n');
            if (g.ContextLength is { } c) text.Append(p).Append("contextLength: ").Append(Num(c)).Append('\n');
            if (g.KvHeads is { } k) text.Append(p).Append("kvHeads: ").Append(Num(k)).Append('\n');
            if (g.HeadDim is { } h) text.Append(p).Append("headDim: ").Append(Num(h)).Append('\n');
        }
        if (entry.Facts is { } facts)
        {
            text.Append(pad).Append("facts:\n");
            LockFacts.Write(text, facts, indent + 4);
        }
    }

    private static void Shard(StringBuilder text, string pad, ModelLockShard shard)
    {
        text.Append(pad).Append("file: ").Append(LockFacts.Quote(shard.File)).Append('\n');
        text.Append(pad).Append("source: ").Append(LockFacts.Quote(shard.Source)).Append('\n');
        if (shard.Sha256 is null) text.Append(pad).Append("sha256: \"\"  # not known: run llmctl lock on the downloaded file to record it\n");
        else text.Append(pad).Append("sha256: ").Append(shard.Sha256).Append('\n');
        if (shard.SizeBytes is null) text.Append(pad).Append("sizeBytes:  # not known\n");
        else text.Append(pad).Append("sizeBytes: ").Append(Num(shard.SizeBytes.Value)).Append('\n');
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static int LineStart(string text, int index)
    {
        var i = Math.Min(index, text.Length);
        while (i > 0 && text[i - 1] != '\n') i--;
        return i;
    }

    private static int DashIndent(string text, int lineStart)
    {
        var i = lineStart;
        while (i < text.Length && text[i] == ' ') i++;
        return i - lineStart;
    }

    /// <summary>Where the models list's text ends: the line of the next top-level key after it, or the end of the file.</summary>
    private static int RegionEnd(string text, YamlMappingNode root, YamlSequenceNode models)
    {
        var keys = root.Children.Keys.ToList();
        var after = keys.Where(k => k.Start.Index > models.Start.Index).OrderBy(k => k.Start.Index).FirstOrDefault();
        return after is null ? text.Length : LineStart(text, (int)after.Start.Index);
    }

    /// <summary>The comment and blank lines at the top of a file.</summary>
    private static string LeadingComments(string text)
    {
        var result = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.TrimStart();
            if (trimmed.Length != 0 && !trimmed.StartsWith('#')) break;
            result.Append(line).Append('\n');
        }
        return result.ToString();
    }
}
