using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Engine.Config;

/// <summary>
/// Marks a record bound from configuration by <see cref="ConfigBinder"/>. The record must be <c>partial</c> (and so
/// must the types it is nested in): the source generator in <c>generators/Llmctl.Generators</c> makes it implement
/// <see cref="IConfigRecord{TSelf}"/> with its <see cref="ConfigRecordShape{T}"/> — its keys, their types and how to
/// set them — so binding needs no reflection (Native AOT trims the metadata reflection would read). A property whose
/// type the binder cannot bind, or a record-typed property whose record is not marked, is a compile-time error.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ConfigRecordAttribute : Attribute;

/// <summary>A record with a generated configuration shape (see <see cref="ConfigRecordAttribute"/>).</summary>
public interface IConfigRecord<TSelf> where TSelf : class, IConfigRecord<TSelf>
{
    static abstract ConfigRecordShape<TSelf> ConfigShape { get; }
}

/// <summary>The keys of a configuration record, in declaration order, and how to make one.</summary>
public abstract class ConfigRecordShape
{
    private Dictionary<string, ConfigMember>? _byKey;

    /// <summary>The record's type (for messages and tests; nothing is reflected on it).</summary>
    public abstract Type RecordType { get; }

    /// <summary>The bound properties: public, instance, settable (init included), in declaration order.</summary>
    public abstract IReadOnlyList<ConfigMember> Members { get; }

    /// <summary>A new record with every default in place (required members left at their type's default).</summary>
    public abstract object Create();

    /// <summary>The member bound from a camelCase key, or null.</summary>
    public ConfigMember? Find(string key) =>
        (_byKey ??= Members.ToDictionary(m => m.Key, StringComparer.Ordinal)).GetValueOrDefault(key);

    /// <summary>The shape of a marked record.</summary>
    public static ConfigRecordShape<T> Of<T>() where T : class, IConfigRecord<T> => T.ConfigShape;
}

public sealed class ConfigRecordShape<T>(Func<T> create, ConfigMember<T>[] members) : ConfigRecordShape where T : class
{
    public override Type RecordType => typeof(T);
    public override IReadOnlyList<ConfigMember> Members { get; } = members;
    public override object Create() => create();
}

/// <summary>One bound property: its key, value type, whether it is required and whether it takes null.</summary>
public abstract class ConfigMember(string name, ConfigValueShape type, bool required, bool nullable)
{
    /// <summary>The C# property name.</summary>
    public string Name { get; } = name;
    /// <summary>The YAML key: the property name in camelCase.</summary>
    public string Key { get; } = ConfigBinder.KeyName(name);
    public ConfigValueShape Type { get; } = type;
    /// <summary>A C# <c>required</c> member: a required key.</summary>
    public bool Required { get; } = required;
    /// <summary>Declared nullable (<c>string?</c>, <c>int?</c>): an explicit null is a value.</summary>
    public bool Nullable { get; } = nullable;

    /// <summary>Sets the property on a record of this shape (init-only setters included).</summary>
    public abstract void Set(object instance, object? value);

    public override string ToString() =>
        $"{Key}: {Type}{(Nullable && Type is not ConfigValueShape.OptionalType ? "?" : "")}{(Required ? " (required)" : "")}";
}

public sealed class ConfigMember<T>(string name, ConfigValueShape type, bool required, bool nullable, Action<T, object?> set)
    : ConfigMember(name, type, required, nullable) where T : class
{
    public override void Set(object instance, object? value) => set((T)instance, value);
}

/// <summary>
/// What a configuration value binds to. The generator composes these from the property types; each binds a YAML node
/// and reports what is wrong with file:line:column and the key path.
/// </summary>
public abstract class ConfigValueShape
{
    public static ConfigValueShape String { get; } = new Scalar("string", (b, n, p, d) => b.BindString(n, p, d), "a text value");
    public static ConfigValueShape Int32 { get; } = new Scalar("int", (b, n, p, d) => ConfigBinder.BindInteger(long32: true, n, p, d), null);
    public static ConfigValueShape Int64 { get; } = new Scalar("long", (b, n, p, d) => ConfigBinder.BindInteger(long32: false, n, p, d), null);
    public static ConfigValueShape Double { get; } = new Scalar("double", (_, n, p, d) => ConfigBinder.BindDouble(n, p, d), null);
    public static ConfigValueShape Boolean { get; } = new Scalar("bool", (_, n, p, d) => ConfigBinder.BindBoolean(n, p, d), null);
    public static ConfigValueShape Quantity { get; } = new Scalar("quantity", (_, n, p, d) => ConfigBinder.BindQuantity(n, p, d), null);
    /// <summary>An <c>Output&lt;string&gt;</c>: a secret, taking only a <c>{secure: …}</c> value.</summary>
    public static ConfigValueShape Secret { get; } = new Scalar("secret", (b, n, p, d) => b.BindSecret(n, p, d), null);

    /// <summary>A <see cref="System.Nullable{T}"/> of a value type: null is a value.</summary>
    public static ConfigValueShape Optional(ConfigValueShape inner) => new OptionalType(inner);

