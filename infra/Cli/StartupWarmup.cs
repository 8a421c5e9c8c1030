using k8s;
using k8s.Models;

namespace Llmctl.Infra.Cli;

/// <summary>
/// The first Kubernetes-object serialization and the first YAML emission cost a few hundred milliseconds of one-time
/// setup (reflection metadata for the large k8s model graph, YamlDotNet's serializer). Verbs that compose a stack
/// start both on the thread pool while the main thread parses arguments and reads the stack files, so on a
/// multi-core machine that setup overlaps instead of adding to a cold <c>preview</c>. Purely a latency measure:
/// nothing depends on it having run.
/// </summary>
internal static class StartupWarmup
{
    private static readonly HashSet<string> ComposingVerbs = new(StringComparer.Ordinal) { "preview", "up", "render" };

    public static void StartFor(string[] args)
    {
        if (args.Length == 0 || !ComposingVerbs.Contains(args[0])) return;
        _ = Task.Run(() => KubernetesJson.Serialize(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "warmup" },
            Spec = new V1DeploymentSpec { Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [new V1Container { Name = "c" }] } } },
        }));
        _ = Task.Run(() => Components.Kubernetes.Render.ManifestYaml.WriteValues(new System.Text.Json.Nodes.JsonObject { ["warmup"] = true }));
    }
}
