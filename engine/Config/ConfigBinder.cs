using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Engine.Config;

/// <summary>
/// Binds YAML nodes to records by reflection: camelCase keys ↔ property names, C# <c>required</c> members are
/// required keys, unknown keys are reported with the allowed keys and the closest match. Understands strings, ints,
/// longs, doubles, bools, enums (case-insensitive, '-' and '_' ignored: <c>llamacpp</c> → <c>LlamaCpp</c>),
/// <see cref="Quantity"/>, nullable values, lists, string-keyed dictionaries and nested records. Every problem is
/// collected with file:line:column and the key path; binding goes on past errors. A secret setting is an
/// <see cref="Output{T}"/> of string: it takes only a <c>{secure: …}</c> value, bound as a secret output decrypted on
/// first read (never a plain string on the way); a plain value there, or a secure value anywhere else, is an error.
/// </summary>
public sealed class ConfigBinder(Func<string, string>? decrypt = null)
{
    private readonly Dictionary<object, Location> _locations = new(ReferenceEqualityComparer.Instance);
    private readonly NullabilityInfoContext _nullability = new();

    private sealed record Location(DiagnosticBag File, YamlMappingNode Node, string KeyPath, Dictionary<string, YamlNode> Values);

    public T? Bind<T>(YamlNode node, string keyPath, DiagnosticBag diagnostics) =>
        (T?)Bind(typeof(T), node, keyPath, diagnostics);

    public object? Bind(Type type, YamlNode node, string keyPath, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(diagnostics);
        return BindValue(type, nullable: false, node, keyPath, diagnostics);
    }

    /// <summary>The YAML node a bound record (or one of its properties, by C# name) came from, for later checks.</summary>
    public YamlNode? NodeOf(object instance, string? property = null)
    {
        if (!_locations.TryGetValue(instance, out var loc)) return null;
        return property is null ? loc.Node : loc.Values.GetValueOrDefault(KeyName(property));
    }

    /// <summary>The key path of a bound record or of one of its properties.</summary>
    public string? PathOf(object instance, string? property = null) =>
        _locations.TryGetValue(instance, out var loc) ? property is null ? loc.KeyPath : $"{loc.KeyPath}.{KeyName(property)}" : null;

    /// <summary>Reports a problem at a bound record's property (or the record), in the file it came from.</summary>
    public void Report(object instance, string? property, string message, string? fix = null)
    {
        if (!_locations.TryGetValue(instance, out var loc)) throw new ArgumentException("not a bound instance", nameof(instance));
        loc.File.Add(NodeOf(instance, property) ?? loc.Node, PathOf(instance, property)!, message, fix);
    }

    public static string KeyName(string propertyName) =>
        propertyName.Length == 0 ? propertyName : char.ToLowerInvariant(propertyName[0]) + propertyName[1..];

    public static bool IsRequired(PropertyInfo property) => property.IsDefined(typeof(RequiredMemberAttribute), inherit: false);

