using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Llmctl.Components.Gpu;
using Llmctl.Components.Helm;
using Llmctl.Components.Images;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>
/// Supply chain: every image of every object with a pod template — whichever component or chart made it (a release's
/// rendered children included) — is pinned by a real digest (<c>name:tag@sha256:&lt;64 hex&gt;</c> or <c>name@sha256:…</c>); images named to charts
/// (<see cref="ContainerImage"/>, <see cref="DevicePluginRelease"/>) are too; and every Helm chart is an exact version,
/// never a range or "latest". The one exception is an image a chart component declares knowingly unpinned
/// (<see cref="UnpinnedChartImage"/>: no digest of it could be verified); chart-images-pinned reports those, advisory.
/// </summary>
public sealed partial class PinnedDigests : IResourcePolicy
{
    public const string PolicyName = "pinned-digests";
    /// <summary>The digest sample stack files carry until the operator writes the one they pulled.</summary>
    public const string SampleDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

    public string Name => PolicyName;
    public string Description => "Every container image is pinned by digest and every chart by an exact version, so a re-pushed tag never changes what runs.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;

    public IEnumerable<string> Validate(Resource resource)
    {
        // Images a chart component names as unverifiable (no public digest) are chart-images-pinned's, advisory, with
        // the reason; every other image of a rendered object must be pinned like llmctl's own.
        HashSet<string>? knowinglyUnpinned = null;
        foreach (var workload in Workload.Of(resource))
        {
            foreach (var container in workload.Containers)
            {
                var image = container["image"]?.ToString();
                if (workload.Rendered && image is not null
                    && (knowinglyUnpinned ??= resource.Annotations.OfType<UnpinnedChartImage>().Select(u => u.Image).ToHashSet(StringComparer.Ordinal)).Contains(image))
                {
                    continue;
                }
                // Most images are pinned: the words for where it is are only made for one that is not.
                if (IsPinned(image)) continue;
                if (Problem(image, $"{workload.Display} container '{container["name"]}'") is { } problem) yield return problem;
            }
        }
        // A workload of its own is checked by its containers; the rest below is for releases and other objects.
        if (Workload.Of(resource).Any(w => !w.Rendered)) yield break;
        if (resource is not CustomResource custom) yield break;
        // Images named to a chart stand for its pods until the chart is rendered; then the rendered pods above are the truth.
        // Each image once, the first naming of it kept.
        if (!resource.Annotations.OfType<RenderedChildren>().Any())
        {
            HashSet<string>? seen = null;
            foreach (var named in resource.Annotations.OfType<ContainerImage>())
            {
                var image = named.Image.ToString();
                if (!(seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(image)) continue;
                if (Problem(image, $"{resource.Urn.Name}: image '{named.Container}'") is { } problem) yield return problem;
            }
            foreach (var plugin in resource.Annotations.OfType<DevicePluginRelease>())
            {
                if (plugin.Image is not { } image || !(seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(image)) continue;
                if (Problem(image, $"{resource.Urn.Name}: {plugin.Chart} device plugin image") is { } problem) yield return problem;
            }
        }
        if (custom.Type == "kubernetes:helm.cattle.io/v1:HelmChart" && custom.Inputs["spec"] is JsonObject spec)
        {
            var chart = spec["chart"]?.ToString() ?? "";
            var version = spec["version"]?.ToString();
            var byDigest = chart.StartsWith("oci://", StringComparison.Ordinal) && chart.Contains("@sha256:", StringComparison.Ordinal);
            if (!byDigest && (version is null || !ExactVersion().IsMatch(version)))
            {
                yield return $"HelmChart '{custom.Inputs["metadata"]?["name"]}' installs chart '{chart}' at "
                    + (version is null ? "no version (whatever is newest)" : $"'{version}', which is not one exact version")
                    + "; pin the exact version you tested, e.g. 0.20.0";
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="text"/> is pinned by a real digest (<see cref="Problem"/> has nothing to say about it);
    /// during a policy run each image text is parsed once, however many containers run it.
    /// </summary>
    private static bool IsPinned(string? text)
    {
        if (text is null || PolicyMemo.Current is not { } memo) return Problem(text, "") is null;
        var pinned = PolicyMemo.Get(memo.Stack, _ => new PinnedImages()).Known;
        if (!pinned.TryGetValue(text, out var isPinned)) pinned.Add(text, isPinned = Problem(text, "") is null);
        return isPinned;
    }

    /// <summary>Image texts seen in a policy run, and whether each is pinned.</summary>
    private sealed class PinnedImages
    {
        public Dictionary<string, bool> Known { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Null when <paramref name="text"/> is pinned by a real digest, else what is wrong and what to write.</summary>
    public static string? Problem(string? text, string where)
    {
        if (!ImageRef.TryParse(text, out var image, out var error)) return $"{where} has an image that cannot be read: {error}";
        if (!image.IsPinned)
        {
            return $"{where} runs '{image}', which is not pinned by digest; write {image}@sha256:<digest> with the digest you pulled and tested";
        }
        return image.Digest == SampleDigest ? $"{where} runs '{image}' with the sample all-zero digest; replace it with your pinned digest" : null;
    }

    [GeneratedRegex(@"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")]
    private static partial Regex ExactVersion();
}
