using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Command;

/// <summary>Turns typed argument values into JSON inputs: constants inline, deferred outputs as engine placeholders.</summary>
internal static class InputValues
{
    private static readonly IOutputSource Nothing = new NothingKnown();

    public static JsonNode? From<T>(StackContext context, Output<T>? value)
    {
        if (value is null) return null;
        // A constant (Output.Create / an implicit conversion) is known without any resource: inline it so the
        // preview shows the value rather than [known after apply].
        var data = value.Resolve(Nothing);
        if (data.IsKnown && data.Resources.IsEmpty)
        {
            var node = WebJson.ToNode(data.Value);
            return data.IsSecret ? PropertyValues.Secret(node) : node;
        }
        return context.ToInput(value);
    }

    public static void Set<T>(JsonObject target, string key, StackContext context, Output<T>? value)
    {
        var node = From(context, value);
        if (node is not null) target[key] = node;
    }

    private sealed class NothingKnown : IOutputSource
    {
        public JsonObject? OutputsOf(Resource resource) => null;
    }
}
