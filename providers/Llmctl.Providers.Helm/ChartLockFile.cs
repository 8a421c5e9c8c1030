using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Providers.Helm;

/// <summary>One locked chart: where it comes from, its exact version, and the sha256 of the packaged chart.</summary>
/// <param name="Digest"><c>sha256:&lt;64 hex&gt;</c> of the <c>.tgz</c> the repository serves; null while unknown (the chart is unlocked).</param>
/// <param name="Note">Why the digest is what it is (or why it is missing), kept across rewrites.</param>
public sealed record ChartLock(string Name, string Repository, string Version, string? Digest, string? Note = null)
{
    public string RepositoryKey => Repository.TrimEnd('/');

    public bool Matches(string name, string repository, string version) =>
        Name == name && Version == version && RepositoryKey == repository.TrimEnd('/');
}

/// <summary>
/// <c>charts.lock.yaml</c> beside <c>models.lock.yaml</c>: every chart a stack installs, pinned by repository, name,
/// exact version and the sha256 of the packaged chart. <c>llmctl charts pull</c> verifies downloads against it and
/// refuses a chart whose digest differs; <c>--update-lock</c> records digests that are missing.
/// </summary>
public sealed partial class ChartLockFile
{
    public const string DefaultFileName = "charts.lock.yaml";

    private readonly List<ChartLock> _charts;

    public ChartLockFile(IEnumerable<ChartLock> charts) => _charts = [.. charts];

    public IReadOnlyList<ChartLock> Charts => _charts;

    public ChartLock? Find(string name, string repository, string version) =>
        _charts.FirstOrDefault(c => c.Matches(name, repository, version));

    /// <summary>Adds or replaces the entry for the same chart and version.</summary>
    public void Set(ChartLock entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var i = _charts.FindIndex(c => c.Matches(entry.Name, entry.Repository, entry.Version));
        if (i >= 0) _charts[i] = entry;
        else _charts.Add(entry);
    }

    /// <summary>Reads a lock file; a malformed one throws <see cref="FormatException"/> naming the entry and field.</summary>
    public static ChartLockFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var stream = new YamlStream();
        using (var reader = File.OpenText(path)) stream.Load(reader);
        var charts = new List<ChartLock>();
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return new ChartLockFile(charts);
        if (!root.Children.TryGetValue(new YamlScalarNode("charts"), out var list)) return new ChartLockFile(charts);
        if (list is not YamlSequenceNode seq) throw new FormatException($"{path}: 'charts' must be a list");
        for (var i = 0; i < seq.Children.Count; i++)
        {
            if (seq.Children[i] is not YamlMappingNode entry) throw new FormatException($"{path}: charts[{i}] must be a map");
            string? Field(string key) =>
                entry.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s && s.Value is { Length: > 0 } text && text is not ("null" or "~") ? text : null;
            string Required(string key) => Field(key) ?? throw new FormatException($"{path}: charts[{i}].{key} is required");
            var digest = Field("digest");
            if (digest is not null && !DigestPattern().IsMatch(digest))
            {
                throw new FormatException($"{path}: charts[{i}].digest '{digest}' is not sha256: followed by 64 lowercase hex digits");
            }
            charts.Add(new ChartLock(Required("name"), Required("repository"), Required("version"), digest, Field("note")));
        }
        return new ChartLockFile(charts);
    }

    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = new StringBuilder();
        text.Append("# Charts pinned by repository, name, exact version and the sha256 of the packaged chart (.tgz).\n");
        text.Append("# `llmctl charts pull` downloads each into the local cache and refuses one whose digest differs;\n");
        text.Append("# `llmctl charts pull --update-lock` records the digest of a chart whose digest is null.\n");
        text.Append("charts:\n");
        foreach (var c in _charts.OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Version, StringComparer.Ordinal))
        {
            text.Append($"  - name: {c.Name}\n");
            text.Append($"    repository: {c.Repository}\n");
            text.Append($"    version: \"{c.Version}\"\n");
            text.Append($"    digest: {c.Digest ?? "null"}\n");
            if (c.Note is { Length: > 0 } note) text.Append($"    note: \"{note.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"\n");
        }
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text.ToString());
        File.Move(tmp, path, overwrite: true);
    }

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestPattern();
}
