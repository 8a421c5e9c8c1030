using System.Text;
using Llmctl.Engine.Config;

namespace Llmctl.Engine.Tests.Config;

/// <summary>
/// Hostile and broken YAML is answered with a located diagnostic, never a crash, a hang or unbounded memory: the
/// limits of <see cref="YamlLimits"/> hold for every file llmctl reads. (How fast is a benchmark: docs/benchmarks.md.)
/// </summary>
public sealed class YamlLimitsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmctl-yaml-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (YamlDotNet.RepresentationModel.YamlNode? Root, List<string> Problems) Read(string text)
    {
        var bag = new DiagnosticBag("f.yaml");
        var root = YamlDocumentReader.Read(text, bag);
        return (root, bag.Items.Select(d => d.ToString()).ToList());
    }

    [Fact]
    public void Twenty_thousand_nested_brackets_stop_at_the_depth_limit_with_the_line_and_column()
    {
        var (root, problems) = Read("config:\n  kubernetes:context: " + new string('[', 20_000) + "\n");
        Assert.Null(root);
        var problem = Assert.Single(problems);
        // The first '[' is at column 23; the root and config: mappings are two of the levels.
        Assert.StartsWith($"f.yaml:2:{23 + YamlLimits.MaxDepth - 2}: the YAML is nested more than {YamlLimits.MaxDepth} levels deep", problem);
    }

    [Fact]
    public void Ten_thousand_nested_block_levels_stop_at_the_depth_limit()
    {
        // Compact nested block sequences: one more level per "- ", in 20 KB.
        var text = new StringBuilder("config:\n  p:deep:\n    ");
        for (var i = 0; i < 10_000; i++) text.Append("- ");
        text.Append("x\n");
        var (root, problems) = Read(text.ToString());
        Assert.Null(root);
        Assert.Matches(@"^f\.yaml:\d+:\d+: the YAML is nested more than 64 levels deep", Assert.Single(problems));
    }

    [Fact]
    public void An_alias_bomb_is_refused_at_the_alias_that_crosses_the_expansion_limit()
    {
        var lines = new List<string> { "    a0: &a0 [x, x]" };
        for (var i = 1; i <= 40; i++) lines.Add($"    a{i}: &a{i} [*a{i - 1}, *a{i - 1}]");
        var (root, problems) = Read("config:\n  p:bomb:\n" + string.Join('\n', lines) + "\n");
        Assert.Null(root);
        Assert.Matches(@"^f\.yaml:\d+:\d+: the YAML expands to more than 100,000 values once its aliases are resolved", Assert.Single(problems));
    }

    [Fact]
    public void Billion_laughs_is_refused_by_the_alias_limits()
    {
        var lines = new List<string> { "    l0: &l0 \"lol\"" };
        for (var i = 1; i <= 9; i++) lines.Add($"    l{i}: &l{i} [{string.Join(',', Enumerable.Repeat($"*l{i - 1}", 9))}]");
        var (root, problems) = Read("config:\n  p:lol:\n" + string.Join('\n', lines) + "\n");
        Assert.Null(root);
        Assert.Matches(@"^f\.yaml:\d+:\d+: the YAML (expands to more than|uses more than)", Assert.Single(problems));
    }

    [Fact]
    public void A_few_aliases_still_work()
    {
        var (root, problems) = Read("a: &x {k: 1}\nb: *x\nc: *x\n");
        Assert.Empty(problems);
        Assert.Equal("{\"a\":{\"k\":1},\"b\":{\"k\":1},\"c\":{\"k\":1}}", YamlJson.ToJsonNode(root!)!.ToJsonString());
    }

    [Fact]
    public void An_unclosed_flow_sequence_is_a_syntax_error_at_its_bracket()
    {
        var lines = File.ReadAllLines(Llmctl.Testing.RepoFiles.Path("Pulumi.homelab.yaml")).ToList();
        lines.Insert(2, "  broken: [unclosed");
        var (root, problems) = Read(string.Join('\n', lines) + "\n");
        Assert.Null(root);
        Assert.Matches(@"^f\.yaml:3:\d+: YAML syntax error", Assert.Single(problems));
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_before_it_is_read()
    {
        var path = Path.Combine(_dir, "big.yaml");
        using (var f = File.Create(path)) f.SetLength(YamlLimits.MaxFileBytes + 1);
        var bag = new DiagnosticBag("big.yaml");
        Assert.Null(YamlDocumentReader.ReadFile(path, bag));
        Assert.StartsWith("big.yaml: the file is 2 MiB; llmctl reads YAML files of at most 2 MiB", Assert.Single(bag.Items).ToString());
    }

    [Fact]
    public void An_invalid_UTF8_byte_is_reported_at_its_line_and_column()
    {
        var path = Path.Combine(_dir, "latin1.yaml");
        File.WriteAllBytes(path, [.. "a: 1\nalias: \"qwen-d"u8, 0xE9, .. "ep\"\n"u8]);
        var bag = new DiagnosticBag("latin1.yaml");
        Assert.Null(YamlDocumentReader.ReadFile(path, bag));
        Assert.StartsWith("latin1.yaml:2:15: the file is not valid UTF-8: byte 0xE9", Assert.Single(bag.Items).ToString());
    }

    [Fact]
    public void A_BOM_and_CRLF_line_ends_are_read_as_usual()
    {
        var path = Path.Combine(_dir, "bom.yaml");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "a: caf\u00e9\r\nb: [1, 2]\r\n"u8]);
        var bag = new DiagnosticBag("bom.yaml");
        var text = YamlDocumentReader.ReadFile(path, bag)!;
        var root = YamlDocumentReader.Read(text, bag);
        Assert.Empty(bag.Items);
        Assert.Equal("{\"a\":\"café\",\"b\":[1,2]}", YamlJson.ToJsonNode(root!)!.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }));
    }
}
