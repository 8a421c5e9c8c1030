namespace Llmctl.Components.Gpu;

public sealed record NvidiaRuntimeArgs
{
    /// <summary>The RuntimeClass name pods set as <c>runtimeClassName</c>.</summary>
    public string Name { get; init; } = NvidiaRuntime.DefaultName;
    /// <summary>The containerd runtime handler k3s registers when it finds the NVIDIA container runtime.</summary>
    public string Handler { get; init; } = NvidiaRuntime.DefaultHandler;
}