    /// <summary>The properties bound as keys: public, instance, writable (init included), not indexers.</summary>
    public static IEnumerable<PropertyInfo> BindableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic && p.GetIndexParameters().Length == 0);

    private object? BindValue(Type type, bool nullable, YamlNode node, string path, DiagnosticBag diags)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            type = underlying;
            nullable = true;
        }
        if (node is YamlScalarNode nullNode && YamlJson.IsPlain(nullNode) && YamlJson.IsNull(nullNode.Value ?? ""))
        {
            if (nullable) return null;
            if (type == typeof(string) || IsRecord(type) || IsList(type, out _) || IsDictionary(type, out _))
            {
                diags.Add(node, path, $"expected {Expected(type)}, got nothing", $"give a value, or remove '{LastKey(path)}' to use the default");
                return null;
            }
        }

        if (type == typeof(string)) return BindString(node, path, diags);
        if (type == typeof(Model.Output<string>)) return BindSecret(node, path, diags);
        if (type == typeof(int) || type == typeof(long)) return BindInteger(type, node, path, diags);
        if (type == typeof(bool))
        {
            if (node is YamlScalarNode s && YamlJson.TryBool(s.Value ?? "", out var b)) return b;
            return Fail(node, path, diags, "true or false", "write true or false");
        }
        if (type == typeof(double))
        {
            if (node is YamlScalarNode s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
            return Fail(node, path, diags, "a number", "write a number such as 0.5");
        }
        if (type == typeof(Quantity)) return BindQuantity(node, path, diags);
        if (type.IsEnum) return BindEnum(type, node, path, diags);
        if (IsDictionary(type, out var valueType)) return BindDictionary(valueType!, node, path, diags);
        if (IsList(type, out var itemType)) return BindList(type, itemType!, node, path, diags);
        if (IsRecord(type)) return BindRecord(type, node, path, diags);
        throw new NotSupportedException($"ConfigBinder cannot bind {type}");
    }

    private string? BindString(YamlNode node, string path, DiagnosticBag diags)
    {
        if (node is YamlScalarNode s) return s.Value ?? "";
        if (YamlJson.TryGetSecure(node, out _))
        {
            diags.Add(node, path, "a secret value is not accepted here", $"this setting is not secret: write '{LastKey(path)}' in plain text");
            return null;
        }
        Fail(node, path, diags, "a text value", null);
        return null;
    }

    private Model.Output<string>? BindSecret(YamlNode node, string path, DiagnosticBag diags)
    {
        if (YamlJson.TryGetSecure(node, out var ciphertext))
        {
            if (decrypt is not null) return Model.Output.CreateSecret(new Lazy<string>(() => decrypt(ciphertext)));
            diags.Add(node, path, "a secret value cannot be read here (no secrets provider)");
            return null;
        }
        var colon = path.IndexOf(':', StringComparison.Ordinal);
        diags.Add(node, path, "this setting is a secret but is stored in plain text",
            $"set it with 'llmctl config set --secret --path {path[(colon + 1)..]} <value>'");
        return null;
    }

    private object? BindInteger(Type type, YamlNode node, string path, DiagnosticBag diags)
    {
        if (node is YamlScalarNode s && YamlJson.TryInteger(s.Value ?? "", out var l))
        {
            if (type == typeof(long)) return l;
            if (l is >= int.MinValue and <= int.MaxValue) return (int)l;
            diags.Add(node, path, $"{l} is too large", $"write a whole number up to {int.MaxValue}");
            return null;
        }
        return Fail(node, path, diags, "an integer", "write a whole number such as 8080");
    }

    private static object? BindQuantity(YamlNode node, string path, DiagnosticBag diags)
    {
        if (node is not YamlScalarNode s) return Fail(node, path, diags, "a quantity", "write a quantity such as 24Gi or 500m");
        if (Quantity.TryParse(s.Value, out var q, out var error))
        {
            // Every quantity a stack file gives is an amount (memory, CPUs, a volume's size): never below zero.
            if (q.Value >= 0) return q;
            diags.Add(node, path, $"'{q.Text}' is negative", "give an amount of zero or more");
            return null;
        }
        var semicolon = error.IndexOf("; ", StringComparison.Ordinal);
        diags.Add(node, path, semicolon < 0 ? error : error[..semicolon], semicolon < 0 ? null : error[(semicolon + 2)..]);
        return null;
    }

    private static object? BindEnum(Type type, YamlNode node, string path, DiagnosticBag diags)
    {
        var allowed = Enum.GetNames(type).Select(n => n.ToLowerInvariant()).ToArray();
        if (node is YamlScalarNode s)
        {
            var wanted = Normalize(s.Value ?? "");
            foreach (var name in Enum.GetNames(type))
            {
                if (Normalize(name) == wanted) return Enum.Parse(type, name);
            }
            diags.Add(node, path, $"'{s.Value}' is not one of {string.Join(", ", allowed)}",
                Suggest.DidYouMean(s.Value ?? "", allowed) ?? $"use one of {string.Join(", ", allowed)}");
            return null;
        }
        return Fail(node, path, diags, "one of " + string.Join(", ", allowed), null);

        static string Normalize(string text) => text.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
    }

    private object? BindList(Type type, Type itemType, YamlNode node, string path, DiagnosticBag diags)
    {
        if (node is not YamlSequenceNode seq) return Fail(node, path, diags, "a list", $"write each item on its own line starting with '- '");
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(itemType))!;
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var item = BindValue(itemType, nullable: false, seq.Children[i], $"{path}[{i}]", diags);
            if (item is not null) list.Add(item);
        }
        if (type.IsArray)
        {
            var array = Array.CreateInstance(itemType, list.Count);
            list.CopyTo(array, 0);
            return array;
        }
        return list;
    }

    private object? BindDictionary(Type valueType, YamlNode node, string path, DiagnosticBag diags)
    {
        if (node is not YamlMappingNode map) return Fail(node, path, diags, "a mapping of key: value", null);
        var dict = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType), StringComparer.Ordinal)!;
        foreach (var (k, v) in map.Children)
        {
            var key = YamlJson.KeyText(k);
            var value = BindValue(valueType, nullable: false, v, $"{path}.{key}", diags);
            if (value is not null) dict[key] = value;
        }
        return dict;
    }

    private object? BindRecord(Type type, YamlNode node, string path, DiagnosticBag diags)
    {
        if (node is not YamlMappingNode map) return Fail(node, path, diags, "a mapping of key: value", null);
        var instance = Activator.CreateInstance(type)!;
        var properties = BindableProperties(type).ToDictionary(p => KeyName(p.Name), StringComparer.Ordinal);
        var values = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        _locations[instance] = new Location(diags, map, path, values);

        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = YamlJson.KeyText(keyNode);
            var keyPath = path.Length == 0 ? key : $"{path}.{key}";
            if (!properties.TryGetValue(key, out var property))
            {
                var known = string.Join(", ", properties.Keys);
                var hint = Suggest.DidYouMean(key, properties.Keys);
                diags.Add(keyNode, keyPath, $"unknown key '{key}'", hint is null ? $"allowed keys: {known}" : $"{hint} allowed keys: {known}");
                continue;
            }
            values[key] = valueNode;
            var nullable = _nullability.Create(property).WriteState == NullabilityState.Nullable;
            var value = BindValue(property.PropertyType, nullable, valueNode, keyPath, diags);
            if (value is not null || nullable) property.SetValue(instance, value);
        }

        foreach (var (key, property) in properties)
        {
            if (IsRequired(property) && !values.ContainsKey(key))
            {
                diags.Add(map, path.Length == 0 ? key : $"{path}.{key}", $"missing required key '{key}'", $"add '{key}: <value>'" + (path.Length == 0 ? "" : $" under {path}"));
            }
        }
        return instance;
    }

    private static object? Fail(YamlNode node, string path, DiagnosticBag diags, string expected, string? fix)
    {
        diags.Add(node, path, $"expected {expected}, got {ProjectFile.Describe(node)}", fix);
        return null;
    }

    private static string Expected(Type type) => type == typeof(string) ? "a text value"
        : IsList(type, out _) ? "a list" : "a mapping of key: value";

    private static string LastKey(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? path : path[(dot + 1)..];
    }

    private static bool IsRecord(Type type) => type.IsClass && type != typeof(string) && type.GetConstructor(Type.EmptyTypes) is not null;

    private static bool IsList(Type type, out Type? itemType)
    {
        itemType = type.IsArray ? type.GetElementType() : null;
        if (itemType is not null) return true;
        if (type.IsGenericType)
        {
            var def = type.GetGenericTypeDefinition();
            if (def == typeof(IReadOnlyList<>) || def == typeof(List<>) || def == typeof(IList<>)
                || def == typeof(IEnumerable<>) || def == typeof(IReadOnlyCollection<>) || def == typeof(ICollection<>))
            {
                itemType = type.GetGenericArguments()[0];
                return true;
            }
        }
        return false;
    }

    private static bool IsDictionary(Type type, out Type? valueType)
    {
        valueType = null;
        if (!type.IsGenericType) return false;
        var def = type.GetGenericTypeDefinition();
        if ((def == typeof(IReadOnlyDictionary<,>) || def == typeof(Dictionary<,>) || def == typeof(IDictionary<,>))
            && type.GetGenericArguments()[0] == typeof(string))
        {
            valueType = type.GetGenericArguments()[1];
            return true;
        }
        return false;
    }
}