    /// <summary>An enum; names in <c>Enum.GetNames</c> order (by value), matched ignoring case, '-' and '_'.</summary>
    public static ConfigValueShape Enum<TEnum>(string[] names, TEnum[] values) where TEnum : struct, System.Enum =>
        new EnumType<TEnum>(names, values);

    /// <summary>A list (<c>IReadOnlyList&lt;T&gt;</c> and the like, bound as <c>List&lt;T&gt;</c>) or an array.</summary>
    public static ConfigValueShape List<TItem>(ConfigValueShape item, bool array) => new ListType<TItem>(item, array);

    /// <summary>A string-keyed dictionary, bound as an ordinal <c>Dictionary&lt;string, T&gt;</c>.</summary>
    public static ConfigValueShape Dictionary<TValue>(ConfigValueShape value) => new DictionaryType<TValue>(value);

    /// <summary>A nested record (its shape is read when first bound, so records may refer to each other).</summary>
    public static ConfigValueShape Record<T>() where T : class, IConfigRecord<T> => new RecordType<T>();

    /// <summary>What "got nothing" names for a null where a value is needed; null: the type's own check reports it.</summary>
    internal virtual string? NothingExpected => null;

    internal abstract object? Bind(ConfigBinder binder, YamlNode node, string path, DiagnosticBag diags);

    private sealed class Scalar(string name, Func<ConfigBinder, YamlNode, string, DiagnosticBag, object?> bind, string? nothing) : ConfigValueShape
    {
        internal override string? NothingExpected => nothing;
        internal override object? Bind(ConfigBinder binder, YamlNode node, string path, DiagnosticBag diags) => bind(binder, node, path, diags);
        public override string ToString() => name;
    }

    internal sealed class OptionalType(ConfigValueShape inner) : ConfigValueShape
    {
        public ConfigValueShape Inner { get; } = inner;
        internal override string? NothingExpected => Inner.NothingExpected;
        internal override object? Bind(ConfigBinder binder, YamlNode node, string path, DiagnosticBag diags) => Inner.Bind(binder, node, path, diags);
        public override string ToString() => $"{Inner}?";
    }

    private sealed class EnumType<TEnum>(string[] names, TEnum[] values) : ConfigValueShape where TEnum : struct, System.Enum
    {
        internal override object? Bind(ConfigBinder binder, YamlNode node, string path, DiagnosticBag diags)
        {
            var allowed = names.Select(n => n.ToLowerInvariant()).ToArray();
            if (node is YamlScalarNode s)
            {
                var wanted = Normalize(s.Value ?? "");
                for (var i = 0; i < names.Length; i++)
                {
                    if (Normalize(names[i]) == wanted) return values[i];
                }
                diags.Add(node, path, $"'{s.Value}' is not one of {string.Join(", ", allowed)}",
                    Suggest.DidYouMean(s.Value ?? "", allowed) ?? $"use one of {string.Join(", ", allowed)}");
                return null;
            }
            return ConfigBinder.Fail(node, path, diags, "one of " + string.Join(", ", allowed), null);

            static string Normalize(string text) => text.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        }

        public override string ToString() => $"enum {typeof(TEnum).Name} ({string.Join(", ", names)})";
    }

    private sealed class ListType<TItem>(ConfigValueShape item, bool array) : ConfigValueShape
    {
        internal override string? NothingExpected => "a list";

        internal override object? Bind(ConfigBinder binder, YamlNode node, string path, DiagnosticBag diags)
        {
            if (node is not YamlSequenceNode seq) return ConfigBinder.Fail(node, path, diags, "a list", "write each item on its own line starting with '- '");
            var list = new List<TItem>(seq.Children.Count);
            for (var i = 0; i < seq.Children.Count; i++)
            {
                var value = binder.BindValue(item, nullable: false, seq.Children[i], $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", diags);
                if (value is not null) list.Add((TItem)value);
            }
            return array ? list.ToArray() : list;
        }

        public override string ToString() => array ? $"{item}[]" : $"list of {item}";
    }

    private sealed class DictionaryType<TValue>(ConfigValueShape value) : ConfigValueShape
    {
        internal override string? NothingExpected => "a mapping of key: value";

        internal override object? Bind(ConfigBinder binder, YamlNode node, string path, DiagnosticBag diags)
        {
            if (node is not YamlMappingNode map) return ConfigBinder.Fail(node, path, diags, "a mapping of key: value", null);
            var dict = new Dictionary<string, TValue>(StringComparer.Ordinal);
            foreach (var (k, v) in map.Children)
            {
                var key = YamlJson.KeyText(k);
                var bound = binder.BindValue(value, nullable: false, v, $"{path}.{key}", diags);
                if (bound is not null) dict[key] = (TValue)bound;
            }
            return dict;
        }

        public override string ToString() => $"map of {value}";
    }

    private sealed class RecordType<T> : ConfigValueShape where T : class, IConfigRecord<T>
    {
        internal override string? NothingExpected => "a mapping of key: value";
        internal override object? Bind(ConfigBinder binder, YamlNode node, string path, DiagnosticBag diags) => binder.BindRecord(T.ConfigShape, node, path, diags);
        public override string ToString() => typeof(T).Name;
    }
}
