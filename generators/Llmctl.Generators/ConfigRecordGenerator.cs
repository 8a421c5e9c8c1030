using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Llmctl.Generators;

/// <summary>
/// Gives every <c>[ConfigRecord]</c> record its configuration shape (<c>IConfigRecord&lt;T&gt;.ConfigShape</c>): the
/// bound properties in declaration order, each with its camelCase key, value type, required-ness, nullability and a
/// setter (init-only setters through <c>[UnsafeAccessor]</c>), and a factory that keeps every default. The config
/// binder reads only these, so it needs no reflection and binds the same under Native AOT. What the binder could not
/// bind is a compile-time error here, not a runtime surprise: a property of an unsupported type (LLMCFG002), a
/// record-typed property whose record is not marked (LLMCFG003), a marked type that is not partial (LLMCFG001) or has
/// no parameterless constructor (LLMCFG004).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ConfigRecordGenerator : IIncrementalGenerator
{
    private const string AttributeName = "Llmctl.Engine.Config.ConfigRecordAttribute";
    private const string Runtime = "global::Llmctl.Engine.Config.";

    internal static readonly DiagnosticDescriptor NotPartial = new(
        "LLMCFG001", "Config record must be partial",
        "'{0}' is a [ConfigRecord] and must be declared partial (and so must every type it is nested in), so its configuration shape can be generated",
        "Llmctl.Config", DiagnosticSeverity.Error, isEnabledByDefault: true);

    internal static readonly DiagnosticDescriptor Unsupported = new(
        "LLMCFG002", "Config property type not supported",
        "'{0}.{1}' has type '{2}', which the config binder cannot bind: use string, int, long, double, bool, an enum, Quantity, Output<string> (a secret), a list, a string-keyed dictionary or a [ConfigRecord] record",
        "Llmctl.Config", DiagnosticSeverity.Error, isEnabledByDefault: true);

    internal static readonly DiagnosticDescriptor NotMarked = new(
        "LLMCFG003", "Nested config record is not marked",
        "'{0}.{1}' is bound as the record '{2}', which is not a [ConfigRecord]: mark it [ConfigRecord] and declare it partial",
        "Llmctl.Config", DiagnosticSeverity.Error, isEnabledByDefault: true);

    internal static readonly DiagnosticDescriptor NoConstructor = new(
        "LLMCFG004", "Config record cannot be created",
        "'{0}' is a [ConfigRecord] and must be a non-abstract, non-generic class or record with a parameterless constructor",
        "Llmctl.Config", DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly SymbolDisplayFormat PlainTypeFormat = SymbolDisplayFormat.FullyQualifiedFormat;

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var records = context.SyntaxProvider.ForAttributeWithMetadataName(
            AttributeName,
            static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
            static (ctx, ct) => Build((INamedTypeSymbol)ctx.TargetSymbol, ct));

        context.RegisterSourceOutput(records, static (spc, result) =>
        {
            foreach (var d in result.Diagnostics) spc.ReportDiagnostic(d.ToDiagnostic());
            if (result.Source is not null) spc.AddSource(result.HintName, result.Source);
        });
    }

    private static Result Build(INamedTypeSymbol type, CancellationToken ct)
    {
        var hint = type.ToDisplayString(PlainTypeFormat).Replace("global::", "").Replace('<', '[').Replace('>', ']') + ".ConfigShape.g.cs";
        var diags = new List<DiagInfo>();
        var location = type.Locations.FirstOrDefault();

        for (var t = type; t is not null; t = t.ContainingType)
        {
            var partial = t.DeclaringSyntaxReferences.Any(r => r.GetSyntax(ct) is TypeDeclarationSyntax d && d.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!partial)
            {
                diags.Add(DiagInfo.Create(NotPartial, location, type.Name));
                return new Result(hint, null, new EquatableArray<DiagInfo>(diags));
            }
        }
        if (type.TypeKind != TypeKind.Class || type.IsAbstract || type.IsStatic || type.IsGenericType
            || !type.InstanceConstructors.Any(c => c.Parameters.Length == 0))
        {
            diags.Add(DiagInfo.Create(NoConstructor, location, type.Name));
            return new Result(hint, null, new EquatableArray<DiagInfo>(diags));
        }

        var self = type.ToDisplayString(PlainTypeFormat);
        var members = new StringBuilder();
        var accessors = new StringBuilder();
        var required = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        // As Type.GetProperties(Public | Instance) sees them: the type's own in declaration order, then its bases'.
        for (var t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
        {
            foreach (var property in t.GetMembers().OfType<IPropertySymbol>())
            {
                ct.ThrowIfCancellationRequested();
                if (property.IsStatic || property.IsIndexer || property.DeclaredAccessibility != Accessibility.Public
                    || property.SetMethod is not { DeclaredAccessibility: Accessibility.Public } setter || !seen.Add(property.Name))
                {
                    continue;
                }
                var valueType = Classify(property.Type, type, property, diags);
                if (valueType is null) continue;
                var nullable = property.Type.NullableAnnotation == NullableAnnotation.Annotated
                    || property.Type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;
                var typeText = property.Type.ToDisplayString(TypeFormat);
                var cast = nullable ? $"({typeText})v" : $"({typeText})v!";
                var name = Identifier(property.Name);
                string set;
                if (setter.IsInitOnly)
                {
                    var accessor = "Set" + index.ToString(CultureInfo.InvariantCulture);
                    accessors.Append("        [global::System.Runtime.CompilerServices.UnsafeAccessor(global::System.Runtime.CompilerServices.UnsafeAccessorKind.Method, Name = \"")
                        .Append(setter.Name).Append("\")]\n")
                        .Append("        private static extern void ").Append(accessor).Append('(')
                        .Append(property.ContainingType.ToDisplayString(PlainTypeFormat)).Append(" target, ").Append(typeText).Append(" value);\n");
                    set = $"static (r, v) => {accessor}(r, {cast})";
                }
                else
                {
                    set = $"static (r, v) => r.{name} = {cast}";
                }
                if (property.IsRequired) required.Add(name);
                members.Append("                new(").Append(Literal(property.Name)).Append(", ").Append(valueType)
                    .Append(", required: ").Append(property.IsRequired ? "true" : "false")
                    .Append(", nullable: ").Append(nullable ? "true" : "false")
                    .Append(", ").Append(set).Append("),\n");
                index++;
            }
        }
        if (diags.Count > 0) return new Result(hint, null, new EquatableArray<DiagInfo>(diags));

        var source = new StringBuilder();
        source.Append("// <auto-generated/> by Llmctl.Generators.ConfigRecordGenerator\n#nullable enable\n");
        var ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
        if (ns is not null) source.Append("namespace ").Append(ns).Append(";\n\n");
        var containers = new List<INamedTypeSymbol>();
        for (var t = type.ContainingType; t is not null; t = t.ContainingType) containers.Insert(0, t);
        foreach (var c in containers) source.Append("partial ").Append(Keyword(c)).Append(' ').Append(c.Name).Append("\n{\n");

        var create = required.Count == 0
            ? $"new {self}()"
            : $"new {self} {{ {string.Join(", ", required.Select(r => r + " = default!"))} }}";
        source.Append("partial ").Append(Keyword(type)).Append(' ').Append(type.Name).Append(" : ").Append(Runtime).Append("IConfigRecord<").Append(self).Append(">\n{\n")
            .Append("    static ").Append(Runtime).Append("ConfigRecordShape<").Append(self).Append("> ").Append(Runtime).Append("IConfigRecord<").Append(self)
            .Append(">.ConfigShape => LlmctlConfigShape.Value;\n\n")
            .Append("    private static class LlmctlConfigShape\n    {\n")
            .Append("        internal static readonly ").Append(Runtime).Append("ConfigRecordShape<").Append(self).Append("> Value = new(\n")
            .Append("            static () => ").Append(create).Append(",\n")
            .Append("            [\n").Append(members).Append("            ]);\n");
        if (accessors.Length > 0) source.Append('\n').Append(accessors);
        source.Append("    }\n}\n");
        foreach (var _ in containers) source.Append("}\n");
        return new Result(hint, source.ToString(), new EquatableArray<DiagInfo>(diags));
    }

    // The ConfigValueShape expression for a property type, as the binder understands it; null with a diagnostic if none.
    private static string? Classify(ITypeSymbol t, INamedTypeSymbol owner, IPropertySymbol property, List<DiagInfo> diags)
    {
        var location = property.Locations.FirstOrDefault();
        if (t is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } optional)
        {
            return Classify(optional.TypeArguments[0], owner, property, diags) is { } inner ? $"{Runtime}ConfigValueShape.Optional({inner})" : null;
        }
        switch (t.SpecialType)
        {
            case SpecialType.System_String: return $"{Runtime}ConfigValueShape.String";
            case SpecialType.System_Int32: return $"{Runtime}ConfigValueShape.Int32";
            case SpecialType.System_Int64: return $"{Runtime}ConfigValueShape.Int64";
            case SpecialType.System_Double: return $"{Runtime}ConfigValueShape.Double";
            case SpecialType.System_Boolean: return $"{Runtime}ConfigValueShape.Boolean";
        }
        var plain = t.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(PlainTypeFormat);
        if (plain == "global::Llmctl.Engine.Config.Quantity") return $"{Runtime}ConfigValueShape.Quantity";
        if (t is INamedTypeSymbol named && named.IsGenericType)
        {
            var definition = named.OriginalDefinition.ToDisplayString(PlainTypeFormat);
            var args = named.TypeArguments;
            if (definition == "global::Llmctl.Engine.Model.Output<T>" && args[0].SpecialType == SpecialType.System_String)
            {
                return $"{Runtime}ConfigValueShape.Secret";
            }
            if (definition is "global::System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>"
                    or "global::System.Collections.Generic.Dictionary<TKey, TValue>"
                    or "global::System.Collections.Generic.IDictionary<TKey, TValue>"
                && args[0].SpecialType == SpecialType.System_String)
            {
                return Classify(args[1], owner, property, diags) is { } value
                    ? $"{Runtime}ConfigValueShape.Dictionary<{Arg(args[1])}>({value})" : null;
            }
            if (definition is "global::System.Collections.Generic.IReadOnlyList<T>" or "global::System.Collections.Generic.List<T>"
                or "global::System.Collections.Generic.IList<T>" or "global::System.Collections.Generic.IEnumerable<T>"
                or "global::System.Collections.Generic.IReadOnlyCollection<T>" or "global::System.Collections.Generic.ICollection<T>")
            {
                return Classify(args[0], owner, property, diags) is { } item
                    ? $"{Runtime}ConfigValueShape.List<{Arg(args[0])}>({item}, array: false)" : null;
            }
        }
        if (t is IArrayTypeSymbol { Rank: 1 } array)
        {
            return Classify(array.ElementType, owner, property, diags) is { } item
                ? $"{Runtime}ConfigValueShape.List<{Arg(array.ElementType)}>({item}, array: true)" : null;
        }
        if (t.TypeKind == TypeKind.Enum && t is INamedTypeSymbol enumType)
        {
            // Enum.GetNames order: by value, as unsigned; declaration order among equal values.
            var fields = enumType.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue)
                .Select((f, i) => (f.Name, Value: unchecked(f.ConstantValue is ulong u ? u : (ulong)Convert.ToInt64(f.ConstantValue, CultureInfo.InvariantCulture)), i))
                .OrderBy(f => f.Value).ThenBy(f => f.i).ToList();
            var names = string.Join(", ", fields.Select(f => Literal(f.Name)));
            var values = string.Join(", ", fields.Select(f => $"{plain}.{Identifier(f.Name)}"));
            return $"{Runtime}ConfigValueShape.Enum<{plain}>([{names}], [{values}])";
        }
        if (t.TypeKind == TypeKind.Class && t.SpecialType == SpecialType.None && t is INamedTypeSymbol record && !record.IsGenericType)
        {
            if (record.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == AttributeName))
            {
                return $"{Runtime}ConfigValueShape.Record<{plain}>()";
            }
            diags.Add(DiagInfo.Create(NotMarked, location, owner.Name, property.Name, Shown(t)));
            return null;
        }
        diags.Add(DiagInfo.Create(Unsupported, location, owner.Name, property.Name, Shown(t)));
        return null;
    }

    private static string Shown(ITypeSymbol t) => t.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString();

    private static string Arg(ITypeSymbol t) =>
        t.WithNullableAnnotation(t.IsReferenceType ? NullableAnnotation.NotAnnotated : t.NullableAnnotation).ToDisplayString(PlainTypeFormat);

    private static string Keyword(INamedTypeSymbol t) => t switch
    {
        { IsRecord: true, IsValueType: true } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);

    private sealed record Result(string HintName, string? Source, EquatableArray<DiagInfo> Diagnostics);

    /// <summary>A diagnostic kept as plain values, so the pipeline's results compare by value and cache.</summary>
    private sealed record DiagInfo(string Id, string? FilePath, TextSpan Span, LinePositionSpan Lines, EquatableArray<string> Args)
    {
        public static DiagInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] args) => new(
            descriptor.Id, location?.SourceTree?.FilePath, location?.SourceSpan ?? default,
            location?.GetLineSpan().Span ?? default, new EquatableArray<string>(args));

        public Diagnostic ToDiagnostic()
        {
            var descriptor = Id switch
            {
                "LLMCFG001" => NotPartial,
                "LLMCFG002" => Unsupported,
                "LLMCFG003" => NotMarked,
                _ => NoConstructor,
            };
            var location = FilePath is null ? Location.None : Location.Create(FilePath, Span, Lines);
            return Diagnostic.Create(descriptor, location, Args.Items.Cast<object>().ToArray());
        }
    }
}

/// <summary>An immutable array compared by its items (ImmutableArray compares by reference).</summary>
internal readonly struct EquatableArray<T>(IEnumerable<T> items) : IEquatable<EquatableArray<T>> where T : IEquatable<T>
{
    private readonly ImmutableArray<T> _items = items.ToImmutableArray();

    public ImmutableArray<T> Items => _items.IsDefault ? ImmutableArray<T>.Empty : _items;

    public bool Equals(EquatableArray<T> other) => Items.SequenceEqual(other.Items);

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode() => Items.Aggregate(17, (h, x) => unchecked((h * 31) + (x?.GetHashCode() ?? 0)));

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();
}
