using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Kubernetes;

/// <summary>The inputs of a Kubernetes provider resource (Pulumi's <c>kubernetes.Provider</c> arguments, same names).</summary>
public sealed record KubernetesProviderArgs
{
    /// <summary>The kubeconfig: contents or a path; may be another resource's secret output (the k3s admin kubeconfig).</summary>
    public Output<string>? Kubeconfig { get; init; }
    /// <summary>The kubeconfig context; its current-context when null.</summary>
    public string? Context { get; init; }
    /// <summary>The namespace of namespaced objects that name none (else <c>default</c>).</summary>
    public string? Namespace { get; init; }
    /// <summary>How long one request to the API server may take: whole seconds, or <c>90s</c>, <c>2m</c>.</summary>
    public string? RequestTimeout { get; init; }
    /// <summary>Take fields other field managers own on every apply.</summary>
    public bool? EnablePatchForce { get; init; }
}

/// <summary>
/// A Kubernetes provider as a resource (<c>pulumi:providers:kubernetes</c>): the cluster its objects go to. Pass it
/// as <see cref="ResourceOptions.Provider"/> (or <see cref="StackContext.UseProvider"/>) and every object under it
/// names it, waits for it, and is replaced with it when it is pointed at another API server. A changed timeout or
/// patch-force setting is an update of the provider alone.
/// </summary>
public sealed class KubernetesProviderResource : ProviderResource
{
    public const string PackageName = "kubernetes";

    public KubernetesProviderResource(string name, KubernetesProviderArgs args, CustomResourceOptions? options = null)
        : base(PackageName, name, BuildInputs(args, StackContext.Current ?? options?.Parent?.Context
            ?? throw new InvalidOperationException("Resources can only be created inside a stack program (StackContext.Run).")), options)
    {
    }

    private static JsonObject BuildInputs(KubernetesProviderArgs args, StackContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        var inputs = new JsonObject();
        if (args.Kubeconfig is not null) inputs["kubeconfig"] = context.ToInput(args.Kubeconfig);
        if (args.Context is not null) inputs["context"] = args.Context;
        if (args.Namespace is not null) inputs["namespace"] = args.Namespace;
        if (args.RequestTimeout is not null) inputs["requestTimeout"] = args.RequestTimeout;
        if (args.EnablePatchForce is { } force) inputs["enablePatchForce"] = force ? "true" : "false";
        return inputs;
    }
}
