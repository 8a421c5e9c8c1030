using System.Globalization;
using Llmctl.Fit.Facts;
using Llmctl.Engine.Config;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Fit.Lock;

/// <summary>
/// <c>models.lock.yaml</c>: <c>version: 1</c> and a <c>models</c> list of <see cref="ModelLock"/> entries (<c>ref</c>,
/// <c>file</c>, <c>source</c>, <c>sha256</c>, <c>sizeBytes</c>, optional <c>parts</c> of a split model, optional
/// <c>facts</c> — the camelCase names of <see cref="ModelFacts"/> — and the older partial <c>gguf</c> block), and
/// optionally <c>sample: "&lt;why&gt;"</c>, which marks the whole file as a sample that nobody locked against real files
/// (<see cref="Sample"/>); <c>llmctl lock</c> never adds it and leaves it in place: delete it once the lock is real.
/// </summary>
public sealed class ModelLockFile
{
    public const string DefaultFileName = "models.lock.yaml";

    internal static readonly string[] EntryKeys = ["ref", "file", "source", "sha256", "sizeBytes", "parts", "facts", "gguf"];

    private ModelLockFile(string path, IReadOnlyList<ModelLock> models, string? sample)
    {
        Path = path;
        Models = models;
        Sample = sample;
        _byRef = new Dictionary<string, ModelLock>(models.Count, StringComparer.Ordinal);
        foreach (var m in models) _byRef.TryAdd(m.Ref, m); // the first entry of a ref wins, as a scan would find it
    }

    private readonly Dictionary<string, ModelLock> _byRef;

    public string Path { get; }

    /// <summary>The <c>sample:</c> marker: why this lock is a sample (every entry carries it as <see cref="ModelLock.Sample"/>); null for a real lock.</summary>
    public string? Sample { get; }
    public IReadOnlyList<ModelLock> Models { get; }

    /// <summary>The entries without a sha256 or size.</summary>
    public IEnumerable<ModelLock> Unlocked => Models.Where(m => !m.IsLocked);

    /// <summary>The entry named <paramref name="modelRef"/>; throws naming the refs the lock has when there is none.</summary>
    public ModelLock Find(string modelRef) => TryFind(modelRef)
        ?? throw new KeyNotFoundException($"{Path} has no model '{modelRef}'; it has {string.Join(", ", Models.Select(m => $"'{m.Ref}'"))}");

    public ModelLock? TryFind(string modelRef) => _byRef.GetValueOrDefault(modelRef);

