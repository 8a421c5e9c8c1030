using Llmctl.Engine.Config;

namespace Llmctl.Engine.Tests.Config;

public class YamlDocumentReaderTests
{
    [Fact]
    public void Duplicate_keys_are_reported_at_the_second_key_and_the_first_value_is_kept()
    {
        var bag = new DiagnosticBag("f.yaml");
        var root = YamlDocumentReader.Read("a:\n  items:\n    - x: 1\n      x: 2\n  b: 1\n  b:\n    deep: [1]\n", bag);

        Assert.Equal(
        [
            "f.yaml:4:7: a.items[0].x: duplicate key 'x' — remove one of the two entries; the first one, at line 3, is used",
            "f.yaml:6:3: a.b: duplicate key 'b' — remove one of the two entries; the first one, at line 5, is used",
        ], bag.Items.Select(d => d.ToString()));
        Assert.Equal("{\"a\":{\"items\":[{\"x\":1}],\"b\":1}}", YamlJson.ToJsonNode(root!)!.ToJsonString());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    public void Duplicate_keys_are_found_in_mappings_of_any_size(int keys)
    {
        // Small and large mappings alike: every repeat is found, the first occurrence's line reported.
        var lines = Enumerable.Range(0, keys).Select(i => $"k{i}: {i}").ToList();
        lines.Add("k0: again");
        lines.Add($"k{keys - 1}: again");
        var bag = new DiagnosticBag("f.yaml");

        var root = YamlDocumentReader.Read(string.Join('\n', lines) + "\n", bag);

        Assert.Equal(
        [
            $"f.yaml:{keys + 1}:1: k0: duplicate key 'k0' — remove one of the two entries; the first one, at line 1, is used",
            $"f.yaml:{keys + 2}:1: k{keys - 1}: duplicate key 'k{keys - 1}' — remove one of the two entries; the first one, at line {keys}, is used",
        ], bag.Items.Select(d => d.ToString()));
        Assert.Equal(keys, ((YamlDotNet.RepresentationModel.YamlMappingNode)root!).Children.Count);
    }

    [Fact]
    public void Marks_are_one_based()
    {
        var bag = new DiagnosticBag("f.yaml");
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)YamlDocumentReader.Read("a: 1\nbb:  2\n", bag)!;
        var value = root.Children.Values.Last();
        Assert.Equal((2L, 6L), ((long)value.Start.Line, (long)value.Start.Column));
    }

    [Fact]
    public void An_empty_document_is_no_node_and_no_error()
    {
        var bag = new DiagnosticBag("f.yaml");
        Assert.Null(YamlDocumentReader.Read("# only a comment\n", bag));
        Assert.False(bag.HasErrors);
    }

    [Fact]
    public void Core_schema_tags_are_resolved_so_text_stays_text_and_typed_values_are_typed()
    {
        var bag = new DiagnosticBag("f.yaml");
        var root = YamlDocumentReader.Read("a: !!str 49152\nb: !!int \"8\"\nc: !!bool true\nd: !!float 0.5\ne: !!null ~\nf: !!seq [1]\ng: !!map {x: 1}\nh: ! 12\n", bag);

        Assert.Empty(bag.Items);
        Assert.Equal("{\"a\":\"49152\",\"b\":8,\"c\":true,\"d\":0.5,\"e\":null,\"f\":[1],\"g\":{\"x\":1},\"h\":\"12\"}", YamlJson.ToJsonNode(root!)!.ToJsonString());
    }

    [Fact]
    public void A_custom_tag_or_a_core_tag_on_a_value_it_does_not_fit_is_reported_at_its_key()
    {
        var bag = new DiagnosticBag("f.yaml");
        YamlDocumentReader.Read("lanes:\n  items:\n    - ctxSize: !custom 49152\n      parallel: !!int many\n      gpus: !!binary AAAA\n      nodes: !!str [a]\n", bag);

        Assert.Equal(
        [
            "f.yaml:3:16: lanes.items[0].ctxSize: the YAML tag '!custom' is not supported — remove the tag: configuration is plain YAML; quote a value to make it text (the core-schema tags !!str, !!int, !!float, !!bool, !!null, !!map and !!seq are accepted)",
            "f.yaml:4:17: lanes.items[0].parallel: the value is tagged '!!int' but 'many' is not an integer — fix the value, or remove the '!!int' tag",
            "f.yaml:5:13: lanes.items[0].gpus: the YAML tag '!!binary' is not supported — remove the tag: configuration is plain YAML; quote a value to make it text (the core-schema tags !!str, !!int, !!float, !!bool, !!null, !!map and !!seq are accepted)",
            "f.yaml:6:14: lanes.items[0].nodes: the value is tagged '!!str' but it does not fit this kind of value — fix the value, or remove the '!!str' tag",
        ], bag.Items.Select(d => d.ToString()));
    }

    [Theory]
    [InlineData("alias: \"fast\\0\"\n", "U+0000")]
    [InlineData("alias: \"fast\\e[31m\"\n", "U+001B")]
    [InlineData("alias: fa\u0001st\n", "U+0001")]
    [InlineData("alias: \"fast\\x85\"\n", "U+0085")]
    public void A_control_character_in_a_value_is_reported_at_its_key(string yaml, string character)
    {
        var bag = new DiagnosticBag("f.yaml");
        YamlDocumentReader.Read(yaml, bag);

        var problem = Assert.Single(bag.Items);
        Assert.Equal($"f.yaml:1:8: alias: the value contains the control character {character} — remove it: configuration values are printable text (names become Kubernetes names, labels, aliases and file names)", problem.ToString());
    }

    [Fact]
    public void Tabs_and_line_ends_inside_text_are_not_control_characters_here()
    {
        var bag = new DiagnosticBag("f.yaml");
        YamlDocumentReader.Read("broken: |\n  fails with\n  lm_head.input_scale\nnote: \"a\\tb\"\n", bag);
        Assert.Empty(bag.Items);
    }
}
