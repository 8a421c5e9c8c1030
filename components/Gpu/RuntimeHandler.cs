using Llmctl.Engine.Model;

namespace Llmctl.Components.Gpu;

/// <summary>The resource is the RuntimeClass <paramref name="RuntimeClassName"/> selecting containerd handler <paramref name="Handler"/> for <paramref name="Vendor"/> GPUs.</summary>
public sealed record RuntimeHandler(string RuntimeClassName, string Handler, GpuVendor Vendor) : IResourceAnnotation;
