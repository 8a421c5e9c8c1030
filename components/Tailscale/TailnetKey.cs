using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Tailscale;

/// <summary>
/// A pre-authentication key for registering devices (a k3s node joining over Tailscale). The key is a secret output:
/// it is secret-wrapped in the checkpoint (encrypted on disk) and shown as <c>[secret]</c>. Keys are immutable, so
/// any change but <see cref="TailnetKeyArgs.RecreateIfInvalid"/> replaces the key.
/// </summary>
public sealed class TailnetKey : CustomResource
{
    public const string TypeToken = TailscaleTypes.TailnetKey;

    public TailnetKey(string name, TailnetKeyArgs args, CustomResourceOptions? options = null)
        : base(TypeToken, name, ToInputs(args), SecretKey(options))
    {
        Args = args;
    }

    public TailnetKeyArgs Args { get; }

    /// <summary>The auth key (<c>tskey-auth-…</c>); secret.</summary>
    public Output<string> Key => GetOutput<string>("key").AsSecret();
    public Output<string> KeyId => GetOutput<string>("id");
    public Output<string> CreatedAt => GetOutput<string>("createdAt");
    public Output<string> ExpiresAt => GetOutput<string>("expiresAt");

    private static CustomResourceOptions SecretKey(CustomResourceOptions? options)
    {
        options ??= new CustomResourceOptions();
        return options.AdditionalSecretOutputs.Contains("key") ? options : options with { AdditionalSecretOutputs = [.. options.AdditionalSecretOutputs, "key"] };
    }

    private static JsonObject ToInputs(TailnetKeyArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var inputs = new JsonObject
        {
            ["reusable"] = args.Reusable,
            ["ephemeral"] = args.Ephemeral,
            ["preauthorized"] = args.Preauthorized,
            ["tags"] = new JsonArray([.. args.Tags.Distinct().Order(StringComparer.Ordinal).Select(t => (JsonNode?)JsonValue.Create(t))]),
        };
        if (args.Expiry is { } expiry) inputs["expiry"] = expiry;
        if (args.Description is { } description) inputs["description"] = description;
        if (args.RecreateIfInvalid is { } recreate) inputs["recreateIfInvalid"] = recreate.ToString().ToLowerInvariant();
        return inputs;
    }
}
