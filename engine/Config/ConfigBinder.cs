using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Engine.Config;

/// <summary>
/// Binds YAML nodes to configuration records through their generated shapes (<see cref="ConfigRecordAttribute"/>; no
/// reflection, so it works the same in a Native AOT build): camelCase keys ↔ property names, C# <c>required</c>
/// members are required keys, unknown keys are reported with the allowed keys and the closest match. Understands
/// strings, ints, longs, doubles, bools, enums (case-insensitive, '-' and '_' ignored: <c>llamacpp</c> →
/// <c>LlamaCpp</c>), <see cref="Quantity"/>, nullable values, lists, string-keyed dictionaries and nested records.
/// Every problem is collected with file:line:column and the key path; binding goes on past errors. A secret setting is
/// an <see cref="Output{T}"/> of string: it takes only a <c>{secure: …}</c> value, bound as a secret output decrypted
/// on first read (never a plain string on the way); a plain value there, or a secure value anywhere else, is an error.
/// </summary>
public sealed class ConfigBinder(Func<string, string>? decrypt = null)
{
    private readonly Dictionary<object, Location> _locations = new(ReferenceEqualityComparer.Instance);

    private sealed record Location(DiagnosticBag File, YamlMappingNode Node, string KeyPath, Dictionary<string, YamlNode> Values);

    public T? Bind<T>(YamlNode node, string keyPath, DiagnosticBag diagnostics) where T : class, IConfigRecord<T> =>
        (T?)Bind(ConfigValueShape.Record<T>(), node, keyPath, diagnostics);

    /// <summary>Binds a value of the given type (a section of a record, say); null when it cannot be bound.</summary>
    public object? Bind(ConfigValueShape type, YamlNode node, string keyPath, DiagnosticBag diagnostics)
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

    internal object? BindValue(ConfigValueShape type, bool nullable, YamlNode node, string path, DiagnosticBag diags)
    {
        if (type is ConfigValueShape.OptionalType optional)
        {
            type = optional.Inner;
            nullable = true;
        }
        if (node is YamlScalarNode nullNode && YamlJson.IsPlain(nullNode) && YamlJson.IsNull(nullNode.Value ?? ""))
        {
            if (nullable) return null;
            if (type.NothingExpected is { } expected)
            {
                diags.Add(node, path, $"expected {expected}, got nothing", $"give a value, or remove '{LastKey(path)}' to use the default");
                return null;
            }
        }
        return type.Bind(this, node, path, diags);
    }

    internal string? BindString(YamlNode node, string path, DiagnosticBag diags)
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

    internal Model.Output<string>? BindSecret(YamlNode node, string path, DiagnosticBag diags)
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

    internal static object? BindInteger(bool long32, YamlNode node, string path, DiagnosticBag diags)
    {
        if (node is YamlScalarNode s && YamlJson.TryInteger(s.Value ?? "", out var l))
        {
            if (!long32) return l;
            if (l is >= int.MinValue and <= int.MaxValue) return (int)l;
            diags.Add(node, path, $"{l} is too large", $"write a whole number up to {int.MaxValue}");
            return null;
        }
        return Fail(node, path, diags, "an integer", "write a whole number such as 8080");
    }

    internal static object? BindBoolean(YamlNode node, string path, DiagnosticBag diags) =>
        node is YamlScalarNode s && YamlJson.TryBool(s.Value ?? "", out var b) ? b : Fail(node, path, diags, "true or false", "write true or false");

    internal static object? BindDouble(YamlNode node, string path, DiagnosticBag diags) =>
        node is YamlScalarNode s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d : Fail(node, path, diags, "a number", "write a number such as 0.5");

    internal static object? BindQuantity(YamlNode node, string path, DiagnosticBag diags)
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

    internal object? BindRecord(ConfigRecordShape shape, YamlNode node, string path, DiagnosticBag diags)
    {
        if (node is not YamlMappingNode map) return Fail(node, path, diags, "a mapping of key: value", null);
        var instance = shape.Create();
        var values = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        _locations[instance] = new Location(diags, map, path, values);

        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = YamlJson.KeyText(keyNode);
            var keyPath = path.Length == 0 ? key : $"{path}.{key}";
            if (shape.Find(key) is not { } member)
            {
                var keys = shape.Members.Select(m => m.Key).ToList();
                var known = string.Join(", ", keys);
                var hint = Suggest.DidYouMean(key, keys);
                diags.Add(keyNode, keyPath, $"unknown key '{key}'", hint is null ? $"allowed keys: {known}" : $"{hint} allowed keys: {known}");
                continue;
            }
            values[key] = valueNode;
            var value = BindValue(member.Type, member.Nullable, valueNode, keyPath, diags);
            if (value is not null || member.Nullable) member.Set(instance, value);
        }

        foreach (var member in shape.Members)
        {
            if (member.Required && !values.ContainsKey(member.Key))
            {
                var key = member.Key;
                diags.Add(map, path.Length == 0 ? key : $"{path}.{key}", $"missing required key '{key}'", $"add '{key}: <value>'" + (path.Length == 0 ? "" : $" under {path}"));
            }
        }
        return instance;
    }

    internal static object? Fail(YamlNode node, string path, DiagnosticBag diags, string expected, string? fix)
    {
        diags.Add(node, path, $"expected {expected}, got {ProjectFile.Describe(node)}", fix);
        return null;
    }

    private static string LastKey(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? path : path[(dot + 1)..];
    }
}
