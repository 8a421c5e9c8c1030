using System.Text;
using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Kubernetes.Render;

/// <summary>What a render wrote, skipped and removed; paths are relative to the output folder, with <c>/</c>.</summary>
public sealed record RenderResult
{
    /// <summary>Manifests listed in <c>kustomization.yaml</c>.</summary>
    public required IReadOnlyList<string> Manifests { get; init; }
    /// <summary>Comment-only stubs for Secrets, which are never rendered with their data.</summary>
    public required IReadOnlyList<string> SecretStubs { get; init; }
    /// <summary>Resources not rendered, each with the reason (patches such as NodePatch).</summary>
    public required IReadOnlyList<string> Skipped { get; init; }
    /// <summary>Secret values in other objects replaced with a placeholder, each naming the resource and path.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }
    /// <summary>Files of an earlier render that this one no longer produces, now deleted.</summary>
    public required IReadOnlyList<string> Removed { get; init; }
}

/// <summary>The stack cannot be rendered; <see cref="Problems"/> names each resource and property path.</summary>
public sealed class RenderException(IReadOnlyList<string> problems)
    : Exception("the stack cannot be rendered to manifests:" + string.Concat(problems.Select(p => Environment.NewLine + "  " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Renders every Kubernetes object of a composed stack as YAML for GitOps (Argo CD, Flux, or k3s's
/// <c>/var/lib/rancher/k3s/server/manifests</c> folder): one file per object, <c>&lt;namespace&gt;/&lt;kind&gt;-&lt;name&gt;.yaml</c>
/// (<c>cluster/</c> for objects without a namespace), and a <c>kustomization.yaml</c> listing them. The output is
/// byte-identical for the same stack.
/// <list type="bullet">
/// <item>Objects are found generically: every custom resource whose type token is <c>kubernetes:…</c>, its inputs being
/// the object. Patch resources (<c>…Patch</c>, such as <c>kubernetes:core/v1:NodePatch</c>) are skipped: they change
/// objects something else owns (a Node k3s registered), which a GitOps tool would instead try to own whole.</item>
/// <item>Secrets never reach the files. A <c>v1/Secret</c> becomes a comment-only stub naming the Secret and the keys it
/// must hold, for SOPS, Sealed Secrets or External Secrets to provide; a secret value inside any other object becomes
/// the placeholder <see cref="SecretPlaceholder"/> and a warning.</item>
/// <item>Values known only after apply fail the render (<see cref="RenderException"/> naming each resource and path):
/// a manifest with a placeholder where an endpoint or a key belongs would deploy something broken.</item>
/// <item>Files from an earlier render that are no longer produced are deleted; the renderer only ever deletes files
/// it listed in <see cref="OwnedFilesName"/>.</item>
/// </list>
/// </summary>
public static class ManifestRenderer
{
    public const string KustomizationName = "kustomization.yaml";
    /// <summary>The renderer's record of the files it wrote, so a later render can remove the ones it no longer writes.</summary>
    public const string OwnedFilesName = ".llmctl-rendered";
    public const string ClusterFolder = "cluster";
    /// <summary>What a secret value inside a non-Secret object is rendered as.</summary>
    public const string SecretPlaceholder = "<secret: provide out of band>";

    private const string SecretType = "kubernetes:core/v1:Secret";
    private const string HelmChartType = "kubernetes:helm.cattle.io/v1:HelmChart";

    /// <summary>Renders <paramref name="desired"/> into <paramref name="outDir"/> (created if absent).</summary>
    /// <param name="known">Outputs of resources already applied, for inputs that depend on them; none when null.</param>
    /// <param name="expandCharts">
    /// Write each HelmChart's rendered objects (<see cref="RenderedChildren"/>) instead of the HelmChart, for GitOps
    /// users who do not run k3s's helm-controller; a HelmChart that could not be rendered stays, with a warning.
    /// </param>
    public static RenderResult Render(StackContext desired, string outDir, IOutputSource? known = null, bool expandCharts = false)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        known ??= NothingKnown.Instance;

        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var manifests = new List<string>();
        var stubs = new List<(string Path, string Keys)>();
        var skipped = new List<string>();
        var warnings = new List<string>();
        var problems = new List<string>();

        foreach (var resource in desired.Resources.OfType<CustomResource>().Where(r => TypeToken.Package(r.Type) == "kubernetes"))
        {
            if (resource.Type.EndsWith("Patch", StringComparison.Ordinal))
            {
                skipped.Add($"{resource.Urn} ({resource.Type}: a patch to an object the cluster owns, applied by `llmctl up`, not by GitOps)");
                continue;
            }
            var obj = desired.ResolveOutputs(resource.Inputs, known) as JsonObject ?? new JsonObject();
            var unknowns = new List<string>();
            FindUnknowns(obj, "", unknowns);
            if (unknowns.Count > 0)
            {
                problems.AddRange(unknowns.Select(path =>
                    $"{resource.Urn}: '{path}' is known only after `llmctl up`; apply first and render with the stack's outputs, or set the value in the program"));
                continue;
            }

            if (expandCharts && resource.Type == HelmChartType)
            {
                if (resource.Annotations.OfType<RenderedChildren>().FirstOrDefault() is { } rendered)
                {
                    foreach (var child in rendered.Objects)
                    {
                        Emit(child.DeepClone().AsObject(), resource, $"helm template ({rendered.Source}) for release '{resource.Name}' of {resource.Urn}");
                    }
                    continue;
                }
                var reason = resource.Annotations.OfType<RenderedChildrenMissing>().FirstOrDefault()?.Reason ?? "the charts were not expanded";
                warnings.Add($"{resource.Urn}: kept as a HelmChart because its chart could not be rendered: {reason}");
            }
            Emit(obj, resource, $"llmctl from {resource.Urn}");
        }

        void Emit(JsonObject obj, CustomResource resource, string origin)
        {
            var kind = Text(obj["kind"]) ?? resource.Type[(resource.Type.LastIndexOf(':') + 1)..];
            var name = Text(obj["metadata"]?["name"]) ?? resource.Name;
            var ns = Text(obj["metadata"]?["namespace"]);
            var path = $"{Folder(ns)}/{FileSafe(kind.ToLowerInvariant())}-{FileSafe(name)}.yaml";
            if (files.ContainsKey(path))
            {
                problems.Add($"{resource.Urn}: renders to {path}, which another object already renders to (same kind and name in one namespace)");
                return;
            }

            if (kind == "Secret" && (resource.Type == SecretType || origin.StartsWith("helm", StringComparison.Ordinal)))
            {
                var keys = SecretKeys(obj);
                files[path] = SecretStub(resource.Urn, obj, name, ns, keys);
                stubs.Add((path, keys.Count == 0 ? "(no keys)" : string.Join(", ", keys)));
                return;
            }

            var secretPaths = new List<string>();
            var clean = ReplaceSecrets(obj, "", secretPaths);
            warnings.AddRange(secretPaths.Select(p => $"{resource.Urn}: '{p}' is secret and was rendered as \"{SecretPlaceholder}\"; reference a Secret instead (secretKeyRef, valuesSecrets)"));
            files[path] = $"# Rendered by {origin}. Do not edit; change the stack and render again.\n" + ManifestYaml.Write(clean);
            manifests.Add(path);
        }
        if (problems.Count > 0) throw new RenderException(problems);

        manifests.Sort(StringComparer.Ordinal);
        stubs.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        skipped.Sort(StringComparer.Ordinal);
        files[KustomizationName] = Kustomization(desired, manifests, stubs, skipped);

        var removed = Write(outDir, files);
        return new RenderResult
        {
            Manifests = manifests,
            SecretStubs = [.. stubs.Select(s => s.Path)],
            Skipped = skipped,
            Warnings = warnings,
            Removed = removed,
        };
    }

    private static string Folder(string? ns) => string.IsNullOrEmpty(ns) ? ClusterFolder : FileSafe(ns);

    /// <summary>Kubernetes names are DNS subdomains, but RBAC names may hold <c>:</c>; anything not safe in a file name becomes <c>-</c>.</summary>
    private static string FileSafe(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '-');
        return sb.ToString();
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static void FindUnknowns(JsonNode? node, string path, List<string> found)
    {
        if (PropertyValues.IsUnknown(node) || PropertyValues.IsOutputPlaceholder(node))
        {
            found.Add(path.Length == 0 ? "(the whole object)" : path);
            return;
        }
        switch (node)
        {
            case JsonObject secret when PropertyValues.IsSecret(secret):
                FindUnknowns(secret["value"], path, found);
                break;
            case JsonObject o:
                foreach (var (key, value) in o) FindUnknowns(value, Join(path, key), found);
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) FindUnknowns(a[i], $"{path}[{i}]", found);
                break;
        }
    }

    private static JsonNode? ReplaceSecrets(JsonNode? node, string path, List<string> found)
    {
        if (PropertyValues.IsSecret(node))
        {
            found.Add(path);
            return JsonValue.Create(SecretPlaceholder);
        }
        return node switch
        {
            JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, ReplaceSecrets(kv.Value, Join(path, kv.Key), found)))),
            JsonArray a => new JsonArray([.. a.Select((n, i) => ReplaceSecrets(n, $"{path}[{i}]", found))]),
            _ => node?.DeepClone(),
        };
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static List<string> SecretKeys(JsonObject secret)
    {
        IEnumerable<string> Keys(string field) => PropertyValues.Unwrap(secret[field]) is JsonObject o ? o.Select(kv => kv.Key) : [];
        return [.. Keys("data").Concat(Keys("stringData")).Distinct().Order(StringComparer.Ordinal)];
    }

    private static string SecretStub(Urn urn, JsonObject secret, string name, string? ns, IReadOnlyList<string> keys)
    {
        var type = Text(PropertyValues.Unwrap(secret["type"])) ?? "Opaque";
        var sb = new StringBuilder();
        sb.Append("# Secret ").Append(ns is null ? name : $"{ns}/{name}").Append(" is not rendered: llmctl never writes secret values, in plain text or encrypted.\n");
        sb.Append("# Rendered by llmctl from ").Append(urn).Append(".\n");
        sb.Append("# Provide it out of band (SOPS, Sealed Secrets, External Secrets) with this shape:\n");
        sb.Append("#\n");
        sb.Append("#   apiVersion: v1\n");
        sb.Append("#   kind: Secret\n");
        sb.Append("#   metadata:\n");
        sb.Append("#     name: ").Append(name).Append('\n');
        if (ns is not null) sb.Append("#     namespace: ").Append(ns).Append('\n');
        sb.Append("#   type: ").Append(type).Append('\n');
        if (keys.Count == 0)
        {
            sb.Append("#   (no keys)\n");
        }
        else
        {
            sb.Append("#   data:\n");
            foreach (var key in keys) sb.Append("#     ").Append(key).Append(": <base64 value>\n");
        }
        return sb.ToString();
    }

    private static string Kustomization(StackContext desired, IReadOnlyList<string> manifests, IReadOnlyList<(string Path, string Keys)> stubs, IReadOnlyList<string> skipped)
    {
        var sb = new StringBuilder();
        sb.Append("# Rendered by llmctl from stack ").Append(desired.ProjectName).Append('/').Append(desired.StackName)
            .Append(". Do not edit; change the stack and render again.\n");
        if (stubs.Count > 0)
        {
            sb.Append("#\n# Secrets to provide out of band (not listed below; see each stub for its keys):\n");
            foreach (var (path, keys) in stubs) sb.Append("#   ").Append(path).Append(" (keys: ").Append(keys).Append(")\n");
        }
        if (skipped.Count > 0)
        {
            sb.Append("#\n# Not rendered:\n");
            foreach (var s in skipped) sb.Append("#   ").Append(s).Append('\n');
        }
        sb.Append("apiVersion: kustomize.config.k8s.io/v1beta1\n");
        sb.Append("kind: Kustomization\n");
        if (manifests.Count == 0)
        {
            sb.Append("resources: []\n");
            return sb.ToString();
        }
        sb.Append("resources:\n");
        foreach (var m in manifests) sb.Append("- ").Append(m).Append('\n');
        return sb.ToString();
    }

    /// <summary>Writes the files, then deletes what the previous render owned and this one does not; returns those.</summary>
    private static List<string> Write(string outDir, SortedDictionary<string, string> files)
    {
        var root = Path.GetFullPath(outDir);
        Directory.CreateDirectory(root);
        var ownedPath = Path.Combine(root, OwnedFilesName);
        var previous = File.Exists(ownedPath)
            ? File.ReadAllLines(ownedPath).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList()
            : [];

        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        foreach (var (relative, content) in files)
        {
            var full = Inside(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content, utf8);
        }

        var removed = new List<string>();
        foreach (var relative in previous.Where(p => !files.ContainsKey(p)).Order(StringComparer.Ordinal))
        {
            string full;
            try
            {
                full = Inside(root, relative);
            }
            catch (InvalidOperationException)
            {
                continue; // a hand-edited record pointing outside the folder: never delete there
            }
            if (!File.Exists(full)) continue;
            File.Delete(full);
            removed.Add(relative);
            var dir = Path.GetDirectoryName(full)!;
            if (dir != root && Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir);
        }

        var owned = new StringBuilder("# Files written by `llmctl render`; it deletes those it no longer writes. Do not edit.\n");
        foreach (var relative in files.Keys) owned.Append(relative).Append('\n');
        File.WriteAllText(ownedPath, owned.ToString(), utf8);
        return removed;
    }

    private static string Inside(string root, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"'{relative}' is outside {root}");
        }
        return full;
    }

    private sealed class NothingKnown : IOutputSource
    {
        public static readonly NothingKnown Instance = new();
        public JsonObject? OutputsOf(Resource resource) => null;
    }
}
