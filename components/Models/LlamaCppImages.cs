namespace Llmctl.Components.Models;

/// <summary>
/// The llama.cpp server images (<c>docs/docker.md</c>: the image's entrypoint is <c>/app/llama-server</c>, so container
/// args are just flags). There is deliberately no digest here: the stack file supplies the digest the operator pulled
/// and tested, and a lane refuses an image without one.
/// </summary>
public static class LlamaCppImages
{
    public const string Repository = "ghcr.io/ggml-org/llama.cpp";
    /// <summary>CUDA 12 server build.</summary>
    public const string CudaTag = "server-cuda";
}
