using System.Collections.Immutable;
using Llmctl.Engine.Config;
using Llmctl.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Llmctl.Engine.Tests.Config;

/// <summary>
/// Runs the config-shape generator on small sources, as the compiler does: what the binder could not bind must fail
/// the build with a readable error, and a well-formed record must compile with its shape.
/// </summary>
public class ConfigRecordGeneratorTests
{
    private static (ImmutableArray<Diagnostic> Generator, ImmutableArray<Diagnostic> Compile, string[] Sources) Run(string source)
    {
        // The test host's assemblies: the framework, Llmctl.Engine (the binder's types) and its dependencies.
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("Sample",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Preview), path: "Sample.cs")],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var driver = CSharpGeneratorDriver.Create(new ConfigRecordGenerator().AsSourceGenerator())
            .WithUpdatedParseOptions(new CSharpParseOptions(LanguageVersion.Preview));
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var sources = output.SyntaxTrees.Skip(1).Select(t => t.ToString()).ToArray();
        return (generatorDiagnostics, output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray(), sources);
    }

    private static string Messages(IEnumerable<Diagnostic> diagnostics) =>
        string.Join("\n", diagnostics.Select(d => $"{d.Id} {d.Location.GetLineSpan().StartLinePosition.Line + 1}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}"));

    [Fact]
    public void A_well_formed_record_compiles_with_its_shape()
    {
        var (generator, compile, sources) = Run("""
            using System.Collections.Generic;
            using Llmctl.Engine.Config;
            namespace Sample;
            public static partial class Outer
            {
                [ConfigRecord]
                public sealed partial record Root
                {
                    public required string Name { get; init; }
                    public Child? Child { get; init; }
                    public IReadOnlyList<Child> Children { get; init; } = [];
                    public int Mutable { get; set; }
                    public int Computed => 1;
                }
                [ConfigRecord]
                public sealed partial record Child { public int? Port { get; init; } }
            }
            """);

        Assert.Empty(generator);
        Assert.True(compile.IsEmpty, Messages(compile));
        var root = Assert.Single(sources, s => s.Contains("partial record Root", StringComparison.Ordinal));
        Assert.Contains("new(\"Name\", global::Llmctl.Engine.Config.ConfigValueShape.String, required: true, nullable: false", root, StringComparison.Ordinal);
        Assert.Contains("static (r, v) => r.Mutable = (int)v!", root, StringComparison.Ordinal);
        Assert.DoesNotContain("Computed", root, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_typed_property_whose_record_is_not_marked_fails_the_build()
    {
        var (generator, _, sources) = Run("""
            using System.Collections.Generic;
            using Llmctl.Engine.Config;
            namespace Sample;
            [ConfigRecord]
            public sealed partial record Root
            {
                public Forgotten? Extra { get; init; }
            }
            public sealed record Forgotten { public string Name { get; init; } = ""; }
            """);

        var error = Assert.Single(generator);
        Assert.Equal("LLMCFG003 7: 'Root.Extra' is bound as the record 'Sample.Forgotten', which is not a [ConfigRecord]: mark it [ConfigRecord] and declare it partial",
            Messages([error]));
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Empty(sources);
    }

    [Fact]
    public void A_property_the_binder_cannot_bind_fails_the_build()
    {
        var (generator, _, _) = Run("""
            using System.Collections.Generic;
            using Llmctl.Engine.Config;
            namespace Sample;
            [ConfigRecord]
            public sealed partial record Root
            {
                public float Ratio { get; init; }
                public Dictionary<int, string> ByNumber { get; init; } = [];
            }
            """);

        Assert.Equal(["LLMCFG002", "LLMCFG002"], generator.Select(d => d.Id));
        Assert.Contains("'Root.Ratio' has type 'float'", Messages(generator), StringComparison.Ordinal);
        Assert.Contains("'Root.ByNumber' has type 'System.Collections.Generic.Dictionary<int, string>'", Messages(generator), StringComparison.Ordinal);
    }

    [Fact]
    public void A_marked_record_that_is_not_partial_fails_the_build()
    {
        var (generator, _, _) = Run("""
            using System.Collections.Generic;
            using Llmctl.Engine.Config;
            namespace Sample;
            public class Outer
            {
                [ConfigRecord]
                public sealed partial record Root { public string Name { get; init; } = ""; }
            }
            """);

        Assert.Equal("LLMCFG001 7: 'Root' is a [ConfigRecord] and must be declared partial (and so must every type it is nested in), so its configuration shape can be generated",
            Messages(generator));
    }
}
