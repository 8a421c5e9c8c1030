using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>
/// No secret as a literal where anyone who can read the object reads it: container env values and args, Helm chart
/// values (<c>HelmChart.spec.valuesContent</c>) and ConfigMap data. A value is secret-looking when its key names a
/// secret (<c>…password</c>, <c>…token</c>, <c>…apiKey</c>, <c>…masterKey</c>, <c>…clientSecret</c>) and it is a
/// literal rather than a reference, or when it has the shape of a well-known credential (<c>sk-…</c>, <c>ghp_…</c>,
/// <c>hf_…</c>, <c>AKIA…</c>, <c>tskey-…</c>, a PEM private key). Secrets belong in a Secret, read through
/// <c>valueFrom.secretKeyRef</c>, <c>os.environ/NAME</c> or the chart's existing-secret setting.
/// </summary>
public sealed partial class NoPlainSecrets : IResourcePolicy
{
    public const string PolicyName = "no-plain-secrets";

    public string Name => PolicyName;
    public string Description => "No secret-looking literal in container env or args, chart values or ConfigMaps.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;

    public IEnumerable<string> Validate(Resource resource)
    {
        foreach (var workload in Workload.Of(resource))
        {
            foreach (var container in workload.Containers)
            {
                foreach (var env in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (env["value"] is not JsonValue v || !v.TryGetValue<string>(out var value)) continue;
                    var name = env["name"]?.ToString() ?? "";
                    if (Looks(name, value))
                    {
                        yield return $"{Where(workload, container)} sets env {name} to a literal secret; put it in a Secret and read it with valueFrom.secretKeyRef";
                    }
                }
                var args = CommandLine(container);
                for (var i = 0; i < args.Count; i++)
                {
                    var flag = SecretFlag().Match(args[i]);
                    var value = flag.Success ? (flag.Groups["value"].Success ? flag.Groups["value"].Value : i + 1 < args.Count ? args[i + 1] : "") : args[i];
                    if (flag.Success && !flag.Groups["value"].Success) i++; // the flag's value is the next argument
                    if (flag.Success ? IsLiteral(value) : Credential().IsMatch(value))
                    {
                        yield return $"{Where(workload, container)} passes a secret literally on its command line{(flag.Success ? $" ({flag.Groups["flag"].Value})" : "")}; "
                            + "read it from an environment variable filled from a Secret instead (e.g. --api-key $(API_KEY))";
                    }
                }
            }
        }
        // A workload of its own is checked by its containers; the rest below is for releases and other objects.
        if (Workload.Of(resource).Any(w => !w.Rendered)) yield break;
        if (resource is not CustomResource custom) yield break;
        var (kind, name2) = (custom.Inputs["kind"]?.ToString(), custom.Inputs["metadata"]?["name"]?.ToString());
        if (kind is not ("HelmChart" or "ConfigMap")) yield break; // nothing else has entries to read
        IEnumerable<(string Key, string Value)> entries = kind switch
        {
            "HelmChart" when custom.Inputs["spec"]?["valuesContent"] is JsonValue content && content.TryGetValue<string>(out var text) => YamlEntries(text),
            "ConfigMap" => (custom.Inputs["data"] as JsonObject ?? []).Select(kv => (kv.Key, kv.Value?.ToString() ?? ""))
                .SelectMany(kv => YamlEntries(kv.Item2).Prepend(kv)),
            _ => [],
        };
        foreach (var key in entries.Where(e => Looks(e.Key, e.Value)).Select(e => e.Key).Distinct())
        {
            yield return $"{kind} '{name2}' has a literal secret under '{key}'; keep it in a Secret and reference it (the chart's existingSecret setting, or os.environ/NAME in LiteLLM's config)";
        }
    }

    /// <summary>The container's command, then its args, as text.</summary>
    private static List<string> CommandLine(JsonObject container)
    {
        var command = container["command"] as JsonArray;
        var args = container["args"] as JsonArray;
        var line = new List<string>((command?.Count ?? 0) + (args?.Count ?? 0));
        foreach (var part in (ReadOnlySpan<JsonArray?>)[command, args])
        {
            if (part is null) continue;
            foreach (var item in part) line.Add(item?.ToString() ?? "");
        }
        return line;
    }

    /// <summary>The container a finding is about, in words (only made for a finding).</summary>
    private static string Where(Workload workload, JsonObject container) => $"{workload.Display} container '{container["name"]}'";

    /// <summary>A secret-named key with a literal value, or any value shaped like a known credential.</summary>
    public static bool Looks(string key, string value) =>
        Credential().IsMatch(value) || (SecretKey().IsMatch(key) && IsLiteral(value));

    private static bool IsLiteral(string value)
    {
        var v = value.Trim().Trim('"', '\'');
        // LiteLLM's "api_key: none" says the backend takes no key.
        return v.Length > 0 && v is not ("null" or "~" or "{}" or "[]" or "none") && !v.StartsWith("os.environ/", StringComparison.Ordinal)
            && !v.StartsWith("$(", StringComparison.Ordinal) && !v.StartsWith("${", StringComparison.Ordinal)
            && !v.StartsWith("{{", StringComparison.Ordinal) && !v.StartsWith("/", StringComparison.Ordinal);
    }

    private static IEnumerable<(string, string)> YamlEntries(string text) =>
        YamlLine().Matches(text).Select(m => (m.Groups["key"].Value, m.Groups["value"].Value));

    // "…SecretKey"/"…SecretName" name a key or a Secret (masterkeySecretKey: masterkey), so only a bare secret key counts.
    [GeneratedRegex(@"(?i)((password|passwd|token|api[_-]?key|master[_-]?key|client[_-]?secret|private[_-]?key|access[_-]?key)$|^(aws[_-]?)?secret[_-]?(access[_-]?)?key$)")]
    private static partial Regex SecretKey();

    [GeneratedRegex(@"(?m)^\s*(-\s+)?(?<key>[A-Za-z0-9_.-]+)\s*:\s*(?<value>[^\s#{\[|>][^#]*?)\s*$")]
    private static partial Regex YamlLine();

    [GeneratedRegex(@"^(?<flag>--?(api[_-]?key|token|hf[_-]token|password|master[_-]key|auth[_-]?key))(=(?<value>.*))?$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretFlag();

    [GeneratedRegex(@"(\bsk-[A-Za-z0-9_-]{16,}|\bghp_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}|\bhf_[A-Za-z0-9]{20,}|\bAKIA[0-9A-Z]{16}\b|\btskey-[A-Za-z0-9-]{10,}|\bxox[abprs]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----)")]
    private static partial Regex Credential();
}
