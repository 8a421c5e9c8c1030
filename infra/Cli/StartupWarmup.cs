using System.Runtime.CompilerServices;
using k8s.Models;
using Llmctl.Components.Kubernetes;

namespace Llmctl.Infra.Cli;

/// <summary>
/// Under the JIT, the first Kubernetes-object serialization and the first YAML emission cost tens of milliseconds of
/// one-time setup (compiling the source-generated metadata of the large k8s model graph and the emitter). Verbs that
/// compose a stack start both on the thread pool while the main thread parses arguments and reads the stack files,
/// so on a multi-core machine that setup overlaps instead of adding to a cold <c>preview</c>. The native build has
/// nothing to compile, so it skips this (starting the thread pool would cost more than it saves). Purely a latency
/// measure: nothing depends on it having run.
/// </summary>
internal static class StartupWarmup
{
    private static readonly HashSet<string> ComposingVerbs = new(StringComparer.Ordinal) { "preview", "up", "render" };

    public static void StartFor(string[] args)
    {
        if (!RuntimeFeature.IsDynamicCodeCompiled || args.Length == 0 || !ComposingVerbs.Contains(args[0])) return;
        _ = Task.Run(() => KubernetesObjects.Render(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "warmup" },
            Spec = new V1DeploymentSpec { Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [new V1Container { Name = "c" }] } } },
        }));
        _ = Task.Run(() => Components.Kubernetes.Render.ManifestYaml.WriteValues(new System.Text.Json.Nodes.JsonObject { ["warmup"] = true }));
    }
}
