using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Llmctl.Engine.Model;

/// <summary>
/// JSON with <see cref="JsonSerializerOptions.Web"/>'s conventions (camelCase, case-insensitive reads, numbers read
/// from strings) through source-generated metadata, so it needs no reflection and works in the Native AOT build.
/// It knows the value types a resource input, an output or a stack export carries (<see cref="WebJsonContext"/>);
/// anything else is refused with a message naming the type, in the JIT build exactly as in the native one.
/// </summary>
public static class WebJson
{
    /// <summary>The options: <see cref="JsonSerializerDefaults.Web"/> with <see cref="WebJsonContext"/> as the only resolver.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>The contract for <typeparamref name="T"/>.</summary>
    /// <exception cref="NotSupportedException">The type is not one <see cref="WebJsonContext"/> knows.</exception>
    public static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Info(typeof(T));

    /// <summary>The contract for <paramref name="type"/>.</summary>
    /// <exception cref="NotSupportedException">The type is not one <see cref="WebJsonContext"/> knows.</exception>
    public static JsonTypeInfo Info(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return Options.TryGetTypeInfo(type, out var info)
            ? info
            : throw new NotSupportedException($"{type} cannot be written as JSON: a value a resource input, output or export carries is a "
                + $"string, number, bool, a list or string-keyed map of those, or a JsonNode (add the type to {nameof(WebJsonContext)} if it must be)");
    }

    /// <summary>The value as a JSON node, by its declared type.</summary>
    public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Info<T>());

    /// <summary>The value as a JSON node, by its runtime type (an <c>object</c> whose type is only known at run time).</summary>
    public static JsonNode? ToNode(object? value) =>
        value is null ? null : JsonSerializer.SerializeToNode(value, Info(value.GetType()));

    /// <summary>The node read as <typeparamref name="T"/>.</summary>
    public static T? FromNode<T>(JsonNode? node) => node is null ? default : node.Deserialize(Info<T>());

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = WebJsonContext.Default };
        options.MakeReadOnly();
        return options;
    }
}

/// <summary>
/// The types <see cref="WebJson"/> writes and reads: what components pass to <see cref="StackContext.ToInput"/>,
/// <see cref="Resource.RegisterOutputs"/> and <see cref="StackContext.Export"/>, and the <c>T</c> of every
/// <see cref="Output{T}"/> the code base reads or writes (grep <c>Output&lt;</c>, <c>GetOutput&lt;</c>).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(decimal))]
[JsonSerializable(typeof(int?))]
[JsonSerializable(typeof(long?))]
[JsonSerializable(typeof(double?))]
[JsonSerializable(typeof(bool?))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(int[]))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<int>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, int>))]
[JsonSerializable(typeof(Dictionary<string, bool>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonArray))]
[JsonSerializable(typeof(JsonValue))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class WebJsonContext : JsonSerializerContext;
