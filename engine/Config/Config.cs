using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Llmctl.Engine.Model;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Engine.Config;

/// <summary>
/// Typed access to one namespace of a stack's config, shaped like Pulumi's .NET <c>Pulumi.Config</c>
/// (pulumi/pulumi-dotnet <c>sdk/Pulumi/Config.cs</c>): <c>Get*</c> return null when the key is missing,
/// <c>Require*</c> throw <see cref="MissingRequiredConfigException"/>; a value of the wrong type throws
/// <see cref="ConfigTypeException"/>. Secure values are decrypted when read, never before.
/// </summary>
public sealed class Config
{
    private readonly LoadedStack _stack;

    public Config(LoadedStack stack, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stack);
        _stack = stack;
        name ??= stack.ProjectName;
        if (name.EndsWith(":config", StringComparison.Ordinal)) name = name[..^":config".Length];
        Name = name;
    }

    /// <summary>The namespace (the project's name unless given).</summary>
    public string Name { get; }

    public string? Get(string key) => Text(key, out _);

    public string Require(string key) => Get(key) ?? throw Missing(key);

    public int? GetInt32(string key)
    {
        var text = Text(key, out var value);
        if (text is null) return null;
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)
            ? i : throw WrongType(key, text, "Int32", value);
    }

    public int RequireInt32(string key) => GetInt32(key) ?? throw Missing(key);

    public bool? GetBoolean(string key)
    {
        var text = Text(key, out var value);
        if (text is null) return null;
        return text switch
        {
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ => throw WrongType(key, text, "Boolean", value),
        };
    }

    public bool RequireBoolean(string key) => GetBoolean(key) ?? throw Missing(key);

    public double? GetDouble(string key)
    {
        var text = Text(key, out var value);
        if (text is null) return null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d : throw WrongType(key, text, "Double", value);
    }

    public double RequireDouble(string key) => GetDouble(key) ?? throw Missing(key);

    /// <summary>
    /// The value converted to JSON and deserialized with System.Text.Json (web defaults: camelCase). Reflection-based,
    /// like <see cref="JsonSerializer.Deserialize{TValue}(JsonNode, JsonSerializerOptions)"/>: the native build uses the
    /// overloads taking a source-generated <see cref="JsonTypeInfo{T}"/>.
    /// </summary>
    [RequiresUnreferencedCode(ReflectionJson)]
    [RequiresDynamicCode(ReflectionJson)]
    public T? GetObject<T>(string key, JsonSerializerOptions? options = null) =>
        GetObject(key, (JsonTypeInfo<T>)(options ?? JsonSerializerOptions.Web).GetTypeInfo(typeof(T)));

    /// <summary>The value converted to JSON and deserialized with the given (source-generated) contract.</summary>
    public T? GetObject<T>(string key, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var value = Find(key);
        if (value is null) return default;
        var json = PropertyValues.Reveal(YamlJson.ToJsonNode(value.Node, _stack.Decrypt));
        try
        {
            return json is null ? default : json.Deserialize(typeInfo);
        }
        catch (JsonException)
        {
            throw WrongType(key, json!.ToJsonString(), typeof(T).Name, value);
        }
    }

    [RequiresUnreferencedCode(ReflectionJson)]
    [RequiresDynamicCode(ReflectionJson)]
    public T RequireObject<T>(string key, JsonSerializerOptions? options = null) =>
        Find(key) is null ? throw Missing(key) : GetObject<T>(key, options)!;

    public T RequireObject<T>(string key, JsonTypeInfo<T> typeInfo) =>
        Find(key) is null ? throw Missing(key) : GetObject(key, typeInfo)!;

    /// <summary>The value as a secret output (whether or not it was stored encrypted).</summary>
    public Output<string>? GetSecret(string key) => Get(key) is { } text ? Model.Output.CreateSecret(text) : null;

    public Output<string> RequireSecret(string key) => GetSecret(key) ?? throw Missing(key);

    [RequiresUnreferencedCode(ReflectionJson)]
    [RequiresDynamicCode(ReflectionJson)]
    public Output<T>? GetSecretObject<T>(string key, JsonSerializerOptions? options = null) =>
        Find(key) is null ? null : Model.Output.CreateSecret(GetObject<T>(key, options)!);

    public Output<T>? GetSecretObject<T>(string key, JsonTypeInfo<T> typeInfo) =>
        Find(key) is null ? null : Model.Output.CreateSecret(GetObject(key, typeInfo)!);

    [RequiresUnreferencedCode(ReflectionJson)]
    [RequiresDynamicCode(ReflectionJson)]
    public Output<T> RequireSecretObject<T>(string key, JsonSerializerOptions? options = null) =>
        GetSecretObject<T>(key, options) ?? throw Missing(key);

    public Output<T> RequireSecretObject<T>(string key, JsonTypeInfo<T> typeInfo) =>
        GetSecretObject(key, typeInfo) ?? throw Missing(key);

    private const string ReflectionJson =
        "Deserializing an arbitrary type with JsonSerializerOptions needs reflection; pass a source-generated JsonTypeInfo<T> instead.";

    private string FullKey(string key) => $"{Name}:{key}";

    private ConfigValue? Find(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return _stack.Config.GetValueOrDefault(FullKey(key));
    }

    // The value as the text Pulumi's language host would pass: scalars as written, structured values as JSON.
    private string? Text(string key, out ConfigValue? value)
    {
        value = Find(key);
        if (value is null) return null;
        if (YamlJson.TryGetSecure(value.Node, out var ciphertext)) return _stack.Decrypt(ciphertext);
        if (value.Node is YamlScalarNode s) return s.Value ?? "";
        return PropertyValues.Reveal(YamlJson.ToJsonNode(value.Node, _stack.Decrypt))?.ToJsonString() ?? "null";
    }

    private MissingRequiredConfigException Missing(string key) => new(FullKey(key), _stack.DisplayPath(_stack.StackFilePath));

    private ConfigTypeException WrongType(string key, string text, string type, ConfigValue? value)
    {
        var shown = value?.ContainsSecure == true ? PropertyValues.SecretDisplay : text;
        return new ConfigTypeException(FullKey(key), shown, type, value);
    }
}

/// <summary>A required key has no value. Text as Pulumi's, with our command.</summary>
public sealed class MissingRequiredConfigException(string key, string stackFile) : ConfigException(
    [new ConfigDiagnostic(stackFile, 0, 0, key, $"Missing Required configuration variable '{key}'", $"llmctl config set {key} <value>")],
    $"Missing Required configuration variable '{key}'\n\tplease set a value using the command `llmctl config set {key} <value>`")
{
    public string Key { get; } = key;
}

/// <summary>A value cannot be read as the type asked for. Text as Pulumi's.</summary>
public sealed class ConfigTypeException(string key, string value, string type, ConfigValue? at) : ConfigException(
    [new ConfigDiagnostic(at?.File ?? "", (int)(at?.Node.Start.Line ?? 0), (int)(at?.Node.Start.Column ?? 0), key,
        $"Configuration '{key}' value '{value}' is not a valid {type}", null)],
    $"Configuration '{key}' value '{value}' is not a valid {type}")
{
    public string Key { get; } = key;
}
