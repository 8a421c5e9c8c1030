using k8s.Models;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Gpu;

/// <summary>
/// The <c>nvidia</c> RuntimeClass. k3s adds a containerd runtime handler named <c>nvidia</c> when the NVIDIA container
/// runtime is on the node, but its default runtime stays runc, so every CUDA pod must set
/// <c>runtimeClassName: nvidia</c>. Recent k3s ships this RuntimeClass in <c>manifests/runtimes.yaml</c>; declaring it
/// again is harmless, and it is retained on delete because k3s may own it.
/// </summary>
public sealed class NvidiaRuntime : ComponentResource
{
    public const string TypeToken = "llmctl:gpu:NvidiaRuntime";
    public const string DefaultName = "nvidia";
    public const string DefaultHandler = "nvidia";

    public NvidiaRuntime(string name, NvidiaRuntimeArgs? args = null, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        Args = args ?? new NvidiaRuntimeArgs();
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(Args.Name) is { } nameProblem)
        {
            problems.Add(new ArgumentProblem("name", nameProblem));
        }
        if (KubernetesNames.Dns1123LabelProblem(Args.Handler) is { } handlerProblem)
        {
            problems.Add(new ArgumentProblem("handler", handlerProblem + " (containerd handler names follow the DNS-1123 label rule)"));
        }
        ComponentArgumentException.ThrowIfAny(this, problems);

        RuntimeClass = new KubernetesObject<V1RuntimeClass>(
            Args.Name,
            new V1RuntimeClass
            {
                Metadata = new V1ObjectMeta
                {
                    Name = Args.Name,
                    Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "llmctl" },
                },
                Handler = Args.Handler,
            },
            new CustomResourceOptions { Parent = this, RetainOnDelete = true });
        RuntimeClass.Annotate(new RuntimeHandler(Args.Name, Args.Handler, GpuVendor.Nvidia));
        Annotate(new RuntimeHandler(Args.Name, Args.Handler, GpuVendor.Nvidia));

        RegisterOutputs(new Dictionary<string, object?> { ["runtimeClassName"] = Args.Name });
    }

    public NvidiaRuntimeArgs Args { get; }
    public KubernetesObject<V1RuntimeClass> RuntimeClass { get; }
    public string RuntimeClassName => Args.Name;
}
