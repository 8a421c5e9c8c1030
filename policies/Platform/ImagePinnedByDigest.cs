using Llmctl.Components.Images;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>Every container image of every workload is pinned by a real digest (the all-zero sample digest is not one).</summary>
public sealed class ImagePinnedByDigest : IResourcePolicy
{
    public const string PolicyName = "image-pinned-by-digest";
    /// <summary>The digest sample stack files carry until the operator writes the one they pulled.</summary>
    public const string SampleDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

    public string Name => PolicyName;
    public string Description => "Container images are pinned by digest, so a re-pushed tag never changes what runs.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;

    public IEnumerable<string> Validate(Resource resource)
    {
        if (!resource.TryGetPodSpec(out var k8s, out var spec)) yield break;
        foreach (var container in spec.AllContainers())
        {
            var where = $"{k8s.Kind} '{k8s.Object.Metadata?.Name}' container '{container.Name}'";
            if (!ImageRef.TryParse(container.Image, out var image, out var error))
            {
                yield return $"{where} has an image that cannot be read: {error}";
            }
            else if (!image.IsPinned)
            {
                yield return $"{where} runs '{image}', which is not pinned by digest; write {image}@sha256:<digest> with the digest you pulled and tested";
            }
            else if (image.Digest == SampleDigest)
            {
                yield return $"{where} runs '{image}' with the sample all-zero digest; replace it with your pinned digest";
            }
        }
    }
}
