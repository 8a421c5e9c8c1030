using System.Text.Json.Nodes;

namespace Llmctl.Engine.Model;

/// <summary>
/// A provider as a resource (Pulumi's <c>pulumi:providers:&lt;package&gt;</c>): its inputs configure the provider
/// (for Kubernetes: kubeconfig, context, namespace, request timeout) and may be other resources' outputs, such as the
/// kubeconfig a k3s install reads back. Every custom resource of the package names the provider it uses: the one in
/// its options, else its parent's, else the program's (<see cref="StackContext.UseProvider"/>), else the package's
/// default provider (<c>default</c>, configured from stack config). Objects wait for their provider; the checkpoint
/// records the reference as <c>&lt;provider urn&gt;::&lt;provider id&gt;</c>.
/// </summary>
public class ProviderResource : CustomResource
{
    public const string TypePrefix = "pulumi:providers:";
    /// <summary>The name of a package's default provider.</summary>
    public const string DefaultName = "default";

    public ProviderResource(string package, string name, JsonObject inputs, CustomResourceOptions? options = null, StackContext? context = null)
        : base(TypePrefix + package, name, inputs, options, context)
    {
        Package = package;
    }

    /// <summary>The package whose resources this provider serves (<c>kubernetes</c>).</summary>
    public string Package { get; }

    public bool IsDefault => Name == DefaultName;

    public static bool IsProviderType(string type) => type.StartsWith(TypePrefix, StringComparison.Ordinal);

    /// <inheritdoc cref="IsProviderType(string)"/>
    public static bool IsProviderType(ReadOnlySpan<char> type) => type.StartsWith(TypePrefix, StringComparison.Ordinal);

    /// <summary>The package a provider type serves (<c>pulumi:providers:kubernetes</c> → <c>kubernetes</c>).</summary>
    public static string PackageOf(string providerType) => providerType[TypePrefix.Length..];

    /// <summary>A package's default provider: hidden in previews and not counted as a change, as Pulumi does.</summary>
    public static bool IsDefaultProvider(Urn urn) =>
        urn.NameSpan.SequenceEqual(DefaultName) && IsProviderType(urn.TypeSpan);
}

/// <summary>
/// A resource's reference to its provider, as Pulumi writes it in the checkpoint: <c>&lt;provider urn&gt;::&lt;id&gt;</c>.
/// While the provider is yet to be created its id is not known (Pulumi's unknown sentinel).
/// </summary>
public readonly record struct ProviderReference(Urn Urn, string Id)
{
    public bool IdKnown => Id.Length > 0 && Id != PropertyValues.UnknownString;

    public override string ToString() => $"{Urn.Value}::{Id}";

    public static ProviderReference Unknown(Urn urn) => new(urn, PropertyValues.UnknownString);

    /// <summary>Parses <c>urn::id</c> (the URN itself holds <c>::</c>, so the id is after the last one).</summary>
    public static bool TryParse(string? text, out ProviderReference reference)
    {
        reference = default;
        if (string.IsNullOrEmpty(text)) return false;
        if (Parsed.TryGetValue(text, out reference)) return true;
        var at = text.LastIndexOf("::", StringComparison.Ordinal);
        if (at <= 0 || !Urn.TryParse(text[..at], out var urn) || !ProviderResource.IsProviderType(urn.TypeSpan)) return false;
        reference = new ProviderReference(urn, text[(at + 2)..]);
        if (Parsed.Count < MaxParsed) Parsed.TryAdd(text, reference);
        return true;
    }

    // Every resource of a stack names one of a few providers, and its reference is read wherever the resource is
    // ordered or shown: each text is parsed once (a bounded number of them; past that, parsed every time).
    private const int MaxParsed = 1024;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ProviderReference> Parsed = new(StringComparer.Ordinal);
}
