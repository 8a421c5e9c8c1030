using Llmctl.Engine.Model;

namespace Llmctl.Components.Images;

/// <summary>A container of this resource runs <paramref name="Image"/> (for supply-chain policies and the preview).</summary>
public sealed record ContainerImage(string Container, ImageRef Image) : IResourceAnnotation;
