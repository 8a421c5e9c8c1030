using System.Globalization;
using System.Text.RegularExpressions;
using Llmctl.Engine.Config;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Components.Models;

/// <summary>
/// Facts read from a GGUF file's metadata (<c>general.architecture</c>, <c>{arch}.block_count</c>,
/// <c>{arch}.context_length</c>, <c>{arch}.attention.head_count_kv</c>, <c>{arch}.attention.key_length</c>), recorded
/// in the lock so the VRAM fit can be estimated without the file. Every fact is optional: write only what you read.
/// </summary>
public sealed record GgufFacts
{
    /// <summary><c>general.architecture</c> (<c>qwen35moe</c>).</summary>
    public string? Architecture { get; init; }
    /// <summary>The weight quantization (<c>Q4_K_M</c>).</summary>
    public string? Quantization { get; init; }
    /// <summary><c>{arch}.block_count</c>.</summary>
    public int? LayerCount { get; init; }
    /// <summary><c>{arch}.context_length</c>: the trained context.</summary>
    public int? ContextLength { get; init; }
    /// <summary><c>{arch}.attention.head_count_kv</c>.</summary>
    public int? KvHeads { get; init; }
    /// <summary><c>{arch}.attention.key_length</c>.</summary>
    public int? HeadDim { get; init; }
}

/// <summary>
/// One entry of <c>models.lock.yaml</c>: a model file by content. <see cref="Ref"/> is how stacks name it, <see cref="File"/>
/// is its name on the node's model disk, <see cref="Source"/> where it is downloaded from (a Hugging Face
/// <c>resolve/&lt;revision&gt;/&lt;file&gt;</c> URL), and <see cref="Sha256"/> with <see cref="SizeBytes"/> what the bytes
/// must be. An entry without both is <em>unlocked</em>: it can be named, but nothing can verify it.
/// </summary>
public sealed partial record ModelLock
{
    public required string Ref { get; init; }
    public required string File { get; init; }
    public required string Source { get; init; }
    /// <summary>64 lowercase hex digits, or null while the file is not locked.</summary>
    public string? Sha256 { get; init; }
    /// <summary>The exact size in bytes, or null while the file is not locked.</summary>
    public long? SizeBytes { get; init; }
    public GgufFacts? Gguf { get; init; }

    /// <summary>True when both the sha256 and the size are recorded.</summary>
    public bool IsLocked => Sha256 is not null && SizeBytes is not null;

    /// <summary>Why the entry is unlocked, or null when it is locked.</summary>
    public string? UnlockedReason => (Sha256, SizeBytes) switch
    {
        (null, null) => $"model '{Ref}' ({File}) has no sha256 and no sizeBytes in the lock: download it, run sha256sum and stat -c %s, and record both",
        (null, _) => $"model '{Ref}' ({File}) has no sha256 in the lock: run sha256sum on the file and record it",
        (_, null) => $"model '{Ref}' ({File}) has no sizeBytes in the lock: run stat -c %s on the file and record it",
        _ => null,
    };

    internal static bool IsSha256(string text) => Sha256Pattern().IsMatch(text);

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();
}

/// <summary>A lock file could not be read; every problem carries file:line:column.</summary>
public sealed class ModelLockException(IReadOnlyList<ConfigDiagnostic> diagnostics) : ConfigException(diagnostics);

/// <summary>
/// <c>models.lock.yaml</c>: <c>version: 1</c> and a <c>models</c> list of <see cref="ModelLock"/> entries
/// (<c>ref</c>, <c>file</c>, <c>source</c>, <c>sha256</c>, <c>sizeBytes</c>, optional <c>gguf</c> facts).
/// </summary>
public sealed partial class ModelLockFile
{
    public const string DefaultFileName = "models.lock.yaml";

    private ModelLockFile(string path, IReadOnlyList<ModelLock> models)
    {
        Path = path;
        Models = models;
    }

    public string Path { get; }
    public IReadOnlyList<ModelLock> Models { get; }

