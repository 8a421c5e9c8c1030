using Llmctl.Engine.Config;

namespace Llmctl.Engine.Tests.Config;

public partial class ConfigBinderTests
{
    public enum Mode { FastPath, Safe }

    [ConfigRecord]
    public sealed partial record Settings
    {
        public required string Name { get; init; }
        public string? Note { get; init; }
        public long Big { get; init; }
        public double Ratio { get; init; }
        public Mode Mode { get; init; }
        public Quantity? Size { get; init; }
        public string[] Tags { get; init; } = [];
        public IReadOnlyDictionary<string, int> Weights { get; init; } = new Dictionary<string, int>();
        public Llmctl.Engine.Model.Output<string>? Token { get; init; }
        public string Plain { get; init; } = "";
    }

    private static (Settings? Value, DiagnosticBag Bag, ConfigBinder Binder) Bind(string yaml, Func<string, string>? decrypt = null)
    {
        var bag = new DiagnosticBag("s.yaml");
        var node = YamlDocumentReader.Read(yaml, bag)!;
        var binder = new ConfigBinder(decrypt);
        return (binder.Bind<Settings>(node, "app", bag), bag, binder);
    }

    [Fact]
    public void Every_supported_shape_binds()
    {
        var (s, bag, binder) = Bind("""
            name: x
            note: ~
            big: 9000000000
            ratio: 0.25
            mode: fast-path
            size: 500m
            tags: [a, b]
            weights: {a: 1, b: 2}
            token: {secure: ct}
            """, c => c == "ct" ? "plain" : "?");

        Assert.Empty(bag.Items);
        Assert.Equal(("x", null, 9_000_000_000L, 0.25, Mode.FastPath), (s!.Name, s.Note, s.Big, s.Ratio, s.Mode));
        Assert.Equal(0.5m, s.Size!.Value.Value);
        Assert.Equal(["a", "b"], s.Tags);
        Assert.Equal(2, s.Weights["b"]);
        var token = s.Token!.Resolve(new NothingKnown());
        Assert.Equal(("plain", true), (token.Value, token.IsSecret));
        Assert.Equal((7, 7), ((int)binder.NodeOf(s, nameof(Settings.Tags))!.Start.Line, (int)binder.NodeOf(s, nameof(Settings.Tags))!.Start.Column));
        Assert.Equal("app.tags", binder.PathOf(s, nameof(Settings.Tags)));
    }

    [Theory]
    [InlineData("size: 99999999999999999999999999Gi", 7, "app.size: '99999999999999999999999999Gi' is too large for a Kubernetes quantity — write a size such as 64Gi or 2Ti")]
    [InlineData("size: 1e1000", 7, "app.size: '1e1000' is too large for a Kubernetes quantity — write a size such as 64Gi or 2Ti")]
    [InlineData("size: -58Gi", 7, "app.size: '-58Gi' is negative — give an amount of zero or more")]
    public void A_quantity_too_large_or_negative_is_a_located_problem_not_a_crash(string line, int column, string expected)
    {
        var (_, bag, _) = Bind("name: x\n" + line + "\n");

        var problem = Assert.Single(bag.Items);
        Assert.Equal((2, column), (problem.Line, problem.Column));
        Assert.Equal("s.yaml:2:" + column + ": " + expected, problem.ToString());
    }

    [Fact]
    public void Problems_in_nested_values_carry_their_own_paths()
    {
        var (_, bag, _) = Bind("name: null\nmode: sfae\ntags: {a: 1}\nweights: {a: x}\ntoken: sk-in-clear\nplain: {secure: ct}\n", _ => "x");
        Assert.Equal(
        [
            "s.yaml:1:7: app.name: expected a text value, got nothing — give a value, or remove 'name' to use the default",
            "s.yaml:2:7: app.mode: 'sfae' is not one of fastpath, safe — did you mean 'safe'?",
            "s.yaml:3:7: app.tags: expected a list, got a mapping — write each item on its own line starting with '- '",
            "s.yaml:4:14: app.weights.a: expected an integer, got 'x' — write a whole number such as 8080",
            "s.yaml:5:8: app.token: this setting is a secret but is stored in plain text — set it with 'llmctl config set --secret --path app.token <value>'",
            "s.yaml:6:8: app.plain: a secret value is not accepted here — this setting is not secret: write 'plain' in plain text",
        ], bag.Items.Select(d => d.ToString()));
    }

    [Fact]
    public void The_generated_shape_lists_exactly_the_records_properties_with_their_types()
    {
        Llmctl.Testing.ConfigShapes.MatchesReflection(typeof(Settings));
        Assert.Equal(
        [
            "name: string (required)", "note: string?", "big: long", "ratio: double", "mode: enum Mode (FastPath, Safe)", "size: quantity?",
            "tags: string[]", "weights: map of int", "token: secret?", "plain: string",
        ], ConfigRecordShape.Of<Settings>().Members.Select(m => m.ToString()));
    }

    [Fact]
    public void Unknown_and_missing_keys_name_the_allowed_keys_from_the_shape()
    {
        var (_, bag, _) = Bind("nmae: x\n");
        Assert.Equal(
        [
            "s.yaml:1:1: app.nmae: unknown key 'nmae' — did you mean 'name'? allowed keys: name, note, big, ratio, mode, size, tags, weights, token, plain",
            "s.yaml:1:1: app.name: missing required key 'name' — add 'name: <value>' under app",
        ], bag.Items.Select(d => d.ToString()));
    }

    private sealed class NothingKnown : Llmctl.Engine.Model.IOutputSource
    {
        public System.Text.Json.Nodes.JsonObject? OutputsOf(Llmctl.Engine.Model.Resource resource) => null;
    }
}
