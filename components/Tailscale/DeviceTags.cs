using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Tailscale;

/// <summary>The tags of one device; deleting the resource clears them.</summary>
public sealed class DeviceTags : CustomResource
{
    public const string TypeToken = TailscaleTypes.DeviceTags;

    public DeviceTags(string name, DeviceTagsArgs args, CustomResourceOptions? options = null)
        : base(TypeToken, name, ToInputs(args), options)
    {
    }

    private static JsonObject ToInputs(DeviceTagsArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var context = StackContext.Current
            ?? throw new InvalidOperationException("Resources can only be created inside a stack program (StackContext.Run).");
        return new JsonObject
        {
            ["deviceId"] = context.ToInput(args.DeviceId),
            ["tags"] = new JsonArray([.. args.Tags.Distinct().Order(StringComparer.Ordinal).Select(t => (JsonNode?)JsonValue.Create(t))]),
        };
    }
}