    /// <summary>Reads and checks a lock file; throws <see cref="ModelLockException"/> listing every problem with its line.</summary>
    public static ModelLockFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path))
        {
            throw new ModelLockException([new LockDiagnostic(path, 0, 0, "", "the model lock file does not exist",
                $"create {DefaultFileName} with a 'models:' list, or run llmctl lock on the model files")]);
        }
        var bag = new DiagnosticBag(path);
        var text = YamlDocumentReader.ReadFile(path, bag);
        return text is null ? throw new ModelLockException(bag.Items.Select(Bag.From).ToList()) : Parse(text, path);
    }

    /// <summary>Checks lock text; <paramref name="file"/> names it in diagnostics.</summary>
    public static ModelLockFile Parse(string text, string file) => Parse(text, file, out _);

    internal static ModelLockFile Parse(string text, string file, out YamlMappingNode? rootNode)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bag = new Bag(file);
        var root = ReadYaml(text, bag);
        rootNode = root as YamlMappingNode;
        var models = new List<ModelLock>();
        string? sample = null;
        if (root is null && !bag.HasErrors) bag.Add(null, "", "the lock file is empty", "write 'version: 1' and a 'models:' list");
        if (root is not null and not YamlMappingNode) bag.Add(root, "", "expected a map with 'version' and 'models'");
        if (root is YamlMappingNode map)
        {
            Keys(map, "", bag, "version", "models", "sample");
            sample = SampleMarker(map, bag);
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
        return new ModelLockFile(file, sample is null ? models : models.Select(m => m with { Sample = sample }).ToList(), sample);
    }

    /// <summary><c>sample: "why"</c> or <c>sample: true</c> marks a sample lock; <c>false</c> or no key, a real one.</summary>
    private static string? SampleMarker(YamlMappingNode map, Bag bag)
    {
        if (Child(map, "sample") is not { } node) return null;
        var text = node is YamlScalarNode s ? s.Value?.Trim() : null;
        if (node is not YamlScalarNode || string.IsNullOrEmpty(text))
        {
            bag.Add(node, "sample", "expected the reason this lock is a sample (a string), true, or false",
                "write e.g. sample: \"nobody has downloaded these files to hash them\", or delete the line once the lock is real");
            return null;
        }
        return text switch
        {
            "false" => null,
            "true" => "the file is marked as a sample",
            _ => text,
        };
    }

    // The YAML limits (size, depth, aliases, expansion) are the engine's, decided once for every YAML llmctl reads.
    private static YamlNode? ReadYaml(string text, Bag bag)
    {
        var diagnostics = new DiagnosticBag(bag.File);
        var root = YamlDocumentReader.Read(text, diagnostics);
        foreach (var d in diagnostics.Items) bag.Add(Bag.From(d));
        return root is YamlScalarNode { Value: null or "" } ? null : root;
    }

    private static ModelLock? Entry(YamlNode node, string path, Bag bag)
    {
        if (node is not YamlMappingNode map)
        {
            bag.Add(node, path, "expected a map with ref, file, source, sha256 and sizeBytes");
            return null;
        }
        var before = bag.Items.Count;
        Keys(map, path, bag, EntryKeys);
        var modelRef = RequiredString(map, "ref", path, bag);
        if (modelRef is not null && !ModelLock.IsRef(modelRef))
        {
            bag.Add(Child(map, "ref"), $"{path}.ref", $"'{modelRef}' is not a model ref",
                "use lowercase letters, digits and '-' (e.g. qwen36-35b-a3b-ud-q4-k-m)");
        }
        var shard = Shard(map, path, bag);
        var parts = new List<ModelLockShard>();
        if (Child(map, "parts") is { } partsNode)
        {
            if (partsNode is not YamlSequenceNode partList) bag.Add(partsNode, $"{path}.parts", "expected a list of the split model's other shards (file, source, sha256, sizeBytes)");
            else
            {
                for (var i = 0; i < partList.Children.Count; i++)
                {
                    var p = $"{path}.parts[{i}]";
                    if (partList.Children[i] is not YamlMappingNode partMap) bag.Add(partList.Children[i], p, "expected a map with file, source, sha256 and sizeBytes");
                    else
                    {
                        Keys(partMap, p, bag, "file", "source", "sha256", "sizeBytes");
                        if (Shard(partMap, p, bag) is { } part) parts.Add(part);
                    }
                }
            }
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
                    LayerCount = OptionalCount(facts, "layerCount", p, bag, positive: true),
                    ContextLength = OptionalCount(facts, "contextLength", p, bag, positive: true),
                    KvHeads = OptionalCount(facts, "kvHeads", p, bag, positive: true),
                    HeadDim = OptionalCount(facts, "headDim", p, bag, positive: true),
                };
            }
        }
        var modelFacts = Child(map, "facts") is { } factsNode ? LockFacts.Read(factsNode, $"{path}.facts", bag) : null;
        if (bag.Items.Count > before || modelRef is null || shard is null) return null;
        return new ModelLock
        {
            Ref = modelRef, File = shard.File, Source = shard.Source, Sha256 = shard.Sha256, SizeBytes = shard.SizeBytes,
            Parts = parts, Gguf = gguf, Facts = modelFacts,
        };
    }

    private static ModelLockShard? Shard(YamlMappingNode map, string path, Bag bag)
    {
        var before = bag.Items.Count;
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
        return bag.Items.Count > before || file is null || source is null ? null : new ModelLockShard(file, source, sha256, size);
    }

    private static void Duplicates(YamlSequenceNode list, List<ModelLock> models, Bag bag)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            if (seen.Add(model.Ref)) continue;
            var node = list.Children.OfType<YamlMappingNode>().Where(n => Scalar(Child(n, "ref")) == model.Ref).Skip(1).First();
            bag.Add(Child(node, "ref"), "models[].ref", $"duplicate model ref '{model.Ref}'", "give each entry a unique ref");
        }
    }

    internal static void Keys(YamlMappingNode map, string path, Bag bag, params string[] known)
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

    internal static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    internal static string? Scalar(YamlNode? node) => (node as YamlScalarNode)?.Value;

    internal static bool IsEmpty(YamlNode node) => node is YamlScalarNode { Value: null or "" or "~" or "null" };

    private static string? RequiredString(YamlMappingNode map, string key, string path, Bag bag)
    {
        var node = Child(map, key);
        if (node is null || IsEmpty(node) || node is not YamlScalarNode)
        {
            bag.Add(node ?? map, $"{path}.{key}", node is null ? "is missing" : "must be a non-empty string");
            return null;
        }
        return Scalar(node)!.Trim();
    }

    internal static string? OptionalString(YamlMappingNode map, string key) =>
        Child(map, key) is { } node && !IsEmpty(node) ? Scalar(node) : null;

    internal static int? OptionalCount(YamlMappingNode map, string key, string path, Bag bag, bool positive)
    {
        if (Child(map, key) is not { } node || IsEmpty(node)) return null;
        if (int.TryParse(Scalar(node), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && (!positive || value > 0)) return value;
        bag.Add(node, $"{path}.{key}", $"'{Scalar(node)}' is not a {(positive ? "positive " : "")}whole number");
        return null;
    }

    /// <summary>Collects the diagnostics of one lock file.</summary>
    internal sealed class Bag(string file)
    {
        private readonly List<LockDiagnostic> _items = [];

        public string File => file;

        public static LockDiagnostic From(ConfigDiagnostic d) => new(d.File, d.Line, d.Column, d.KeyPath, d.Message, d.Fix);

        public void Add(LockDiagnostic diagnostic) => _items.Add(diagnostic);

        public IReadOnlyList<LockDiagnostic> Items => _items;
        public bool HasErrors => _items.Count > 0;

        public void Add(YamlNode? node, string keyPath, string message, string? fix = null)
        {
            if (node is null) _items.Add(new LockDiagnostic(file, 0, 0, keyPath, message, fix));
            else Add(node.Start, keyPath, message, fix);
        }

        public void Add(Mark at, string keyPath, string message, string? fix = null) =>
            _items.Add(new LockDiagnostic(file, (int)at.Line, (int)at.Column, keyPath, message, fix));
    }
}