    /// <summary>The entries without a sha256 or size.</summary>
    public IEnumerable<ModelLock> Unlocked => Models.Where(m => !m.IsLocked);

    /// <summary>The entry named <paramref name="modelRef"/>; throws naming the refs the lock has when there is none.</summary>
    public ModelLock Find(string modelRef) => TryFind(modelRef)
        ?? throw new KeyNotFoundException($"{Path} has no model '{modelRef}'; it has {string.Join(", ", Models.Select(m => $"'{m.Ref}'"))}");

    public ModelLock? TryFind(string modelRef) => Models.FirstOrDefault(m => string.Equals(m.Ref, modelRef, StringComparison.Ordinal));

    /// <summary>Reads and checks a lock file; throws <see cref="ModelLockException"/> listing every problem with its line.</summary>
    public static ModelLockFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path))
        {
            throw new ModelLockException([new ConfigDiagnostic(path, 0, 0, "", "the model lock file does not exist",
                $"create {DefaultFileName} with a 'models:' list")]);
        }
        var bag = new DiagnosticBag(path);
        var text = YamlDocumentReader.ReadFile(path, bag);
        return text is null ? throw new ModelLockException(bag.Items) : Parse(text, path);
    }

    /// <summary>Checks lock text; <paramref name="file"/> names it in diagnostics.</summary>
    public static ModelLockFile Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bag = new DiagnosticBag(file);
        var root = YamlDocumentReader.Read(text, bag);
        var models = new List<ModelLock>();
        if (root is null && !bag.HasErrors) bag.Add(null, "", "the lock file is empty", "write 'version: 1' and a 'models:' list");
        if (root is not null and not YamlMappingNode) bag.Add(root, "", "expected a map with 'version' and 'models'");
        if (root is YamlMappingNode map)
        {
            Keys(map, "", bag, "version", "models");
            var version = Child(map, "version");
            if (version is not YamlScalarNode { Value: "1" })
            {
                bag.Add(version ?? map, "version", version is null ? "is missing" : $"'{Scalar(version)}' is not a version this llmctl reads", "write 'version: 1'");
            }
            if (Child(map, "models") is not YamlSequenceNode list)
            {
                bag.Add(Child(map, "models") ?? map, "models", "expected a list of model entries");
            }
            else
            {
                for (var i = 0; i < list.Children.Count; i++)
                {
                    if (Entry(list.Children[i], $"models[{i}]", bag) is { } entry) models.Add(entry);
                }
                Duplicates(list, models, bag);
            }
        }
        if (bag.HasErrors) throw new ModelLockException(bag.Items);
        return new ModelLockFile(file, models);
    }

    private static ModelLock? Entry(YamlNode node, string path, DiagnosticBag bag)
    {
        if (node is not YamlMappingNode map)
        {
            bag.Add(node, path, "expected a map with ref, file, source, sha256 and sizeBytes");
            return null;
        }
        var before = bag.Items.Count;
        Keys(map, path, bag, "ref", "file", "source", "sha256", "sizeBytes", "gguf");
        var modelRef = RequiredString(map, "ref", path, bag);
        if (modelRef is not null && !RefPattern().IsMatch(modelRef))
        {
            bag.Add(Child(map, "ref"), $"{path}.ref", $"'{modelRef}' is not a model ref",
                "use lowercase letters, digits and '-' (e.g. qwen36-35b-a3b-ud-q4-k-m)");
        }
        var file = RequiredString(map, "file", path, bag);
        if (file is not null && (file.Contains('/', StringComparison.Ordinal) || file.Contains('\\', StringComparison.Ordinal) || file.StartsWith('.')))
        {
            bag.Add(Child(map, "file"), $"{path}.file", $"'{file}' must be a plain file name", "write the file name without directories");
        }
        var source = RequiredString(map, "source", path, bag);
        if (source is not null && (!Uri.TryCreate(source, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps))
        {
            bag.Add(Child(map, "source"), $"{path}.source", $"'{source}' is not an https URL",
                "write the download URL, e.g. https://huggingface.co/<org>/<repo>/resolve/<revision>/<file>");
        }

        string? sha256 = null;
        if (Child(map, "sha256") is { } shaNode && !IsEmpty(shaNode))
        {
            var text = Scalar(shaNode);
            if (text is not null && ModelLock.IsSha256(text)) sha256 = text;
            else bag.Add(shaNode, $"{path}.sha256", $"'{text}' is not a sha256", "write the 64 lowercase hex digits sha256sum prints, or leave it empty while the file is unlocked");
        }
        long? size = null;
        if (Child(map, "sizeBytes") is { } sizeNode && !IsEmpty(sizeNode))
        {
            if (long.TryParse(Scalar(sizeNode), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0) size = bytes;
            else bag.Add(sizeNode, $"{path}.sizeBytes", $"'{Scalar(sizeNode)}' is not a size in bytes", "write the whole number stat -c %s prints, or leave it empty while the file is unlocked");
        }

        GgufFacts? gguf = null;
        if (Child(map, "gguf") is { } ggufNode)
        {
            if (ggufNode is not YamlMappingNode facts)
            {
                bag.Add(ggufNode, $"{path}.gguf", "expected a map of GGUF facts");
            }
            else
            {
                var p = $"{path}.gguf";
                Keys(facts, p, bag, "architecture", "quantization", "layerCount", "contextLength", "kvHeads", "headDim");
                gguf = new GgufFacts
                {
                    Architecture = OptionalString(facts, "architecture"),
                    Quantization = OptionalString(facts, "quantization"),
                    LayerCount = OptionalCount(facts, "layerCount", p, bag),
                    ContextLength = OptionalCount(facts, "contextLength", p, bag),
                    KvHeads = OptionalCount(facts, "kvHeads", p, bag),
                    HeadDim = OptionalCount(facts, "headDim", p, bag),
                };
            }
        }
        if (bag.Items.Count > before || modelRef is null || file is null || source is null) return null;
        return new ModelLock { Ref = modelRef, File = file, Source = source, Sha256 = sha256, SizeBytes = size, Gguf = gguf };
    }

    private static void Duplicates(YamlSequenceNode list, List<ModelLock> models, DiagnosticBag bag)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            if (seen.Add(model.Ref)) continue;
            var node = list.Children.OfType<YamlMappingNode>().Where(n => Scalar(Child(n, "ref")) == model.Ref).Skip(1).First();
            bag.Add(Child(node, "ref"), "models[].ref", $"duplicate model ref '{model.Ref}'", "give each entry a unique ref");
        }
    }

    private static void Keys(YamlMappingNode map, string path, DiagnosticBag bag, params string[] known)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = Scalar(key) ?? "";
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                bag.Add(key, path.Length == 0 ? name : $"{path}.{name}", "unknown key", $"use one of {string.Join(", ", known)}");
            }
        }
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static string? Scalar(YamlNode? node) => (node as YamlScalarNode)?.Value;

    private static bool IsEmpty(YamlNode node) => node is YamlScalarNode { Value: null or "" or "~" or "null" };

    private static string? RequiredString(YamlMappingNode map, string key, string path, DiagnosticBag bag)
    {
        var node = Child(map, key);
        if (node is null || IsEmpty(node) || node is not YamlScalarNode)
        {
            bag.Add(node ?? map, $"{path}.{key}", node is null ? "is missing" : "must be a non-empty string");
            return null;
        }
        return Scalar(node)!.Trim();
    }

    private static string? OptionalString(YamlMappingNode map, string key) =>
        Child(map, key) is { } node && !IsEmpty(node) ? Scalar(node) : null;

    private static int? OptionalCount(YamlMappingNode map, string key, string path, DiagnosticBag bag)
    {
        if (Child(map, key) is not { } node || IsEmpty(node)) return null;
        if (int.TryParse(Scalar(node), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0) return value;
        bag.Add(node, $"{path}.{key}", $"'{Scalar(node)}' is not a positive whole number");
        return null;
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    private static partial Regex RefPattern();
}
